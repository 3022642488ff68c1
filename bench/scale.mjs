#!/usr/bin/env node
// `node bench/scale.mjs`: what the gateway costs at scale, from what `npm run bench` measured.
//
// The bench measures one isolate; production spreads traffic over many, each with its own
// verified-token cache (4096 tokens) and its own life. This models N isolates × a request mix
// and prints the cache-hit ratio it gets, the CPU per request that follows from the measured
// cost of a hit and of a miss, and the Backend API calls per second (JWKS fetches), with and
// without a shared tier (the Cache API, one per location).
//
// The hit ratio is simulated, deterministically (seeded), with the real cache's rules: LRU of
// `--cache` tokens per isolate, emptied when the isolate ends. Users are concurrently active;
// each sends requests as a Poisson process and gets a new session token every `--token-refresh`
// seconds (Clerk's browser SDK renews a 60 s token shortly before it expires). An analytic value
// (no cache limit, no isolate restarts) is printed next to it as a check.
//
// No dependencies. Flags (defaults in brackets):
//   --users 100000         concurrently active users
//   --rpm 6                requests per user per minute
//   --isolates 50          isolates serving the site at once
//   --locations 10         locations (Cloudflare data centres) they are spread over
//   --spread uniform       uniform: any request to any isolate | location: a user sticks to one
//                          location, any isolate there | sticky: a user sticks to one isolate
//   --token-lifetime 60    session token lifetime, s
//   --token-refresh 50     a user's new token every this many seconds (≤ lifetime)
//   --isolate-lifetime 300 mean isolate lifetime, s (exponential)
//   --cache 4096           verified tokens kept per isolate
//   --credential bearer    bearer | cookie: which measured costs to use
//   --jwks                 JWKS mode (no CLERK_JWT_KEY): its measured costs, and JWKS fetches
//   --jwks-per-start N     JWKS fetches when an isolate starts [from results.json, else 2]
//   --clerk-jwks-ttl S     @clerk/backend's own JWKS copy, refetched every S s while it verifies
//                          first-seen tokens (300 in @clerk/backend 3; 0: it does not verify them)
//                          [0 when the bench saw one JWKS fetch at start (the gateway's), else 300]
//   --shared-ttl 300       how long a location keeps the JWKS in the Cache API (shared tier), s:
//                          SHARED_JWKS_TTL_MS (src/config/limits.ts), @clerk/backend's own JWKS TTL
//   --machine-share 0      share of requests with an opaque machine token (API key, OAuth, opaque
//                          M2M): each verification is a Backend API call
//   --machine-tokens 1000  distinct machine tokens
//   --machine-ttl 10       how long an isolate keeps a verdict, s (MACHINE_TOKEN_CACHE_MS); the shared
//                          tier keeps it as long, counted from Clerk's answer, so a location asks once per TTL
//   --shared-hit-us N      CPU of one shared-tier read that hits, µs [bench/shared-tier-results.json,
//                          written by node bench/shared-tier.mjs, if there]
//   --hit-us / --miss-us   CPU the gateway adds per request on a cache hit / miss, µs [results.json]
//   --baseline-us          CPU authenticateRequest + fetch adds per request, µs [results.json]
//   --passthrough-us       CPU of the pass-through Worker per request, µs [results.json]
//   --minutes 6 --warmup 1 --seed 1    simulated time (warm-up not counted) and PRNG seed
//   --results bench/results.json       where measured costs are read from
//   --json                 print the result as JSON
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEFAULTS = {
  users: 100_000,
  rpm: 6,
  isolates: 50,
  locations: 10,
  spread: 'uniform',
  'token-lifetime': 60,
  'token-refresh': 50,
  'isolate-lifetime': 300,
  cache: 4096,
  credential: 'bearer',
  jwks: false,
  'shared-ttl': 300,
  'machine-share': 0,
  'machine-tokens': 1000,
  'machine-ttl': 10,
  minutes: 6,
  warmup: 1,
  seed: 1,
  results: join(dirname(fileURLToPath(import.meta.url)), 'results.json'),
  json: false,
};

