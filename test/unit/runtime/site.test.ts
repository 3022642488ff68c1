// What the gateway derives from each host it is served on (src/runtime/site.ts): once per host,
// never per request, and the sign-in loop check with it.
import { describe, expect, it } from 'vitest';

import { parseSettings, type GatewaySettings } from '../../../src/settings/settings';
import { Sites } from '../../../src/runtime/site';
import { captureConsole, testEnv } from '../../helpers';

function settings(overrides: Record<string, string | undefined> = {}): GatewaySettings {
  const parsed = parseSettings({ ...testEnv, ...overrides });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.settings;
}

describe('Sites', () => {
  it('a sign-in path is made absolute on each host; the tasks page sits below it', () => {
    const sites = new Sites(settings({ CLERK_SIGN_IN_URL: '/sign-in/' }), undefined);
    const a = sites.get('https://a.example');
    expect(a.signInUrl).toBe('https://a.example/sign-in');
    expect(a.tasksUrl).toBe('https://a.example/sign-in/tasks');
    expect(sites.get('https://b.example').signInUrl).toBe('https://b.example/sign-in');
    const root = new Sites(settings({ CLERK_SIGN_IN_URL: '/' }), undefined).get('https://a.example');
    expect([root.signInUrl, root.tasksUrl]).toEqual(['https://a.example/', 'https://a.example/tasks']);
  });

  it('authorized parties default to the host itself; redirect targets are the host, the Frontend API, the Account Portal and the sign-in page', () => {
    const site = new Sites(settings(), undefined).get('https://gateway.test');
    expect(site.authorizedParties).toEqual(['https://gateway.test']);
    expect([...site.redirectOrigins].sort()).toEqual(['https://accounts.gateway.test', 'https://clerk.gateway.test', 'https://gateway.test']);
    const set = new Sites(settings({ CLERK_AUTHORIZED_PARTIES: 'https://app.example.com', CLERK_SIGN_IN_URL: 'https://login.example.com/in' }), undefined).get('https://gateway.test');
    expect(set.authorizedParties).toEqual(['https://app.example.com']);
    expect(set.redirectOrigins.has('https://login.example.com')).toBe(true);
  });

  it('the same site object serves every request to a host', () => {
    const sites = new Sites(settings(), undefined);
    expect(sites.get('https://gateway.test')).toBe(sites.get('https://gateway.test'));
  });

  it('a protected sign-in page is a problem only on the host that serves it, logged once', () => {
    const error = captureConsole('error');
    const sites = new Sites(settings({ CLERK_SIGN_IN_URL: 'https://gateway.test/sign-in' }), [{ origin: 'https://gateway.test', problem: 'the problem' }]);
    expect(sites.get('https://gateway.test').signInLoopProblem).toBe('the problem');
    expect(sites.get('https://gateway.test').signInLoopProblem).toBe('the problem');
    expect(sites.get('https://other.test').signInLoopProblem).toBeUndefined();
    expect(error.calls()).toEqual(['edge-auth-gateway: the problem']);
  });
});
