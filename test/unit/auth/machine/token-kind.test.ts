// Which bearer tokens are machine tokens (src/auth/machine/token-kind.ts), held to
// @clerk/backend's own isMachineToken on tokens whose payload is odd JSON: Clerk decodes them and
// reads no claim, so the header (`typ`, `cat`) still decides.
import { isMachineToken, isMachineTokenByPrefix } from '@clerk/backend/internal';
import { describe, expect, it } from 'vitest';

import { bearerKind } from '../../../../src/auth/machine/token-kind';

const machineTokenKind = (token: string) => bearerKind(token).kind;

const b64url = (text: string) => btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const jwt = (header: unknown, payload: string) => `${b64url(JSON.stringify(header))}.${b64url(payload)}.c2ln`;

describe('bearerKind', () => {
  it('agrees with @clerk/backend on JWTs with odd payloads', () => {
    const tokens = [
      jwt({ alg: 'RS256', typ: 'at+jwt' }, 'null'),
      jwt({ alg: 'RS256', typ: 'at+jwt' }, '[1]'),
      jwt({ alg: 'RS256', typ: 'at+jwt' }, '{"sub":"user_1"}'),
      jwt({ alg: 'RS256' }, '{"sub":"mch_1"}'),
      jwt({ alg: 'RS256' }, 'null'),
      jwt({ alg: 'RS256', typ: 'JWT' }, '{"sub":"user_1"}'),
      `${b64url('{"typ":"at+jwt"}')}.${b64url('{nope')}.c2ln`,
    ];
    for (const token of tokens) expect(machineTokenKind(token) !== undefined, token).toBe(isMachineToken(token));
    expect(machineTokenKind(tokens[0]!)).toBe('oauth_token');
    expect(machineTokenKind(tokens[3]!)).toBe('m2m_token');
  });

  it("tells opaque machine tokens by Clerk's prefixes, and nothing else by a near one", () => {
    expect(machineTokenKind('mt_123')).toBe('m2m_token');
    expect(machineTokenKind('oat_123')).toBe('oauth_token');
    expect(machineTokenKind('ak_123')).toBe('api_key');
    for (const token of ['mt_', 'oat_', 'ak_', 'mt_1', 'm_1', 'mt1', 'oa_1', 'oat1', 'a_1', 'ak1', 'Ak_1', 'MT_1', 'xak_1', 'eyJ', '', 'a', 'm', 'o']) {
      expect(machineTokenKind(token) !== undefined, token).toBe(isMachineTokenByPrefix(token));
    }
  });
});
