// Bounded matching (issue 17): a path longer than MAX_PATH_LENGTH is refused with 414 before any
// matching, and a path of look-alike letters up to it is decided as its readings say, against the
// real origin. The cost itself is measured by bench/match-bounds.mjs, not asserted here.
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../src/config';
import { MAX_PATH_LENGTH } from '../../src/config/limits';
import { mintToken, newProbe, originCount, originSaw, refusalCode, send } from '../helpers';

const config = defineConfig({
  routes: [
    { match: '/:tenant/admin(.*)', protect: { role: 'org:admin' } },
    { match: '/:slug-x(.*)', protect: true },
    { match: '/(.*)', protect: false },
  ],
});
const FULLWIDTH_A = '%EF%BD%81';

/** A path of exactly `length` characters as sent: `prefix`, then `unit` repeated, then `a`s. */
function pathOf(length: number, prefix: string, unit: string): string {
  let path = prefix;
  while (path.length + unit.length <= length) path += unit;
  return path + 'a'.repeat(length - path.length);
}

describe('path length', () => {
  it(`a path over ${MAX_PATH_LENGTH} characters: 414 ERR_PATH_TOO_LONG, never forwarded, whatever its letters`, async () => {
    for (const unit of ['a', FULLWIDTH_A, '%3F']) {
      const probe = newProbe('too-long');
      const res = await send(pathOf(MAX_PATH_LENGTH + 1, '/', unit), { config, probe });
      expect(res.status).toBe(414);
      expect(await refusalCode(res)).toBe('ERR_PATH_TOO_LONG');
      expect(await originCount(probe)).toBe(0);
    }
    // 7.5 KB of look-alikes, as in the report.
    expect((await send(pathOf(7_500, '/', FULLWIDTH_A), { config })).status).toBe(414);
  });

  it(`a path of exactly ${MAX_PATH_LENGTH}: decided and forwarded as usual`, async () => {
    const path = pathOf(MAX_PATH_LENGTH, '/docs/', 'a');
    expect((await originSaw(await send(path, { config }))).url).toBe(path);
  });

  it('look-alike letters up to the limit meet the rules their readings name', async () => {
    // `/acme/ａｄｍｉｎ…`: NFKC reads /acme/admin…, under the admin rule.
    const member = await mintToken({ claims: { o: { id: 'org_1', slg: 'acme', rol: 'member' } } });
    const lookAlike = pathOf(MAX_PATH_LENGTH, '/acme/%EF%BD%81%EF%BD%84%EF%BD%8D%EF%BD%89%EF%BD%8E', FULLWIDTH_A);
    const probe = newProbe('look-alike');
    const res = await send(lookAlike, { config, bearer: member, probe });
    expect(res.status).toBe(403);
    expect(await originCount(probe)).toBe(0);
    // `/ＡＡＡ…-x`: upper- and lower-case look-alikes of one path meet the `-x` rule alike.
    const slug = pathOf(MAX_PATH_LENGTH - 2, '/', '%EF%BC%A1') + '-x';
    expect((await send(slug, { config })).status).toBe(401);
  });
});
