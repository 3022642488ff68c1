// Route tables for the matching-cost benchmark: 10 rules and 2,000 rules ending in the same three,
// so the same requests meet the same rule (or none) in both, near the end of either table.
import type { GatewayConfig, RouteRule } from '../../src/config';

/** Where both tables end: the protected path the benchmark requests (`/dashboard`) is decided here. */
const TAIL: readonly RouteRule[] = [
  { match: '/forum(.*)', protect: true },
  { match: '/account/status(.*)', protect: { treatPendingAsSignedOut: false } },
  { match: '/dashboard(.*)', protect: true },
];

/**
 * Rule `i` of a large multi-tenant table: per-tenant areas, versioned API resources, parameters,
 * public docs, a RegExp now and then, methods and hosts on some.
 */
function generated(i: number): RouteRule {
  switch (i % 6) {
    case 0:
      return { match: `/tenant-${i}/(.*)`, protect: true, ...(i % 5 === 0 ? { hosts: [`t${i}.example.com`, '*.tenants.example.com'] } : {}) };
    case 1:
      return { match: `/api/v${(i % 3) + 1}/resource-${i}/:id`, protect: true, accept: ['session_token', 'api_key'], ...(i % 4 === 1 ? { methods: ['POST', 'DELETE'] } : {}) };
    case 2:
      return { match: `/docs-${i}(.*)`, protect: false };
    case 3:
      return { match: `/orgs/:org/project-${i}/(.*)`, protect: true };
    case 4:
      return i % 100 === 4 ? { match: new RegExp(`^\\/legacy-${i}(?:\\/.*)?$`, 'i'), protect: true } : { match: [`/shop-${i}`, `/shop-${i}/:item*`], protect: false };
    default:
      return { match: `/reports/${i}(.*)`, protect: true, methods: ['GET'] };
  }
}

/** A table of `count` rules: generated ones, then the shared tail. */
export function rulesTable(count: number): GatewayConfig {
  return { routes: [...Array.from({ length: count - TAIL.length }, (_, i) => generated(i)), ...TAIL] };
}
