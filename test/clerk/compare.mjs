// How the differential judges one case: the gateway's outcome against clerkMiddleware's, on the
// redirect Location, the Set-Cookies and who is forwarded (with which identity).

/** A URL with its query parameters sorted, for comparing redirects. */
function normalLocation(location, base) {
  if (!location) return undefined;
  const url = new URL(location, base);
  url.searchParams.sort();
  return url.toString();
}

/** `name=value` of each Set-Cookie, sorted (attributes are compared separately). */
const cookiePairs = (setCookies) => setCookies.map((c) => c.split(';')[0].trim()).sort();

/**
 * `weaker`: the gateway forwards what clerkMiddleware refuses, or vouches for an identity (user,
 * organization) the app would not see behind clerkMiddleware: the one verdict that fails the run.
 * `same`: same outcome, Location, Set-Cookies and identity. `stricter`: clerkMiddleware forwards,
 * the gateway refuses or redirects (or forwards less identity). `differs`: otherwise different.
 * Returns the verdict and what differs.
 */
export function judge(gateway, clerk, base) {
  const diffs = [];
  if (gateway.kind !== clerk.kind) diffs.push(`outcome: gateway ${describe(gateway)}, clerk ${describe(clerk)}`);
  else if (gateway.kind === 'refuse' && gateway.status !== clerk.status) diffs.push(`status: gateway ${gateway.status}, clerk ${clerk.status}`);
  else if (gateway.kind === 'redirect') {
    const [g, c] = [normalLocation(gateway.location, base), normalLocation(clerk.location, base)];
    if (g !== c) diffs.push(`location: gateway ${g}, clerk ${c}`);
    if (gateway.status !== clerk.status) diffs.push(`redirect status: gateway ${gateway.status}, clerk ${clerk.status}`);
  }
  const [gc, cc] = [cookiePairs(gateway.setCookies), cookiePairs(clerk.setCookies)];
  if (gc.join('\n') !== cc.join('\n')) diffs.push(`set-cookie: gateway [${gc.map(cookieName).join(', ')}], clerk [${cc.map(cookieName).join(', ')}]`);
  const bothForward = gateway.kind === 'forward' && clerk.kind === 'forward';
  let vouchesMore = false;
  if (bothForward) {
    for (const field of ['userId', 'orgId']) {
      const [g, c] = [gateway.identity[field], clerk.identity[field]];
      if (g === c) continue;
      diffs.push(`${field}: gateway ${g}, clerk ${c}`);
      if (g !== null) vouchesMore = true;
    }
  }
  if ((gateway.kind === 'forward' && clerk.kind !== 'forward') || vouchesMore) return { verdict: 'weaker', diffs };
  if (diffs.length === 0) return { verdict: 'same', diffs };
  if (clerk.kind === 'forward' && (gateway.kind !== 'forward' || bothForward)) return { verdict: 'stricter', diffs };
  return { verdict: 'differs', diffs };
}

const cookieName = (pair) => pair.split('=')[0];

function describe(outcome) {
  if (outcome.kind === 'forward') return `forwards (user ${outcome.identity.userId})`;
  if (outcome.kind === 'redirect') return `redirects ${outcome.status} to ${new URL(outcome.location, 'https://x.invalid').origin}${new URL(outcome.location, 'https://x.invalid').pathname}`;
  return `refuses ${outcome.status}${outcome.code ? ` ${outcome.code}` : ''}`;
}
