// isReservedLowerCase (src/proxy/headers.ts), the lookup by first character that replaced a
// `switch` over every reserved name: the same answer as the lists it is built from, for every
// reserved name, each name with one character changed, dropped or added, and the prefixes.
import { describe, expect, it } from 'vitest';

import { isReservedLowerCase, RESERVED_HEADERS, SPOOFABLE_PREFIXES } from '../../../src/proxy/headers';

const reference = (n: string) => RESERVED_HEADERS.includes(n) || SPOOFABLE_PREFIXES.some((p) => n.startsWith(p));
const PLAIN = 'abcdefghijklmnopqrstuvwxyz0123456789-';

describe('isReservedLowerCase', () => {
  it('holds the reserved names and prefixes it always held (the lists are the one home of what never passes)', () => {
    expect([...RESERVED_HEADERS].sort()).toEqual(
      ['connection', 'forwarded', 'host', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'true-client-ip', 'upgrade', 'x-client-ip', 'x-http-method', 'x-http-method-override', 'x-method-override', 'x-original-uri', 'x-original-url', 'x-real-ip', 'x-rewrite-url'],
    );
    expect([...SPOOFABLE_PREFIXES].sort()).toEqual(['x-auth-', 'x-clerk-', 'x-forwarded-', 'x-middleware-']);
    expect(Object.isFrozen(RESERVED_HEADERS) && Object.isFrozen(SPOOFABLE_PREFIXES)).toBe(true);
  });

  it('answers as the lists do for every reserved name and every name one edit away', () => {
    const names = new Set<string>(['', 'x', 'x-', 'accept', 'cookie', 'authorization', 'cf-connecting-ip', 'user-agent', 'sec-fetch-dest']);
    for (const name of [...RESERVED_HEADERS, ...SPOOFABLE_PREFIXES, ...SPOOFABLE_PREFIXES.map((p) => `${p}user-id`)]) {
      names.add(name);
      for (let i = 0; i <= name.length; i++) {
        names.add(name.slice(0, i) + name.slice(i + 1));
        for (const c of PLAIN) {
          names.add(name.slice(0, i) + c + name.slice(i + 1));
          names.add(name.slice(0, i) + c + name.slice(i));
        }
      }
    }
    let reserved = 0;
    for (const name of names) {
      if (isReservedLowerCase(name) !== reference(name)) expect(isReservedLowerCase(name), JSON.stringify(name)).toBe(reference(name));
      if (reference(name)) reserved++;
    }
    // Both answers occur: the edits reach past the reserved names.
    expect(reserved).toBeGreaterThan(RESERVED_HEADERS.length);
    expect(names.size - reserved).toBeGreaterThan(1000);
    expect(isReservedLowerCase('host')).toBe(true);
    expect(isReservedLowerCase('x-auth-user-id')).toBe(true);
    expect(isReservedLowerCase('x-authz')).toBe(false);
    expect(isReservedLowerCase('hosts')).toBe(false);
  });
});
