#!/usr/bin/env node
// `npm run test:e2e`: the demo (`npm run demo`: the real gateway in `wrangler dev` in front of the
// demo origin) driven in a real browser, the system's Chromium through playwright-core. It clicks
// through what a person would try: public page → protected page → sign-in → back; pending session
// → task page → choose an organization → back with org headers; /account/status as pending;
// sign-out; and a fetch() refused with 401. Then the same sign-in in front of an app the demo
// has never seen (`npm run demo -- --origin <url>`, scripts/lib/echo-app.mjs: a node:http app that
// shows the headers it gets and verifies X-Auth-Assertion): active, pending → task → active, a
// custom role, sign-out. Screenshots of the key pages go to a temp dir.
//
// Chromium: $CHROMIUM_PATH, else /usr/bin/chromium. When it is missing and this runs as root with
// apt-get (CI, the dev machines), it runs `apt-get install -y chromium`; otherwise it skips and
// says why, exiting 0, except under CI=true, where a skip is a failure.
//
// Ends with the line "N passed, N failed"; exit 0 only if nothing failed. E2E_REPORT=<file> also
// writes the counts as JSON (for .ci/run's summary). GATEWAY_PORT / DEMO_ORIGIN_PORT pin the ports
// (default: free ones, so a running `npm run demo` is not in the way). E2E_LOG_LEVEL=info shows
// every request wrangler serves (default: warn, so only warnings and errors).
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { DEMO_FRONTEND_API } from '../demo/origin.mjs';
import { startDemo } from './demo.mjs';
import { startEchoApp } from './lib/echo-app.mjs';
import { mintSessionToken, nowSeconds } from './lib/session-token.mjs';

const started = Date.now();
const IN_CI = /^(1|true|yes)$/i.test(process.env.CI ?? '');
const DEADLINE_MS = 180_000; // the whole run, install excluded; it takes about 6 s
const ACTION_TIMEOUT_MS = 10_000;
const NAVIGATION_TIMEOUT_MS = 15_000;
const VIEWPORT = { width: 1100, height: 800 }; // the width at which the top bar used to wrap

const color = (code, text) => (process.stdout.isTTY ? `\x1b[${code}m${text}\x1b[0m` : text);
const say = (message) => console.log(`${color(36, '[e2e]')} ${message}`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Prints the closing line (and writes E2E_REPORT), then exits: 0 when nothing failed, else `code`. */
function finish({ passed, failed, skipped = 0, reason }, code = 1) {
  const report = process.env.E2E_REPORT;
  if (report) writeFileSync(report, JSON.stringify({ passed, failed, skipped, reason, ms: Date.now() - started }));
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? code : 0);
}

/** No browser to drive: outside CI that is a skip (exit 0), in CI a failure. */
function skip(reason) {
  console.log(`\n${color(33, 'SKIPPED')} npm run test:e2e: ${reason}`);
  if (IN_CI) {
    console.log('CI=true: a browser test that cannot run counts as failed.');
    finish({ passed: 0, failed: 1, reason });
  }
  finish({ passed: 0, failed: 0, skipped: 1, reason });
}

// ---------------------------------------------------------------------------------------------
// Chromium

function run(command, args, env = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 600_000 });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}

function findChromium() {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['/usr/bin/chromium'];
  return candidates.find((file) => existsSync(file));
}

/** The Chromium to drive: found, or installed from Debian's packages, or a reason why not. */
function chromiumOrReason() {
  const found = findChromium();
  if (found) return { executablePath: found };
  if (process.env.CHROMIUM_PATH) return { reason: `CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist` };
  const how = 'install it with `apt-get install -y chromium` (Debian/Ubuntu, as root), or set CHROMIUM_PATH';
  if (process.platform !== 'linux') return { reason: `no /usr/bin/chromium on ${process.platform}: ${how}` };
  if (!run('sh', ['-c', 'command -v apt-get']).ok) return { reason: `/usr/bin/chromium is missing and there is no apt-get here: ${how}` };
  if (process.getuid?.() !== 0) return { reason: `/usr/bin/chromium is missing and this is not root, so it cannot be installed: ${how}` };
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  say('/usr/bin/chromium is missing: apt-get update && apt-get install -y chromium (a minute or two)…');
  const update = run('apt-get', ['update', '-qq'], env);
  if (!update.ok) say(`apt-get update failed (trying the package lists present):\n${tail(update.output)}`);
  const install = run('apt-get', ['install', '-y', '-qq', 'chromium'], env);
  if (!install.ok) return { reason: `apt-get install -y chromium failed:\n${tail(install.output)}` };
  const installed = findChromium();
  return installed ? { executablePath: installed } : { reason: 'apt-get installed chromium, but /usr/bin/chromium is still missing' };
}

const tail = (text, lines = 5) => text.trim().split('\n').slice(-lines).join('\n');

