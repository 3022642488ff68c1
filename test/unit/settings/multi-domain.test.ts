// Clerk's multi-domain settings (src/settings/multi-domain.ts) and what each host derives from them
// (src/runtime/site-clerk-options.ts): what Clerk would throw on per request is a problem at start,
// naming the setting and the fix; nothing changes for a Worker that sets none of them.
import { describe, expect, it } from 'vitest';

import type { Env } from '../../../src/env';
import { Sites } from '../../../src/runtime/site';
import { parseSettings, type GatewaySettings } from '../../../src/settings/settings';
import { testEnv } from '../../helpers';

function problems(overrides: Env): string {
  const parsed = parseSettings({ ...testEnv, ...overrides });
  return parsed.ok ? '' : parsed.problems.join('\n');
}

function settings(overrides: Env = {}): GatewaySettings {
  const parsed = parseSettings({ ...testEnv, ...overrides });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.settings;
}

const SATELLITE: Env = { CLERK_IS_SATELLITE: 'true', CLERK_DOMAIN: 'shop.example', CLERK_SIGN_IN_URL: 'https://gateway.test/sign-in' };

describe('multi-domain settings', () => {
  it.each([
    [{ CLERK_IS_SATELLITE: 'true', CLERK_SIGN_IN_URL: 'https://gateway.test/sign-in' }, /CLERK_IS_SATELLITE is true but neither CLERK_DOMAIN nor CLERK_PROXY_URL is set: set CLERK_DOMAIN to the satellite's domain/],
    [{ ...SATELLITE, CLERK_SIGN_IN_URL: '/sign-in' }, /CLERK_IS_SATELLITE is true but CLERK_SIGN_IN_URL is not the primary's sign-in page: set it to an absolute URL on the primary domain/],
    [{ CLERK_IS_SATELLITE: 'yes' }, /CLERK_IS_SATELLITE must be true or false, got "yes"/],
    [{ CLERK_DOMAIN: 'shop.example' }, /CLERK_DOMAIN is set but CLERK_IS_SATELLITE is not true: .*set CLERK_IS_SATELLITE=true, or unset CLERK_DOMAIN/],
    [{ CLERK_SATELLITE_AUTO_SYNC: 'true' }, /CLERK_SATELLITE_AUTO_SYNC is set but CLERK_IS_SATELLITE is not true/],
    [{ ...SATELLITE, CLERK_DOMAIN: 'https://shop.example' }, /CLERK_DOMAIN lists host names such as satellite.example.com \(no scheme, port or path\), got "https:\/\/shop.example"/],
    [{ ...SATELLITE, CLERK_SATELLITE_AUTO_SYNC: 'sometimes' }, /CLERK_SATELLITE_AUTO_SYNC must be true or false/],
    [{ CLERK_PROXY_URL: '/__clerk' }, /CLERK_PROXY_URL is a path \(\/__clerk\) but the gateway's Frontend API proxy is off: set CLERK_FRONTEND_API_PROXY_PATH=\/__clerk/],
    [{ CLERK_PROXY_URL: '/other', CLERK_FRONTEND_API_PROXY_PATH: 'true' }, /CLERK_PROXY_URL \(\/other\) and CLERK_FRONTEND_API_PROXY_PATH \(\/__clerk\) differ/],
    [{ CLERK_PROXY_URL: 'javascript:alert(1)' }, /CLERK_PROXY_URL must be the Frontend API proxy's absolute http\(s\) URL or its path/],
    [{ CLERK_FRONTEND_API_PROXY_PATH: '__clerk' }, /CLERK_FRONTEND_API_PROXY_PATH must be true \(for \/__clerk\) or a plain path/],
    [{ CLERK_FRONTEND_API_PROXY_PATH: '/a/../b' }, /CLERK_FRONTEND_API_PROXY_PATH must be/],
    [{ CLERK_FRONTEND_API_PROXY_PATH: '/__gateway' }, /CLERK_FRONTEND_API_PROXY_PATH \(\/__gateway\) would serve SIGN_OUT_PATH \(\/__gateway\/sign-out\) from Clerk's Frontend API: give the proxy a path of its own/],
    [{ CLERK_FRONTEND_API_PROXY_PATH: '/auth', CLERK_SIGN_IN_URL: '/auth/sign-in' }, /would serve CLERK_SIGN_IN_URL \(\/auth\/sign-in\)/],
    [{ CLERK_FRONTEND_API_URL: 'https://fapi.example' }, /CLERK_FRONTEND_API_URL is set but the Frontend API proxy is off: set CLERK_FRONTEND_API_PROXY_PATH=true/],
    [{ CLERK_FRONTEND_API_PROXY_PATH: 'true', CLERK_FRONTEND_API_URL: 'https://u:p@fapi.example/?x' }, /CLERK_FRONTEND_API_URL must be an absolute http\(s\) URL without query, fragment or credentials/],
  ])('refuses %j, naming the setting and the fix', (overrides, message) => {
    expect(problems(overrides)).toMatch(message);
  });

  it('accepts a satellite reached through a proxy instead of a domain, and reads the proxy settings', () => {
    expect(problems({ CLERK_IS_SATELLITE: 'true', CLERK_PROXY_URL: 'https://fapi.example/__clerk', CLERK_SIGN_IN_URL: 'https://gateway.test/sign-in' })).toBe('');
    const on = settings({ CLERK_FRONTEND_API_PROXY_PATH: 'TRUE' });
    // Clerk's own choice of upstream for a live key, passed explicitly.
    expect(on.frontendApiProxy).toEqual({ path: '/__clerk', fapiUrl: 'https://frontend-api.clerk.dev' });
    expect(on.proxyUrl).toBe('/__clerk');
    expect(settings({ CLERK_FRONTEND_API_PROXY_PATH: '/fapi/', CLERK_FRONTEND_API_URL: 'http://127.0.0.1:1/' }).frontendApiProxy).toEqual({ path: '/fapi', fapiUrl: 'http://127.0.0.1:1' });
    expect(settings({ CLERK_FRONTEND_API_PROXY_PATH: 'false' }).frontendApiProxy).toBeUndefined();
  });

  it('changes nothing a host derives when none is set', () => {
    const site = new Sites(settings(), undefined).get('https://gateway.test');
    expect(site.clerk).toEqual({ tokenIssuer: 'https://clerk.gateway.test', issuer: 'https://clerk.gateway.test', multiDomain: undefined, satellite: false, redirectOrigins: [], satelliteDomains: undefined });
  });

  it('gives each host its own options: satellites under CLERK_DOMAIN, the rest the primary', () => {
    const sites = new Sites(settings({ ...SATELLITE, CLERK_DOMAIN: 'shop.example, b.example', CLERK_SATELLITE_AUTO_SYNC: 'true' }), undefined);
    const shop = sites.get('https://www.shop.example');
    expect(shop.clerk.multiDomain).toEqual({ isSatellite: true, domain: 'shop.example', signInUrl: 'https://gateway.test/sign-in', satelliteAutoSync: true });
    expect(shop.clerk.tokenIssuer).toBe('https://clerk.shop.example');
    expect(shop.redirectOrigins.has('https://clerk.shop.example')).toBe(true);
    expect(sites.get('https://b.example').clerk.multiDomain?.domain).toBe('b.example');
    const primary = sites.get('https://gateway.test');
    expect(primary.clerk.satellite).toBe(false);
    expect(primary.clerk.tokenIssuer).toBe('https://clerk.gateway.test');
    expect(primary.clerk.satelliteDomains).toEqual(['shop.example', 'b.example']);
    // A look-alike host is no satellite.
    expect(sites.get('https://shop.example.evil.test').clerk.satellite).toBe(false);
  });

  it('resolves a proxy path on each host; the sign-in host is never a satellite', () => {
    const sites = new Sites(settings({ CLERK_IS_SATELLITE: 'true', CLERK_FRONTEND_API_PROXY_PATH: 'true', CLERK_SIGN_IN_URL: 'https://gateway.test/sign-in' }), undefined);
    const a = sites.get('https://a.example');
    expect(a.clerk.multiDomain).toEqual({ proxyUrl: 'https://a.example/__clerk', isSatellite: true, signInUrl: 'https://gateway.test/sign-in', satelliteAutoSync: false });
    expect(a.clerk.issuer).toEqual(['https://clerk.gateway.test', 'https://a.example/__clerk']);
    expect(sites.get('https://gateway.test').clerk.multiDomain).toEqual({ proxyUrl: 'https://gateway.test/__clerk' });
  });
});
