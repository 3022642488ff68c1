import type { HeaderReader } from './headers';

// Headers and the query parameter with which Rails, Laravel, Symfony, Express's method-override
// and others let a request name another method than the one it was sent with. Never passed on from
// a client (`RESERVED_HEADERS`): the gateway decides on the method these name, the origin sees none.
export const OVERRIDE_HEADERS = ['x-http-method-override', 'x-http-method', 'x-method-override'] as const;

/**
 * The methods an origin may read a request as, for rules with `methods`: the request's own, any
 * override it names, and for a `POST` every method (`'*'`), since a form's `_method` field in the
 * body turns it into a `DELETE` or `PUT` at the origin and the body is not read here. `HEAD` is
 * matched as itself; rules that list `GET` include it. (A CORS preflight is matched as the method it
 * asks about, and a method no rule for the path names as every method: see `planRoute`.)
 */
export function methodReadings(method: string, headers: HeaderReader, search: URLSearchParams): string[] {
  // fetch() upper-cases only the six standard methods; servers that compare without case read `patch` as PATCH.
  const upper = method.toUpperCase();
  if (upper === 'POST') return ['*'];
  const methods = [upper];
  for (const name of OVERRIDE_HEADERS) {
    const value = headers.get(name);
    if (value) for (const part of value.split(',')) methods.push(part.trim().toUpperCase());
  }
  for (const value of search.getAll('_method')) methods.push(value.trim().toUpperCase());
  return methods;
}

/** What a rule's `methods` are matched against for `'*'`: every method rules name, and one none names. */
export const UNNAMED_METHOD = '(other)';

/** The method a CORS preflight asks about (`Access-Control-Request-Method`), upper case. */
export function preflightMethod(headers: HeaderReader): string {
  return (headers.get('access-control-request-method') ?? '').trim().toUpperCase();
}