// ---------------------------------------------------------------------------------------------
// Processes: free ports, and what is left running in a process group (Linux /proc)

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/** [pid, ppid, pgrp, name] of every process, from /proc (empty where there is none). */
function processTable() {
  if (!existsSync('/proc/self/stat')) return [];
  const rows = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      rows.push([Number(entry), Number(ppid), Number(pgrp), name]);
    } catch {
      // exited meanwhile
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Steps

let passed = 0;
let failed = 0;
let notRun = 0;
let aborting = false; // interrupted or out of time: the steps in flight fail quietly, abort() reports
let shotDir;
let shotCount = 0;

/**
 * A flow: steps that build on each other, in one browser context. The first failing step ends
 * the flow (with a screenshot); its remaining steps are counted as not run.
 */
async function flow(title, context, steps) {
  console.log(`\n${title}`);
  const page = await context.newPage();
  const problems = watch(page);
  const all = [...steps, ['no page errors, failed loads or 5xx answers along the way', async () => problems.check()]];
  for (let i = 0; i < all.length; i++) {
    const [name, fn] = all[i];
    const t0 = Date.now();
    try {
      const note = await fn(page, problems);
      passed++;
      console.log(`  ${color(32, '✓')} ${name}${note ? ` (${note})` : ''} [${Date.now() - t0} ms]`);
    } catch (error) {
      if (aborting) return;
      failed++;
      const shot = await screenshot(page, `FAILED-${name}`).catch(() => undefined);
      console.log(`  ${color(31, '✗')} ${name}: ${firstLine(error)}\n      page: ${page.url()}${shot ? `; screenshot ${shot}` : ''}`);
      notRun += all.length - i - 1;
      for (const [skipped] of all.slice(i + 1)) console.log(`  - ${skipped}: not run`);
      break;
    }
  }
  await page.close().catch(() => {});
}

const firstLine = (error) => String(error?.message ?? error).split('\n')[0];

/** Collects what a person would see go wrong: script errors, 5xx answers, console errors. */
function watch(page) {
  const seen = [];
  /** Refusals a step expects, by status: Chromium logs each as a failed load. */
  const expected = { 401: 0, 403: 0 };
  page.on('pageerror', (error) => seen.push(`page error: ${firstLine(error)}`));
  page.on('response', (res) => {
    if (res.status() >= 500) seen.push(`${res.status()} for ${res.request().method()} ${res.url()}`);
  });
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // A refused fetch() or page is logged by Chromium as a failed load; those steps expect it.
    const status = /status of (401|403)\b/.exec(msg.text())?.[1];
    if (status && expected[status] > 0) {
      expected[status]--;
      return;
    }
    seen.push(`console error: ${msg.text()}`);
  });
  return {
    expect401: () => expected[401]++,
    expect403: () => expected[403]++,
    check: () => {
      if (seen.length) throw new Error(seen.join('; '));
    },
  };
}

async function screenshot(page, name) {
  const file = path.join(shotDir, `${String(++shotCount).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 60)}.png`);
  await page.screenshot({ path: file, fullPage: true, timeout: ACTION_TIMEOUT_MS });
  return file;
}

// ---------------------------------------------------------------------------------------------
// What the demo pages show

function expect(condition, message) {
  if (!condition) throw new Error(message);
}
function expectEqual(actual, wanted, what) {
  if (actual !== wanted) throw new Error(`${what}: expected ${JSON.stringify(wanted)}, got ${JSON.stringify(actual)}`);
}

const text = async (locator) => (await locator.innerText({ timeout: ACTION_TIMEOUT_MS })).trim();
/** The badge in the top bar. */
const badge = (page) => text(page.locator('header .badge'));
/** The user id next to the badge, or undefined. */
const topBarUser = async (page) => ((await page.locator('header code').count()) ? text(page.locator('header code')) : undefined);
/** A row of the page's "Identity headers this origin received" table, as shown. */
const shownHeader = (page, name) => text(page.locator(`td[data-header="${name}"]`));
/** Clicks a link in the top bar's nav (the pages link to the same places in their text too). */
const clickNav = (page, name) => page.locator('header nav').getByRole('link', { name, exact: true }).click();
const navLinks = async (page) => (await page.locator('header nav a').allInnerTexts()).map((s) => s.trim());

/** The top bar as a person reads it: the badge, who, and Sign in xor Sign out, on one row. */
async function expectTopBar(page, status, user) {
  expectEqual(await badge(page), status, 'badge');
  expectEqual(await topBarUser(page), user, 'user in the top bar');
  const links = await navLinks(page);
  const wanted = user ? 'Sign out' : 'Sign in';
  const unwanted = user ? 'Sign in' : 'Sign out';
  expect(links.includes(wanted) && !links.includes(unwanted), `nav shows ${links.join(' | ')}; expected "${wanted}" and no "${unwanted}"`);
  // At 1100 px the brand, the links and the badge share one row, and the badge is one line.
  const [brand, pill] = await Promise.all([page.locator('header strong').boundingBox(), page.locator('header .badge').boundingBox()]);
  expect(brand && pill, 'top bar not rendered');
  const centre = (box) => box.y + box.height / 2;
  expect(Math.abs(centre(brand) - centre(pill)) < 4, `the badge wrapped to another row (brand at y=${centre(brand)}, badge at y=${centre(pill)})`);
  expect(pill.height < 30, `the badge wraps inside (height ${pill.height} px)`);
}

