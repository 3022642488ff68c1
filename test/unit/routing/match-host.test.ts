// matchHost (src/routing/match.ts): lower case, trailing dots gone, the RegExp only for a host that
// ends in a dot; held to the reading it shortcuts on hosts with and without them.
import { describe, expect, it } from 'vitest';

import { matchHost } from '../../../src/routing/match';

const plainReading = (hostname: string) => hostname.toLowerCase().replace(/\.+$/, '');

describe('matchHost', () => {
  it('answers as lower-casing and dropping every trailing dot', () => {
    for (const hostname of ['app.example.com', 'App.Example.COM', 'app.example.com.', 'app.example.com...', 'APP.EXAMPLE.COM.', '.', '...', '', 'a.', '127.0.0.1', '[::1]', 'xn--bcher-kva.example']) {
      expect(matchHost({ hostname }), JSON.stringify(hostname)).toBe(plainReading(hostname));
    }
    expect(matchHost({ hostname: 'App.Example.com..' })).toBe('app.example.com');
  });
});
