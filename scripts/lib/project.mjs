// What `npm run check:routes` and `npm run routes` read of a project: wrangler.toml (through
// wrangler's own reader), .dev.vars, the settings they make with placeholders for what is absent,
// and the gateway's code (src/ and routes.config.ts), bundled with esbuild and imported.
// The project is the current directory (npm runs scripts in the package's root).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** This repository: its src/ and node_modules serve any project directory. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The host part of a placeholder publishable key, and the URLs that stand in for absent settings. */
const PLACEHOLDER_FRONTEND_API = 'clerk.placeholder.invalid';
const PLACEHOLDER_ORIGIN_URL = 'https://origin.placeholder.invalid';

/**
 * .dev.vars in dotenv's format (wrangler reads it with dotenv): `KEY=value`, `export KEY=value`,
 * values in '', "" (with \n and \r escapes) or `` quotes, which may span lines; `#` comments.
 */
export function parseDotenv(text) {
  const out = {};
  const line = /^\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?$/gm;
  const source = text.replace(/\r\n?/g, '\n');
  let match;
  while ((match = line.exec(source)) !== null) {
    let value = (match[2] ?? '').trim();
    const quote = value[0];
    value = value.replace(/^(['"`])([\s\S]*)\1$/m, '$2');
    if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
    out[match[1]] = value;
  }
  return out;
}

/** A [vars] value as the Worker gets it: strings as they are, JSON values as JSON. */
function varString(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * wrangler.toml's [vars] when they are plain `KEY = "value"` lines (strings, numbers, booleans),
 * read without loading wrangler (about 1.5 s of CPU to import); undefined for anything else
 * (multi-line strings, inline tables, dotted keys, a `vars` key elsewhere), which wrangler's own
 * reader then reads.
 */
export function plainTomlVars(text) {
  const vars = {};
  let table = '';
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$/.exec(line);
    if (header) {
      table = header[1];
      continue;
    }
    if (line.startsWith('[')) {
      table = '[[…]]'; // an array of tables: not [vars]
      continue;
    }
    if (table === '' && /^("?)vars\1\s*[.=]/.test(line)) return undefined;
    if (table !== 'vars') continue;
    const entry = /^([A-Za-z0-9_-]+)\s*=\s*(.+?)\s*(?:#[^"']*)?$/.exec(line);
    if (!entry) return undefined;
    const [, key, value] = entry;
    if (/^"(?:[^"\\]|\\["\\bfnrt/]|\\u[0-9A-Fa-f]{4})*"$/.test(value)) vars[key] = JSON.parse(value);
    else if (/^'[^']*'$/.test(value)) vars[key] = value.slice(1, -1);
    else if (/^(?:true|false|[+-]?\d+(?:\.\d+)?)$/.test(value)) vars[key] = value;
    else return undefined;
  }
  return vars;
}

/**
 * wrangler.toml through `unstable_readConfig` (wrangler's reader: the same file `wrangler deploy`
 * reads), and .dev.vars (or, without it, .env, as `wrangler dev` falls back). Throws when
 * wrangler.toml cannot be read. With `varsOnly`, services, routes and workers_dev may be left out.
 */
export async function readProject(dir, { varsOnly = false } = {}) {
  const tomlPath = join(dir, 'wrangler.toml');
  const project = { dir, tomlVars: {}, devVars: undefined, devVarsFile: undefined, services: [], routes: [], workersDev: undefined };
  // `varsOnly` (npm run routes): only [vars] is needed, so a plain one is read without wrangler.
  const plain = varsOnly && existsSync(tomlPath) ? plainTomlVars(readFileSync(tomlPath, 'utf8')) : undefined;
  if (plain) project.tomlVars = plain;
  else if (existsSync(tomlPath)) {
    const { unstable_readConfig } = await import('wrangler');
    const config = unstable_readConfig({ config: tomlPath }, { hideWarnings: true });
    for (const [key, value] of Object.entries(config.vars ?? {})) project.tomlVars[key] = varString(value);
    project.services = (config.services ?? []).map((s) => s.binding);
    project.routes = [...(config.routes ?? []), ...(config.route ? [config.route] : [])].map((r) => (typeof r === 'string' ? r : r.pattern));
    project.workersDev = config.workers_dev;
  }
  for (const name of ['.dev.vars', '.env']) {
    const file = join(dir, name);
    if (existsSync(file)) {
      project.devVars = parseDotenv(readFileSync(file, 'utf8'));
      project.devVarsFile = name;
      break;
    }
  }
  return project;
}

/**
 * The Worker's variables as the project sets them (wrangler.toml [vars], then .dev.vars over them),
 * with placeholders for the required ones it does not set: CLERK_SECRET_KEY is normally a
 * `wrangler secret`, and a deploy may set the others outside these files. `assumed` names them.
 */
export function settingsEnv(project, { mode = 'check', secrets } = {}) {
  // check: [vars], .dev.vars over them, placeholders for what is missing. dev: what `wrangler dev`
  // gives the Worker ([vars], .dev.vars), nothing assumed. deploy: what `wrangler deploy` gives it
  // ([vars] and the account's secrets, never .dev.vars); `secrets` names the secrets the account
  // has, or is undefined when they could not be listed (then CLERK_SECRET_KEY is assumed set).
  const env = { ...project.tomlVars, ...(mode === 'deploy' ? {} : (project.devVars ?? {})) };
  if (mode === 'dev') {
    const devSources = [
      `wrangler.toml [vars]${Object.keys(project.tomlVars).length > 0 ? ` (${Object.keys(project.tomlVars).join(', ')})` : ': none'}`,
      project.devVarsFile ? `${project.devVarsFile} (${Object.keys(project.devVars).join(', ') || 'empty'})` : 'no .dev.vars',
    ];
    return { env, assumed: [], sources: devSources };
  }
  if (mode === 'deploy') {
    const secretNames = secrets ?? ['CLERK_SECRET_KEY'];
    const sources = [
      `wrangler.toml [vars]${Object.keys(project.tomlVars).length > 0 ? ` (${Object.keys(project.tomlVars).join(', ')})` : ': none'}`,
      secrets ? `the Worker's secrets (${secrets.join(', ') || 'none'})` : 'the Worker\'s secrets: could not be listed',
    ];
    const assumed = [];
    // A secret's value cannot be read back: a placeholder of the right shape stands in for each
    // setting the gateway needs; other secrets are left out (not checked).
    const placeholders = {
      ORIGIN_URL: PLACEHOLDER_ORIGIN_URL,
      CLERK_PUBLISHABLE_KEY: `pk_live_${Buffer.from(`${PLACEHOLDER_FRONTEND_API}$`).toString('base64')}`,
    };
    for (const name of secretNames) {
      if (name in env) continue;
      if (name === 'CLERK_SECRET_KEY') {
        const pk = typeof env.CLERK_PUBLISHABLE_KEY === 'string' ? env.CLERK_PUBLISHABLE_KEY.trim() : '';
        env.CLERK_SECRET_KEY = pk.startsWith('pk_test_') ? 'sk_test_placeholder' : 'sk_live_placeholder';
      } else if (name in placeholders) env[name] = placeholders[name];
      else continue;
      assumed.push(`${name} (a secret${secrets ? '' : ', assumed set'}: value not checked)`);
    }
    return { env, assumed, sources };
  }
  const set = (name) => typeof env[name] === 'string' && env[name].trim() !== '';
  const assumed = [];
  if (!set('ORIGIN_URL')) {
    env.ORIGIN_URL = PLACEHOLDER_ORIGIN_URL;
    assumed.push(`ORIGIN_URL (placeholder ${PLACEHOLDER_ORIGIN_URL})`);
  }
  if (!set('CLERK_PUBLISHABLE_KEY')) {
    const live = set('CLERK_SECRET_KEY') && env.CLERK_SECRET_KEY.trim().startsWith('sk_live_');
    env.CLERK_PUBLISHABLE_KEY = `pk_${live ? 'live' : 'test'}_${Buffer.from(`${PLACEHOLDER_FRONTEND_API}$`).toString('base64')}`;
    assumed.push(`CLERK_PUBLISHABLE_KEY (placeholder instance ${PLACEHOLDER_FRONTEND_API}${set('CLERK_SIGN_IN_URL') ? '' : ', so the sign-in URL is a placeholder too'})`);
  }
  if (!set('CLERK_SECRET_KEY')) {
    env.CLERK_SECRET_KEY = env.CLERK_PUBLISHABLE_KEY.trim().startsWith('pk_live_') ? 'sk_live_placeholder' : 'sk_test_placeholder';
    assumed.push('CLERK_SECRET_KEY (a `wrangler secret`: assumed set)');
  }
  const sources = [
    `wrangler.toml [vars]${Object.keys(project.tomlVars).length > 0 ? ` (${Object.keys(project.tomlVars).join(', ')})` : ': none'}`,
    project.devVarsFile ? `${project.devVarsFile} (${Object.keys(project.devVars).join(', ') || 'empty'})` : 'no .dev.vars',
  ];
  return { env, assumed, sources };
}

/**
 * Bundles the gateway's modules named in `exports` (path under src/ → names) with the project's
 * routes.config.ts, imported lazily as `loadRoutes()` so an invalid config (defineConfig throws
 * a ConfigError) is a rejected promise, not a failed import. Returns the module.
 */
export async function loadGateway(dir, exports) {
  const q = (path) => JSON.stringify(path);
  const contents = [
    ...Object.entries(exports).map(([file, names]) => `export { ${names.join(', ')} } from ${q(join(ROOT, 'src', file))};`),
    `export const loadRoutes = () => import(${q(resolve(dir, 'routes.config.ts'))});`,
  ].join('\n');
  // The bundle is kept (node_modules/.cache) with the size and mtime of every file it was built
  // from (esbuild's metafile: src/, routes.config.ts and what it imports, the packages): while none
  // has changed, the next call imports it without running esbuild (most of `npm run routes`' time).
  const cacheDir = join(ROOT, 'node_modules', '.cache', 'edge-auth-gateway');
  const key = createHash('sha256').update(contents).digest('hex').slice(0, 16);
  const bundleFile = join(cacheDir, `gateway-${key}.mjs`);
  const manifestFile = join(cacheDir, `gateway-${key}.json`);
  const stamp = (file) => {
    try {
      const st = statSync(file);
      return `${st.size}:${st.mtimeMs}`;
    } catch {
      return 'missing';
    }
  };
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    if (Object.entries(manifest.inputs).every(([file, seen]) => stamp(file) === seen) && existsSync(bundleFile)) {
      return await import(`${pathToFileURL(bundleFile).href}?${encodeURIComponent(manifest.built)}`);
    }
  } catch {
    // no cache yet, or unreadable: build
  }
  const { build } = await import('esbuild');
  const out = await build({
    stdin: { contents, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    // A project directory outside this repository still finds the packages.
    nodePaths: [join(ROOT, 'node_modules')],
    // For the CommonJS inside some packages.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    write: false,
    metafile: true,
    absWorkingDir: ROOT,
    logLevel: 'error',
  });
  const inputs = {};
  for (const input of Object.keys(out.metafile.inputs)) {
    if (input === '<stdin>' || input.includes(':')) continue; // the entry above; esbuild's namespaced inputs
    const file = resolve(ROOT, input);
    inputs[file] = stamp(file);
  }
  mkdirSync(cacheDir, { recursive: true });
  // Written under a temporary name and renamed: a concurrent call never imports half a file.
  const built = String(Date.now());
  const tmp = `${bundleFile}.${process.pid}.tmp`;
  writeFileSync(tmp, out.outputFiles[0].text);
  renameSync(tmp, bundleFile);
  writeFileSync(`${manifestFile}.${process.pid}.tmp`, JSON.stringify({ built, inputs }));
  renameSync(`${manifestFile}.${process.pid}.tmp`, manifestFile);
  return await import(`${pathToFileURL(bundleFile).href}?${built}`);
}

/**
 * The compiled routes, or what is wrong: the ConfigError's message (or any other throw) as
 * `error`, and its problems one by one as `problems` (one, the message, for other throws).
 */
export async function loadRoutes(gateway) {
  try {
    const { default: config } = await gateway.loadRoutes();
    return { config };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const problems = Array.isArray(error?.problems) && error.problems.length > 0 ? error.problems.map((p) => `routes.config.ts: ${p}`) : [message];
    return { error: message, problems };
  }
}