/** Waits for the browser to arrive at `pathname` (on the gateway); returns the URL. */
async function arrivedAt(page, base, pathname) {
  await page.waitForURL((url) => url.origin === base && url.pathname === pathname, { timeout: NAVIGATION_TIMEOUT_MS });
  return new URL(page.url());
}

/** fetch() from the page, as a script on it would: status, headers, JSON body. */
async function pageFetch(page, pathname) {
  return page.evaluate(async (p) => {
    const res = await fetch(p);
    const body = await res.text();
    let json;
    try {
      json = JSON.parse(body);
    } catch {
      // not JSON
    }
    return { status: res.status, headers: Object.fromEntries(res.headers), body, json };
  }, pathname);
}

// ---------------------------------------------------------------------------------------------
// The walk

/** A fresh browser profile on `base`, with the walk's timeouts. */
async function browserContext(browser, base) {
  const context = await browser.newContext({ viewport: VIEWPORT, baseURL: base });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
  return context;
}

async function walk(browser, base) {
  const dashboard = `${base}/dashboard`;
  const newContext = () => browserContext(browser, base);

  // A visitor: public page, protected page, sign-in as Ada (active), back, sign out.
  const visitor = await newContext();
  await flow('Signed out → protected page → sign in (active) → back → sign out', visitor, [
    [
      'open / (public): "signed-out", no identity headers, "Sign in" only',
      async (page) => {
        await page.goto('/');
        expect((await text(page.locator('h1'))).includes('A Clerk-verifying gateway'), 'not the demo home page');
        await expectTopBar(page, 'signed-out', undefined);
        expectEqual(await shownHeader(page, 'x-auth-session-status'), 'signed-out', 'X-Auth-Session-Status shown');
        expectEqual(await shownHeader(page, 'x-auth-user-id'), 'not sent', 'X-Auth-User-Id shown');
        await screenshot(page, 'home-signed-out');
      },
    ],
    [
      'submit the form on / to /forum/new (protected) → 303 → the sign-in page by GET, redirect_url = /',
      async (page) => {
        // A 307 would make the browser re-POST the form to /sign-in (the demo would sign in there).
        const answers = [];
        const listen = (res) => {
          if (new URL(res.url()).pathname === '/forum/new') answers.push(res.status());
        };
        page.on('response', listen);
        await page.getByRole('button', { name: 'Post to the forum' }).click();
        const url = await arrivedAt(page, base, '/sign-in');
        page.off('response', listen);
        expectEqual(answers.join(','), '303', 'the gateway\'s answer to the form');
        expectEqual(url.searchParams.get('redirect_url'), `${base}/`, 'redirect_url');
        expectEqual(await text(page.locator('h1')), 'Sign in (demo)', 'heading');
        await expectTopBar(page, 'signed-out', undefined);
        await page.goto('/');
      },
    ],
    [
      'fetch("/dashboard") from the page → 401 {"error":"unauthenticated"}, WWW-Authenticate: Bearer',
      async (page, problems) => {
        problems.expect401();
        const r = await pageFetch(page, '/dashboard');
        expectEqual(r.status, 401, 'status');
        expectEqual(r.json?.error, 'unauthenticated', 'error');
        expect(/^Bearer\b/.test(r.headers['www-authenticate'] ?? ''), `WWW-Authenticate: ${r.headers['www-authenticate']}`);
        return r.headers['x-auth-reason'] ? `X-Auth-Reason: ${r.headers['x-auth-reason']}` : undefined;
      },
    ],
    [
      'click Dashboard (protected) → the sign-in page, redirect_url = /dashboard',
      async (page) => {
        await clickNav(page, 'Dashboard');
        const url = await arrivedAt(page, base, '/sign-in');
        expectEqual(url.searchParams.get('redirect_url'), dashboard, 'redirect_url');
        expectEqual(await text(page.locator('h1')), 'Sign in (demo)', 'heading');
        await expectTopBar(page, 'signed-out', undefined);
        await screenshot(page, 'sign-in');
      },
    ],
    [
      'click "Sign in as Ada (active)" → back on /dashboard, active, identity and org headers shown',
      async (page) => {
        await page.getByRole('button', { name: 'Sign in as Ada (active)' }).click();
        await arrivedAt(page, base, '/dashboard');
        expectEqual(await text(page.locator('h1')), 'Dashboard', 'heading');
        await expectTopBar(page, 'active', 'user_demo_ada');
        const want = {
          'x-auth-session-status': 'active',
          'x-auth-user-id': 'user_demo_ada',
          'x-auth-org-id': 'org_demo_acme',
          'x-auth-org-role': 'org:admin',
          'x-auth-org-slug': 'acme',
        };
        for (const [name, value] of Object.entries(want)) expectEqual(await shownHeader(page, name), value, name);
        expect(/^sess_demo_/.test(await shownHeader(page, 'x-auth-session-id')), 'X-Auth-Session-Id not shown');
        await screenshot(page, 'dashboard-active');
      },
    ],
    [
      'open /sign-in while signed in → "You already have an active session"',
      async (page) => {
        await page.goto('/sign-in');
        const callout = await text(page.locator('.callout'));
        expect(callout.startsWith('You already have an active session'), `callout: ${callout}`);
        await expectTopBar(page, 'active', 'user_demo_ada');
      },
    ],
    [
      'click Sign out → back on /, "signed-out", cookies gone; Dashboard → sign-in again',
      async (page) => {
        await clickNav(page, 'Sign out');
        await arrivedAt(page, base, '/');
        await expectTopBar(page, 'signed-out', undefined);
        const left = (await visitor.cookies()).filter((c) => c.name === '__session' || c.name === '__client_uat');
        expect(left.length === 0, `cookies left: ${left.map((c) => c.name).join(', ')}`);
        await clickNav(page, 'Dashboard');
        const url = await arrivedAt(page, base, '/sign-in');
        expectEqual(url.searchParams.get('redirect_url'), dashboard, 'redirect_url');
      },
    ],
    [
      'cookies from an earlier demo run (another key) → Dashboard → the sign-in page, "signed-out"',
      async (page) => {
        // What a browser still holds after `npm run demo` was restarted: the README says they
        // just read as signed out (no handshake to the made-up Clerk instance, no error page).
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        const iat = nowSeconds() - 600;
        const token = await mintSessionToken({
          key: privateKey,
          kid: 'demo',
          sub: 'user_demo_ada',
          sid: 'sess_demo_earlier',
          issuer: `https://${DEMO_FRONTEND_API}`,
          azp: base,
          lifetime: 8 * 3600,
          now: iat + 1,
        });
        await visitor.addCookies(
          [
            ['__session', token],
            ['__client_uat', String(iat)],
          ].map(([name, value]) => ({ name, value, url: base, sameSite: 'Lax' })),
        );
        await page.goto('/');
        await expectTopBar(page, 'signed-out', undefined);
        await clickNav(page, 'Dashboard');
        const url = await arrivedAt(page, base, '/sign-in');
        expectEqual(url.searchParams.get('redirect_url'), dashboard, 'redirect_url');
        expect((await page.locator('.callout').count()) === 0, 'the sign-in page believes the old session');
        await expectTopBar(page, 'signed-out', undefined);
      },
    ],
  ]);
  await visitor.close();

  // Pat: a pending session, sent to the task, /account/status on the way, then an organization.
  const pat = await newContext();
  let tasksUrl;
  await flow('Pending → task page → /account/status → choose an organization → back with org headers', pat, [
    [
      'open /dashboard, click "Sign in as Pat (pending)" → the task page, badge "pending"',
      async (page) => {
        await page.goto('/dashboard');
        await arrivedAt(page, base, '/sign-in');
        await page.getByRole('button', { name: 'Sign in as Pat (pending)' }).click();
        const url = await arrivedAt(page, base, '/sign-in/tasks');
        expectEqual(url.searchParams.get('redirect_url'), dashboard, 'redirect_url');
        expectEqual(await text(page.locator('h1')), 'Choose an organization', 'heading');
        expect((await text(page.locator('[data-task-session]'))).startsWith('Your session is pending'), 'the task page does not see the pending session');
        await expectTopBar(page, 'pending', 'user_demo_pat');
        await screenshot(page, 'task-pending');
      },
    ],
    [
      'click Dashboard while pending → the gateway sends the browser back to the task page',
      async (page) => {
        await page.goto('/');
        await clickNav(page, 'Dashboard');
        const url = await arrivedAt(page, base, '/sign-in/tasks');
        expectEqual(url.searchParams.get('redirect_url'), dashboard, 'redirect_url');
        tasksUrl = url.href;
      },
    ],
    [
      'fetch("/dashboard") while pending → 401 {"error":"session_pending"} with tasks_url',
      async (page, problems) => {
        problems.expect401();
        const r = await pageFetch(page, '/dashboard');
        expectEqual(r.status, 401, 'status');
        expectEqual(r.json?.error, 'session_pending', 'error');
        expectEqual(r.json?.tasks_url, tasksUrl, 'tasks_url');
      },
    ],
    [
      'click Account status while pending → shown, status "pending", X-Auth-User-Id user_demo_pat',
      async (page) => {
        await clickNav(page, 'Account status');
        await arrivedAt(page, base, '/account/status');
        expectEqual(await text(page.locator('#status')), 'pending', 'status on the page');
        await expectTopBar(page, 'pending', 'user_demo_pat');
        expectEqual(await shownHeader(page, 'x-auth-session-status'), 'pending', 'X-Auth-Session-Status shown');
        expectEqual(await shownHeader(page, 'x-auth-user-id'), 'user_demo_pat', 'X-Auth-User-Id shown');
        expectEqual(await shownHeader(page, 'x-auth-org-id'), 'not sent', 'X-Auth-Org-Id shown');
        await screenshot(page, 'account-status-pending');
      },
    ],
    [
      'click Forum while pending → the task page, redirect_url = /forum',
      async (page) => {
        await clickNav(page, 'Forum');
        const url = await arrivedAt(page, base, '/sign-in/tasks');
        expectEqual(url.searchParams.get('redirect_url'), `${base}/forum`, 'redirect_url');
      },
    ],
    [
      'click "Choose Acme Corp" → back on /forum, active, with org headers',
      async (page) => {
        await page.getByRole('button', { name: 'Choose Acme Corp' }).click();
        await arrivedAt(page, base, '/forum');
        expectEqual(await text(page.locator('h1')), 'Forum', 'heading');
        await expectTopBar(page, 'active', 'user_demo_pat');
        const want = {
          'x-auth-session-status': 'active',
          'x-auth-user-id': 'user_demo_pat',
          'x-auth-org-id': 'org_demo_acme',
          'x-auth-org-role': 'org:admin',
          'x-auth-org-slug': 'acme',
          'x-auth-org-permissions': 'org:dashboard:read,org:dashboard:manage',
        };
        for (const [name, value] of Object.entries(want)) expectEqual(await shownHeader(page, name), value, name);
        await screenshot(page, 'forum-active-org');
      },
    ],
    [
      'click Dashboard → now shown, active in org_demo_acme',
      async (page) => {
        await clickNav(page, 'Dashboard');
        await arrivedAt(page, base, '/dashboard');
        expectEqual(await shownHeader(page, 'x-auth-org-id'), 'org_demo_acme', 'X-Auth-Org-Id shown');
        await expectTopBar(page, 'active', 'user_demo_pat');
      },
    ],
    [
      'click Sign out → "signed-out"; fetch("/dashboard") → 401 unauthenticated again',
      async (page, problems) => {
        await clickNav(page, 'Sign out');
        await arrivedAt(page, base, '/');
        await expectTopBar(page, 'signed-out', undefined);
        problems.expect401();
        const r = await pageFetch(page, '/dashboard');
        expectEqual(`${r.status} ${r.json?.error}`, '401 unauthenticated', 'fetch');
      },
    ],
  ]);
  await pat.close();

  // The top bar's session links are written with control components the gateway resolves.
  const sam = await newContext();
  await flow('Control components: the top bar for signed out, pending and active', sam, [
    [
      'signed out, on /: "Sign in" only, no component markup in the page',
      async (page) => {
        await page.goto('/');
        await expectSessionLinks(page, ['Sign in']);
      },
    ],
    [
      'sign in as Pat (pending), then on /: "Finish setting up" and "Sign out", no "Sign in"',
      async (page) => {
        await page.goto('/dashboard');
        await arrivedAt(page, base, '/sign-in');
        await page.getByRole('button', { name: 'Sign in as Pat (pending)' }).click();
        await arrivedAt(page, base, '/sign-in/tasks');
        await page.goto('/');
        // / is public: the origin was told "signed out", and the components still see the pending session.
        expectEqual(await shownHeader(page, 'x-auth-session-status'), 'signed-out', 'X-Auth-Session-Status shown');
        await expectSessionLinks(page, ['Finish setting up', 'Sign out']);
        await screenshot(page, 'components-pending');
      },
    ],
    [
      'click "Finish setting up", choose Acme Corp (admin) → on /: "Admin" and "Sign out"',
      async (page) => {
        await clickNav(page, 'Finish setting up');
        await arrivedAt(page, base, '/sign-in/tasks');
        await page.getByRole('button', { name: 'Choose Acme Corp' }).click();
        await arrivedAt(page, base, '/');
        await expectSessionLinks(page, ['Admin', 'Sign out']);
        await screenshot(page, 'components-active-admin');
      },
    ],
  ]);
  await sam.close();
}

