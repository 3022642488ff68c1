// `npm run routes -- test [FILE]`: the user's own table of expected decisions (routes.expect.txt
// by default), checked with the gateway's own explain() against the project's routes.config.ts
// and settings. This file reads the table and compares; scripts/routes.mjs runs it.
//
// One expectation a line, `#` starts a comment:
//
//   [METHOD] URL [explain options]  =>  EXPECTED...
//
//   GET /pricing                               => forward
//   /admin --as signed-out                     => sign-in   api:401
//   /admin --as active --role org:member       => 403
//   /admin --as active --role org:admin        => forward
//   POST /reports/x --as pending               => task
//
// The left side is what `npm run routes -- explain` takes (without --as: every session state,
// and the expectation must hold for each). Each EXPECTED is for a page load, or for another kind
// of client with a prefix: `api:`, `form:`, `htmx:`, `page:`. It is one of:
//   forward   the request reaches the origin
//   sign-in   sent to sign in (a page: redirect; an API call: 401)
//   task      a pending session sent to its task (a page: redirect; an API call: 401 session_pending)
//   deny      refused by the gateway (any status)
//   401, 403, 307…          the status the client gets (a forward is the origin's: 200 stands for it)
//   ERR_FORBIDDEN, REDIRECT_SIGN_IN…   the decision's code (see docs: reason codes)

export const DEFAULT_EXPECT_FILE = 'routes.expect.txt';

const CLIENTS = new Set(['page', 'form', 'htmx', 'api']);
const WORDS = new Set(['forward', 'sign-in', 'task', 'deny']);

/** Splits a line on whitespace, keeping '…' and "…" together (a URL with spaces is unusual). */
function tokens(text) {
  const out = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  let m;
  while ((m = re.exec(text)) !== null) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/**
 * The expectations of a table, or throws an Error listing every malformed line (line numbers
 * from 1). Each: `{ line, text, request: string[] (explain's arguments), expected: { client, want }[] }`.
 */
export function parseExpectations(text) {
  const out = [];
  const problems = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') return;
    const at = line.indexOf('=>');
    if (at === -1) {
      problems.push(`line ${index + 1}: no "=>" between the request and what you expect: ${raw.trim()}`);
      return;
    }
    const request = tokens(line.slice(0, at));
    const expected = [];
    for (const token of tokens(line.slice(at + 2))) {
      const colon = token.indexOf(':');
      const [client, want] = colon > 0 && CLIENTS.has(token.slice(0, colon)) ? [token.slice(0, colon), token.slice(colon + 1)] : ['page', token];
      if (!WORDS.has(want) && !/^[1-5]\d\d$/.test(want) && !/^(ERR|REDIRECT)_[A-Z_]+$/.test(want)) {
        problems.push(`line ${index + 1}: ${JSON.stringify(token)} is not forward, sign-in, task, deny, a status or a code like ERR_FORBIDDEN (prefix api:, form:, htmx: for those clients)`);
        continue;
      }
      expected.push({ client, want });
    }
    if (request.length === 0) problems.push(`line ${index + 1}: no request before "=>"`);
    if (expected.length === 0 && problems.length === 0) problems.push(`line ${index + 1}: nothing expected after "=>"`);
    out.push({ line: index + 1, text: raw.trim(), request, expected });
  });
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return out;
}

/** Whether one outcome of explain() (`{ kind, status?, code? }`) is what `want` says. */
export function outcomeMatches(outcome, want) {
  switch (want) {
    case 'forward':
      return outcome.kind === 'forward';
    case 'deny':
      return outcome.kind === 'deny';
    case 'sign-in':
      return outcome.code === 'REDIRECT_SIGN_IN' || outcome.code === 'ERR_UNAUTHENTICATED';
    case 'task':
      return outcome.code === 'REDIRECT_SESSION_TASK' || outcome.code === 'ERR_SESSION_PENDING';
    default:
      if (/^\d+$/.test(want)) return outcome.kind === 'forward' ? want === '200' : outcome.status === Number(want);
      return outcome.code === want;
  }
}

/** An outcome as the report shows it. */
export function describeOutcome(outcome) {
  return outcome.kind === 'forward' ? 'forward' : `${outcome.kind} ${outcome.status} ${outcome.code}`;
}

/**
 * What differs between an explain() report and one expectation: one line per session state and
 * client that does not match, empty when all do.
 */
export function mismatches(report, expectation) {
  if (report.stop) {
    // Refused before any rule (a malformed path…): the same for every state and client.
    const { status, code, why } = report.stop;
    const ok = expectation.expected.every(({ want }) => want === 'deny' || want === code || want === String(status));
    return ok ? [] : [`refused before any rule: ${status ?? ''} ${code} (${why})`];
  }
  const out = [];
  for (const decision of report.decisions) {
    for (const { client, want } of expectation.expected) {
      const row = decision.rows.find((r) => r.client === client);
      if (!row) out.push(`${decision.state}: no ${client} decision`);
      else if (!outcomeMatches(row.outcome, want)) out.push(`${decision.state}, ${client}: expected ${want}, got ${describeOutcome(row.outcome)}`);
    }
  }
  return out;
}
