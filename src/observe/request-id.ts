import type { HeaderReader } from '../request/headers';

// Cloudflare sets cf-ray on every request it delivers; anything else is a generated UUID. The id
// goes into log lines and headers, so only a plain token is taken from the request.
const PLAIN_ID = /^[A-Za-z0-9-]{1,64}$/;

/** The request's id: its `cf-ray` when present and plain, else a new UUID. */
export function requestId(headers: HeaderReader): string {
  const ray = headers.get('cf-ray');
  return ray && PLAIN_ID.test(ray) ? ray : crypto.randomUUID();
}