/** The top bar's session links (after the page links) are exactly `wanted`, and no `<clerk-…>` reached the browser. */
async function expectSessionLinks(page, wanted) {
  const session = (await navLinks(page)).filter((name) => !['Home', 'Dashboard', 'Forum', 'Account status'].includes(name));
  expectEqual(session.join(' | '), wanted.join(' | '), 'session links in the top bar');
  const html = await page.content();
  expect(!/<\/?clerk-/i.test(html), 'a <clerk-…> element reached the browser');
}

// ---------------------------------------------------------------------------------------------
// `npm run demo -- --origin <url>`: the demo sign-in in front of an app the demo has never seen

/** Waits for the browser to arrive at `pathname` on `origin` (the gateway, or the sign-in server). */
async function arrivedOn(page, origin, pathname) {
  await page.waitForURL((url) => url.origin === origin && url.pathname === pathname, { timeout: NAVIGATION_TIMEOUT_MS });
  return new URL(page.url());
}

/** The tiny app's page: its heading, a header it received, and its verifier's verdict. */
const appHeader = (page, name) => text(page.locator(`td[data-header="${name}"]`));
const appAssertion = (page) => text(page.locator('[data-assertion]'));

async function walkYourApp(browser, base, signIn) {
  const signInOrigin = new URL(signIn).origin;
  const dashboard = `${base}/dashboard`;
  const newContext = () => browserContext(browser, base);

  const ada = await newContext();
  await flow(`demo --origin: your app → sign in on ${signInOrigin} (active) → back → sign out`, ada, [
    [
      'open / (public) → the app, signed-out; its verifier accepts the assertion (sts=signed-out)',
      async (page) => {
        await page.goto('/');
        expect((await text(page.locator('h1'))).startsWith('Tiny app'), 'not the app');
        expectEqual(await appHeader(page, 'x-auth-session-status'), 'signed-out', 'X-Auth-Session-Status');
        expectEqual(await appHeader(page, 'x-auth-user-id'), 'not sent', 'X-Auth-User-Id');
        expectEqual(await appAssertion(page), 'verified: sts=signed-out', 'assertion');
      },
    ],
    [
      `click Dashboard (protected by routes.config.ts) → the demo sign-in on ${signInOrigin}, redirect_url = /dashboard`,
      async (page) => {
        await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
        const url = await arrivedOn(page, signInOrigin, '/sign-in');
        expectEqual(url.searchParams.get('redirect_url'), dashboard, 'redirect_url');
        expectEqual(await text(page.locator('h1')), 'Sign in (demo)', 'heading');
        await screenshot(page, 'your-app-sign-in');
      },
    ],
    [
      'click "Sign in as Ada (active)" → the app\'s /dashboard, with identity and org headers and a verified assertion',
      async (page) => {
        await page.getByRole('button', { name: 'Sign in as Ada (active)' }).click();
        await arrivedOn(page, base, '/dashboard');
        const want = { 'x-auth-session-status': 'active', 'x-auth-user-id': 'user_demo_ada', 'x-auth-org-slug': 'acme', 'x-auth-org-role': 'org:admin' };
        for (const [name, value] of Object.entries(want)) expectEqual(await appHeader(page, name), value, name);
        expectEqual(await appAssertion(page), 'verified: sts=active sub=user_demo_ada org=acme', 'assertion');
        await screenshot(page, 'your-app-dashboard-active');
      },
    ],
    [
      'click the app\'s "Sign out" (POST to the gateway\'s sign-out) → /, signed-out, cookies gone; Dashboard → sign-in again',
      async (page) => {
        await page.getByRole('button', { name: 'Sign out' }).click();
        await arrivedOn(page, base, '/');
        expectEqual(await appHeader(page, 'x-auth-session-status'), 'signed-out', 'X-Auth-Session-Status');
        const left = (await ada.cookies()).filter((c) => c.name === '__session' || c.name === '__client_uat');
        expect(left.length === 0, `cookies left: ${left.map((c) => c.name).join(', ')}`);
        await page.goto('/dashboard');
        await arrivedOn(page, signInOrigin, '/sign-in');
      },
    ],
  ]);
  await ada.close();

  const pat = await newContext();
  await flow('demo --origin: pending → the task page → choose an organization → your app, active → sign out', pat, [
    [
      'open /dashboard → sign-in → click "Sign in as Pat (pending)" → the task page on the sign-in server',
      async (page) => {
        await page.goto('/dashboard');
        await arrivedOn(page, signInOrigin, '/sign-in');
        await page.getByRole('button', { name: 'Sign in as Pat (pending)' }).click();
        const url = await arrivedOn(page, signInOrigin, '/sign-in/tasks');
        expectEqual(url.searchParams.get('redirect_url'), dashboard, 'redirect_url');
        expect((await text(page.locator('[data-task-session]'))).startsWith('Your session is pending'), 'the task page does not see the pending session');
      },
    ],
    [
      'open /dashboard while pending → the gateway sends the browser back to the task page',
      async (page) => {
        await page.goto('/dashboard');
        const url = await arrivedOn(page, signInOrigin, '/sign-in/tasks');
        expectEqual(url.searchParams.get('redirect_url'), dashboard, 'redirect_url');
      },
    ],
    [
      'open /account/status while pending (treatPendingAsSignedOut: false) → the app sees "pending", assertion sts=pending',
      async (page) => {
        await page.goto('/account/status');
        await arrivedOn(page, base, '/account/status');
        expectEqual(await appHeader(page, 'x-auth-session-status'), 'pending', 'X-Auth-Session-Status');
        expectEqual(await appHeader(page, 'x-auth-user-id'), 'user_demo_pat', 'X-Auth-User-Id');
        expectEqual(await appAssertion(page), 'verified: sts=pending sub=user_demo_pat', 'assertion');
      },
    ],
    [
      'finish the task: open /dashboard → task page → "Choose Acme Corp" → the app\'s /dashboard, active in acme',
      async (page) => {
        await page.goto('/dashboard');
        await arrivedOn(page, signInOrigin, '/sign-in/tasks');
        await page.getByRole('button', { name: 'Choose Acme Corp' }).click();
        await arrivedOn(page, base, '/dashboard');
        const want = { 'x-auth-session-status': 'active', 'x-auth-user-id': 'user_demo_pat', 'x-auth-org-id': 'org_demo_acme', 'x-auth-org-permissions': 'org:dashboard:read,org:dashboard:manage' };
        for (const [name, value] of Object.entries(want)) expectEqual(await appHeader(page, name), value, name);
        expectEqual(await appAssertion(page), 'verified: sts=active sub=user_demo_pat org=acme', 'assertion');
        await screenshot(page, 'your-app-dashboard-after-task');
      },
    ],
    [
      'click "Sign out" → signed-out; fetch("/dashboard") → 401 unauthenticated',
      async (page, problems) => {
        await page.getByRole('button', { name: 'Sign out' }).click();
        await arrivedOn(page, base, '/');
        expectEqual(await appHeader(page, 'x-auth-session-status'), 'signed-out', 'X-Auth-Session-Status');
        problems.expect401();
        const r = await pageFetch(page, '/dashboard');
        expectEqual(`${r.status} ${r.json?.error}`, '401 unauthenticated', 'fetch');
      },
    ],
  ]);
  await pat.close();

  const sam = await newContext();
  await flow('demo --origin: "Someone else" with the role your rules ask for → your app sees it, the rule decides', sam, [
    [
      'sign in as user_sam, member of globex with org:billing:read → the app\'s /dashboard with those headers',
      async (page) => {
        await page.goto('/dashboard');
        await arrivedOn(page, signInOrigin, '/sign-in');
        await page.getByLabel('User id').fill('user_sam');
        await page.getByLabel('Organization slug').fill('globex');
        await page.getByLabel('Role').fill('org:member');
        await page.getByLabel('Permissions').fill('org:billing:read');
        await page.getByRole('button', { name: 'Sign in as this user' }).click();
        await arrivedOn(page, base, '/dashboard');
        const want = { 'x-auth-user-id': 'user_sam', 'x-auth-org-slug': 'globex', 'x-auth-org-role': 'org:member', 'x-auth-org-permissions': 'org:billing:read' };
        for (const [name, value] of Object.entries(want)) expectEqual(await appHeader(page, name), value, name);
      },
    ],
    [
      'open /orgs/globex/settings (routes.config.ts: org:admin only) → 403 from the gateway, the app never asked',
      async (page, problems) => {
        problems.expect403();
        const res = await page.goto('/orgs/globex/settings');
        expectEqual(res?.status(), 403, 'status');
        expect((await page.locator('h1').count()) === 0 || !(await text(page.locator('h1'))).startsWith('Tiny app'), 'the app answered');
      },
    ],
  ]);
  await sam.close();
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  const chromiumFound = chromiumOrReason();
  if (!chromiumFound.executablePath) return skip(chromiumFound.reason);
  let playwright;
  try {
    playwright = await import('playwright-core');
  } catch (error) {
    return skip(`playwright-core is not installed (${firstLine(error)}): run \`npm install\``);
  }
  const t0 = Date.now(); // install excluded from the timings below
  shotDir = mkdtempSync(path.join(os.tmpdir(), 'edge-auth-gateway-e2e-'));

  /** @type {import('./demo.mjs').Demo | undefined} */
  let demo;
  /** @type {Awaited<ReturnType<typeof startEchoApp>> | undefined} */
  let app;
  /** wrangler's pids (= process group ids), of the demo and of `demo --origin` */
  const wranglerPids = [];
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  let chromiumPid;
  let cleaning;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await Promise.race([browser?.close().catch(() => {}), new Promise((r) => setTimeout(r, 10_000).unref())]);
      await demo?.stop();
      await app?.close();
    })());
  let firstSignal = 0;
  const forceExit = (code) => {
    demo?.kill();
    if (chromiumPid) sigkill(-chromiumPid);
    finish({ passed, failed }, code);
  };
  const abort = (code, why) => {
    if (aborting) {
      // A second Ctrl-C, pressed later (a terminal's often arrives twice at once, through npm): no more waiting.
      if (Date.now() - firstSignal > 1000) forceExit(code);
      return;
    }
    aborting = true;
    firstSignal = Date.now();
    console.log(`\n${color(31, '[e2e]')} ${why}: stopping`);
    failed++;
    const force = setTimeout(() => forceExit(code), 15_000);
    void cleanUp().finally(() => {
      clearTimeout(force);
      finish({ passed, failed }, code);
    });
  };
  process.on('SIGINT', () => abort(130, 'interrupted'));
  process.on('SIGTERM', () => abort(143, 'terminated'));
  process.on('SIGHUP', () => abort(129, 'hung up'));
  setTimeout(() => abort(1, `still running after ${DEADLINE_MS / 1000} s`), DEADLINE_MS).unref();

  const gatewayPort = process.env.GATEWAY_PORT ? Number(process.env.GATEWAY_PORT) : await freePort();
  const originPort = process.env.DEMO_ORIGIN_PORT ? Number(process.env.DEMO_ORIGIN_PORT) : await freePort();
  say(`starting the demo (gateway on :${gatewayPort}, origin on :${originPort})…`);
  try {
    demo = await startDemo({ gatewayPort, originPort, logLevel: process.env.E2E_LOG_LEVEL ?? 'warn' });
  } catch (error) {
    console.log(`${color(31, '✗')} the demo did not start: ${firstLine(error)}`);
    finish({ passed: 0, failed: 1 });
  }
  say(`gateway ready in ${seconds(demo.readyMs)}; launching ${chromiumFound.executablePath} (headless)`);
  const watchExit = (running) =>
    void running.exited.then((code) => {
      if (!cleaning && demo === running) abort(1, `wrangler exited (code ${code}) during the walk`);
    });
  watchExit(demo);
  wranglerPids.push(demo.wranglerPid);

  const before = new Set(processTable().map(([pid]) => pid));
  try {
    browser = await playwright.chromium.launch({
      executablePath: chromiumFound.executablePath,
      headless: true,
      timeout: 30_000,
      // This script stops Chromium itself, after the step in flight (see abort above).
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (error) {
    console.log(`${color(31, '✗')} ${chromiumFound.executablePath} did not start:\n${tail(String(error?.message ?? error), 8)}`);
    await cleanUp();
    finish({ passed: 0, failed: 1 });
  }
  // playwright-core starts Chromium as a child of this process, in a process group of its own.
  chromiumPid = processTable().find(([pid, ppid, , name]) => ppid === process.pid && !before.has(pid) && /chrom/i.test(name))?.[0];

  const walkStarted = Date.now();
  await walk(browser, demo.gatewayUrl).catch((error) => {
    if (!aborting) throw error;
  });
  const walkMs = Date.now() - walkStarted;
  if (aborting) return; // abort() stops everything and prints the closing line

  // The same sign-in in front of an app the demo has never seen: `npm run demo -- --origin <app>`.
  const first = demo;
  const firstReadyMs = demo.readyMs;
  demo = undefined;
  await first.stop();
  let originReadyMs;
  const appWalkStarted = Date.now();
  try {
    app = await startEchoApp({ gateway: `http://localhost:${gatewayPort}` });
    say(`demo --origin ${app.url} (a tiny node:http app): starting the gateway again…`);
    // The demo's routes, not the project's routes.config.ts: the walk must not depend on the user's config.
    demo = await startDemoWhenPortsFree({ gatewayPort, originPort, logLevel: process.env.E2E_LOG_LEVEL ?? 'warn', appOrigin: app.url, projectRoutes: false });
    originReadyMs = demo.readyMs;
    watchExit(demo);
    wranglerPids.push(demo.wranglerPid);
    await walkYourApp(browser, demo.gatewayUrl, demo.signInUrl);
  } catch (error) {
    if (aborting) return;
    failed++;
    console.log(`${color(31, '✗')} demo --origin: ${firstLine(error)}`);
  }
  const appWalkMs = Date.now() - appWalkStarted;
  if (aborting) return;

  await cleanUp();
  // Nothing of ours may outlive the run: wrangler's group (wrangler, workerd), Chromium's group,
  // and Chromium's crash handlers (which leave its group).
  const groups = [...wranglerPids, chromiumPid].filter((pid) => pid !== undefined);
  const ours = () => processTable().filter(([pid, , pgrp, name]) => groups.includes(pgrp) || (!before.has(pid) && /crashpad/i.test(name)));
  await waitFor(() => ours().length === 0, 3000);
  const left = ours();
  if (left.length) {
    failed++;
    console.log(`  ${color(31, '✗')} processes left running: ${left.map(([pid, , , name]) => `${name} (${pid})`).join(', ')}; killing them`);
    for (const pgid of groups) sigkill(-pgid);
    for (const [pid] of left) sigkill(pid);
  } else {
    passed++;
    console.log(`\n  ${color(32, '✓')} shut down: no wrangler, workerd or Chromium process left${chromiumPid ? '' : ' (Chromium pid unknown: checked wrangler only)'}`);
  }

  console.log(`\nScreenshots (${VIEWPORT.width}×${VIEWPORT.height}): ${shotDir}`);
  console.log(
    `Took ${seconds(Date.now() - t0)}: gateway ready in ${seconds(firstReadyMs)}, browser walk ${seconds(walkMs)}; ` +
      `demo --origin: gateway ready in ${originReadyMs === undefined ? '-' : seconds(originReadyMs)}, start and walk ${seconds(appWalkMs)}.` +
      (notRun ? ` ${notRun} step(s) not run after a failure.` : ''),
  );
  finish({ passed, failed });
}

/**
 * startDemo, retried while the ports the previous demo held are still being released (workerd
 * can keep its socket a moment after wrangler exits), for up to 10 s.
 */
async function startDemoWhenPortsFree(options) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await startDemo(options);
    } catch (error) {
      if (!/is not free/.test(error.message) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** SIGKILL to a pid, or to a whole process group as -pgid. */
function sigkill(target) {
  try {
    process.kill(target, 'SIGKILL');
  } catch {
    // gone
  }
}

async function waitFor(predicate, ms) {
  const deadline = Date.now() + ms;
  while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

main().catch((error) => {
  if (aborting) return;
  console.log(`${color(31, '[e2e]')} ${error?.stack ?? error}`);
  failed++;
  // The demo's own exit hook kills wrangler's group; Chromium dies with its pipe to this process.
  finish({ passed, failed });
});