function parseArgs(argv) {
  const opts = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unknown argument ${argv[i]}`);
    const [, name, inline] = m;
    if (!(name in DEFAULTS) && !['hit-us', 'miss-us', 'baseline-us', 'passthrough-us', 'jwks-per-start', 'clerk-jwks-ttl', 'shared-hit-us', 'help'].includes(name)) throw new Error(`unknown flag --${name}`);
    if (typeof DEFAULTS[name] === 'boolean' || name === 'help') {
      opts[name] = inline === undefined ? true : inline !== 'false';
      continue;
    }
    const value = inline ?? argv[++i];
    opts[name] = typeof DEFAULTS[name] === 'string' ? value : Number(value);
    if (typeof opts[name] === 'number' && !Number.isFinite(opts[name])) throw new Error(`--${name} needs a number`);
  }
  if (!['uniform', 'location', 'sticky'].includes(opts.spread)) throw new Error('--spread is uniform, location or sticky');
  if (!['bearer', 'cookie'].includes(opts.credential)) throw new Error('--credential is bearer or cookie');
  if (opts['token-refresh'] > opts['token-lifetime']) throw new Error('--token-refresh must not exceed --token-lifetime');
  return opts;
}

/** Measured costs (CPU the gateway adds over the pass-through, µs) from bench/results.json, unless given. */
function costs(opts) {
  const results = existsSync(opts.results) ? JSON.parse(readFileSync(opts.results, 'utf8')) : undefined;
  const get = (id) => results?.summary?.find((s) => s.id === id);
  const steadyId = opts.jwks ? 'gateway-jwks-bearer' : opts.credential === 'cookie' ? 'gateway-cookie' : 'gateway-bearer';
  const firstId = `${steadyId}-first`;
  const pick = (flag, id, field = 'cpuAddedUs') => {
    if (opts[flag] !== undefined) return { value: opts[flag], from: `--${flag}` };
    const s = get(id);
    return s ? { value: s[field], from: `${id} in results.json` } : { value: Number.NaN, from: `missing: give --${flag} or run npm run bench` };
  };
  return {
    hit: pick('hit-us', steadyId),
    miss: pick('miss-us', firstId),
    baseline: pick('baseline-us', get('baseline-first') ? 'baseline-first' : 'baseline'),
    passthrough: pick('passthrough-us', 'passthrough', 'cpuUsPerRequest'),
    jwksPerStart:
      opts['jwks-per-start'] !== undefined
        ? { value: opts['jwks-per-start'], from: '--jwks-per-start' }
        : results?.jwksFetchesAtStart !== undefined
          ? { value: results.jwksFetchesAtStart, from: 'measured at the JWKS-mode gateway\'s first request (results.json)' }
          : { value: 2, from: 'default (the gateway\'s JwksGate and @clerk/backend\'s own copy)' },
    clerkJwksTtl:
      opts['clerk-jwks-ttl'] !== undefined
        ? { value: opts['clerk-jwks-ttl'], from: '--clerk-jwks-ttl' }
        : results?.jwksFetchesAtStart === 1
          ? { value: 0, from: 'one JWKS fetch at start: @clerk/backend keeps no copy of its own' }
          : { value: 300, from: '@clerk/backend 3 refetches its copy every 5 min' },
    date: results?.date,
    commit: results?.commit,
  };
}

// mulberry32: small, fast, good enough for a deterministic model.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Requests, hits and misses, isolate starts and JWKS fetches over the simulated time. */
function simulate(opts, clerkTtl) {
  const random = prng(opts.seed);
  const exp = (mean) => -Math.log(1 - random()) * mean;
  const { users, isolates, locations, cache } = opts;
  if (users > 2 ** 20) throw new Error('--users: at most 1048576');
  const perLocation = Math.max(1, Math.floor(isolates / locations));
  const rate = (users * opts.rpm) / 60; // requests per second, all users
  const refresh = opts['token-refresh'];
  const phase = new Float64Array(users).map(() => random() * refresh);
  const caches = Array.from({ length: isolates }, () => new Map());
  const endsAt = Float64Array.from({ length: isolates }, () => exp(opts['isolate-lifetime']));
  const clerkJwksAt = new Float64Array(isolates).fill(Number.NEGATIVE_INFINITY);
  const end = opts.minutes * 60;
  const warm = opts.warmup * 60;
  const counted = { requests: 0, hits: 0, misses: 0, starts: 0, clerkRefetches: 0 };
  let live = 0;
  let liveSamples = 0;
  for (let t = exp(1 / rate); t < end; t += exp(1 / rate)) {
    const u = Math.floor(random() * users);
    let i;
    if (opts.spread === 'sticky') i = u % isolates;
    else if (opts.spread === 'location') i = (u % locations) * perLocation + Math.floor(random() * perLocation);
    else i = Math.floor(random() * isolates);
    if (i >= isolates) i = Math.floor(random() * isolates);
    const count = t >= warm;
    if (t >= endsAt[i]) {
      // The isolate ended since its last request; a new one starts with empty caches.
      caches[i].clear();
      clerkJwksAt[i] = Number.NEGATIVE_INFINITY;
      endsAt[i] = t + exp(opts['isolate-lifetime']);
      if (count) counted.starts++;
    }
    // The user's current token; a small integer key (its number modulo 1024: the same key comes
    // back only after 1024 renewals, hours after the old token left every cache).
    const token = u * 1024 + (Math.floor((t + phase[u]) / refresh) & 1023);
    const entries = caches[i];
    if (count) counted.requests++;
    if (entries.has(token)) {
      entries.delete(token);
      entries.set(token, true);
      if (count) counted.hits++;
    } else {
      entries.set(token, true);
      if (entries.size > cache) entries.delete(entries.keys().next().value);
      if (count) counted.misses++;
      // @clerk/backend verifies the new token with its own JWKS copy, refetched after its TTL.
      if (clerkTtl > 0 && t - clerkJwksAt[i] >= clerkTtl) {
        if (count && clerkJwksAt[i] !== Number.NEGATIVE_INFINITY) counted.clerkRefetches++;
        clerkJwksAt[i] = t;
      }
    }
    if (count && (counted.requests & 0xfff) === 0) {
      live += entries.size;
      liveSamples++;
    }
  }
  return { ...counted, seconds: end - warm, rate, meanCacheEntries: liveSamples ? live / liveSamples : 0 };
}

/** Expected hit ratio with no cache limit and no isolate restarts. */
function analyticHitRatio(opts) {
  const perToken = (opts.rpm / 60) * opts['token-refresh']; // requests one token carries
  const k = opts.spread === 'sticky' ? 1 : opts.spread === 'location' ? Math.max(1, Math.floor(opts.isolates / opts.locations)) : opts.isolates;
  // Isolates one token reaches: each of k with probability 1 - e^(-n/k).
  const misses = k * (1 - Math.exp(-perToken / k));
  return 1 - misses / perToken;
}

/** Machine-token verifications (a Backend API call each) per second: per isolate vs per location. */
function machineCalls(opts, rate) {
  const share = opts['machine-share'];
  if (!(share > 0)) return undefined;
  const tokens = opts['machine-tokens'];
  const ttl = opts['machine-ttl'];
  const perTokenRate = (rate * share) / tokens;
  // A result kept `ttl` seconds, then the next request for that token where it was kept calls again.
  const calls = (places) => tokens * places * (1 / (ttl + places / perTokenRate));
  const places = opts.spread === 'sticky' ? 1 : opts.spread === 'location' ? Math.max(1, Math.floor(opts.isolates / opts.locations)) : opts.isolates;
  return { perIsolate: calls(places), shared: calls(opts.spread === 'uniform' ? opts.locations : 1) };
}

const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a');
const pct = (x) => `${fmt(100 * x, 1)} %`;

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
    return;
  }
  const c = costs(opts);
  const sim = simulate(opts, c.clerkJwksTtl.value);
  const hitRatio = sim.hits / sim.requests;
  const analytic = analyticHitRatio(opts);
  const added = hitRatio * c.hit.value + (1 - hitRatio) * c.miss.value;
  const rps = sim.requests / sim.seconds;
  const startsPerSecond = sim.starts / sim.seconds;
  // JWKS (JWKS mode only): every isolate start fetches it (the gate, and @clerk/backend its own
  // copy, refetched after its TTL); with the Cache API a location fetches it once per shared TTL
  // and its isolates read it from there.
  const jwksPerIsolate = opts.jwks ? startsPerSecond * c.jwksPerStart.value + sim.clerkRefetches / sim.seconds : 0;
  const jwksShared = opts.jwks ? opts.locations / opts['shared-ttl'] : 0;
  const machine = machineCalls(opts, rps);
  // A shared tier for session-token results would turn some misses into Cache API lookups: worth
  // it only if a lookup (plus the put after every real miss) costs less CPU than a verification.
  const breakEvenUs = c.miss.value - c.hit.value;

  const out = {
    inputs: Object.fromEntries(Object.entries(opts).filter(([k]) => !['json', 'help', 'results'].includes(k))),
    costs: c,
    requestsPerSecond: rps,
    perIsolatePerSecond: rps / opts.isolates,
    hitRatio,
    analyticHitRatio: analytic,
    meanCacheEntries: sim.meanCacheEntries,
    cpuAddedUsPerRequest: added,
    cpuAddedVsBaseline: added / c.baseline.value,
    workerdCpuUsPerRequest: c.passthrough.value + added,
    coresForAuth: (rps * added) / 1e6,
    coresForBaselineAuth: (rps * c.baseline.value) / 1e6,
    isolateStartsPerSecond: startsPerSecond,
    backendApiCallsPerSecond: { jwks: jwksPerIsolate, jwksWithSharedTier: jwksShared, machineTokens: machine?.perIsolate ?? 0, machineTokensWithSharedTier: machine?.shared ?? 0 },
    sharedSessionTierBreakEvenUs: breakEvenUs,
  };
  if (opts.json) {
    console.log(JSON.stringify(out, null, 2));
    return;
  }
  const perToken = (opts.rpm / 60) * opts['token-refresh'];
  console.log(
    `${fmt(opts.users, 0)} active users × ${opts.rpm} req/min = ${fmt(rps, 0)} req/s over ${opts.isolates} isolates in ${opts.locations} locations (${opts.spread}); ` +
      `${fmt(rps / opts.isolates, 0)} req/s per isolate; a token lives ${opts['token-lifetime']} s, a user gets a new one every ${opts['token-refresh']} s (${fmt(perToken, 1)} requests a token); ` +
      `isolates live ${opts['isolate-lifetime']} s on average; ${opts.jwks ? 'JWKS mode' : 'CLERK_JWT_KEY (PEM) mode'}, ${opts.credential}`,
  );
  console.log(`costs (µs of workerd CPU the gateway adds): hit ${fmt(c.hit.value)} [${c.hit.from}], miss ${fmt(c.miss.value)} [${c.miss.from}], baseline ${fmt(c.baseline.value)} [${c.baseline.from}]${c.date ? `; measured ${c.date}${c.commit ? ` at ${c.commit}` : ''}` : ''}`);
  console.log('');
  console.log(`verified-token cache hit ratio: ${pct(hitRatio)} (simulated, ${opts.minutes - opts.warmup} min after ${opts.warmup} min warm-up, seed ${opts.seed}; analytic without cache limit or restarts: ${pct(analytic)}); ${fmt(sim.meanCacheEntries, 0)} tokens in a cache on average (holds ${opts.cache})`);
  console.log(
    `CPU per request: +${fmt(added)} µs on top of the pass-through's ${fmt(c.passthrough.value, 0)} µs = ${fmt(c.passthrough.value + added, 0)} µs; ` +
      `${fmt(added / c.baseline.value, 2)} × what the baseline adds (${fmt(c.baseline.value, 0)} µs); ${fmt(out.coresForAuth, 2)} cores for auth across the fleet vs ${fmt(out.coresForBaselineAuth, 2)} for the baseline`,
  );
  console.log(
    `Backend API calls/s: JWKS ${opts.jwks ? `${fmt(jwksPerIsolate, 2)} (${fmt(startsPerSecond, 2)} isolate starts/s × ${c.jwksPerStart.value} [${c.jwksPerStart.from}]` + `${sim.clerkRefetches ? ` + ${fmt(sim.clerkRefetches / sim.seconds, 2)} @clerk/backend TTL refetches/s` : ''})` : '0 (PEM mode: the key is in CLERK_JWT_KEY)'}; session refreshes: 0 (the browser renews tokens with the Frontend API)` +
      (machine ? `; machine tokens ${fmt(machine.perIsolate, 1)}` : ''),
  );
  console.log(
    `with a shared tier (Cache API, per location): JWKS ${opts.jwks ? `${fmt(jwksShared, 4)}/s (${opts.locations} locations, once per ${opts['shared-ttl']} s; ${fmt(jwksPerIsolate / Math.max(jwksShared, 1e-9), 0)} × fewer)` : 'n/a'}` +
      (machine ? `; machine tokens ${fmt(machine.shared, 1)}/s (${fmt(machine.perIsolate / machine.shared, 1)} × fewer)` : '') +
      `; session tokens: not worth it unless a Cache API lookup + put costs < ${fmt(breakEvenUs, 0)} µs CPU (a miss minus a hit) and its latency is acceptable`,
  );
  const sharedPath = join(dirname(fileURLToPath(import.meta.url)), 'shared-tier-results.json');
  const sharedHitUs = opts['shared-hit-us'] ?? (existsSync(sharedPath) ? JSON.parse(readFileSync(sharedPath, 'utf8')).sharedTierCpuUs?.hit : undefined);
  const sharedFrom = opts['shared-hit-us'] !== undefined ? '--shared-hit-us' : 'bench/shared-tier-results.json';
  if (sharedHitUs !== undefined) {
    // Measured (bench/shared-tier.mjs): the session-token tier would pay a read on every first-seen
    // token and a put after every verification, to save (miss − hit) on the share that hits.
    const perLocation = analyticHitRatio({ ...opts, isolates: opts.locations, spread: 'uniform' });
    console.log(
      `measured shared-tier read (hit): ${fmt(sharedHitUs)} µs CPU [${sharedFrom}]; a session-token tier would hit about ${pct(perLocation)} of first-seen tokens (one cache per location) ` +
        `and save ${fmt(breakEvenUs, 0)} µs on those, while every first-seen token pays the read: ${perLocation * breakEvenUs > sharedHitUs ? 'it would pay' : 'it does not pay'}`,
    );
  }
}

try {
  main();
} catch (error) {
  console.error(`scale.mjs: ${error.message} (--help lists the flags)`);
  process.exit(2);
}
