import { MAX_PATH_LENGTH } from '../config/limits';
import type { PathRefusal } from '../request/canonicalize';
import type { CorsRefusal } from './cors';

/** Every reason the gateway answers by itself instead of forwarding. */
export type ReasonCode =
  | PathRefusal
  | 'ERR_UNAUTHENTICATED'
  | 'ERR_SESSION_PENDING'
  | 'ERR_CLERK_REDIRECT_URL'
  | 'ERR_INSUFFICIENT_SCOPE'
  | 'ERR_FORBIDDEN'
  | 'ERR_ORGANIZATION_MISMATCH'
  | 'ERR_REVERIFICATION_REQUIRED'
  | 'ERR_METHOD_NOT_ALLOWED'
  | 'ERR_CROSS_SITE'
  | CorsRefusal
  | 'ERR_FORWARD_AUTH_UNTRUSTED'
  | 'ERR_FORWARD_AUTH_REQUEST'
  | 'ERR_FORWARD_AUTH_ENDPOINT'
  | 'ERR_GATEWAY_MISCONFIGURED'
  | 'ERR_ORIGIN_UNREACHABLE'
  | 'ERR_ORIGIN_TIMEOUT'
  | 'ERR_CLERK_UNAVAILABLE'
  | 'ERR_INTERNAL';

export interface PublicReason {
  status: number;
  /** The heading of the HTML page browsers get. */
  title: string;
  /** Short, stable, snake_case: what clients branch on. */
  error: string;
  message: string;
}

/** Maps a reason to what the client is told. Exhaustive: a new code fails to compile until mapped. */
export function publicReason(code: ReasonCode): PublicReason {
  switch (code) {
    case 'ERR_PATH_MALFORMED_ENCODING':
      return { status: 400, title: 'Bad request', error: 'bad_path', message: 'The path has malformed percent-encoding.' };
    case 'ERR_PATH_ENCODED_SEPARATOR':
      return { status: 400, title: 'Bad request', error: 'bad_path', message: 'The path has an encoded "/" or "\\".' };
    case 'ERR_PATH_DOUBLE_ENCODING':
      return { status: 400, title: 'Bad request', error: 'bad_path', message: 'The path is percent-encoded twice.' };
    case 'ERR_PATH_CONTROL_CHARACTER':
      return { status: 400, title: 'Bad request', error: 'bad_path', message: 'The path contains a control character.' };
    case 'ERR_PATH_PARAMETER':
      return { status: 400, title: 'Bad request', error: 'bad_path', message: 'The path contains ";" path parameters.' };
    case 'ERR_PATH_AMBIGUOUS_SEGMENT':
      return { status: 400, title: 'Bad request', error: 'bad_path', message: 'A path segment ends in "." or white space.' };
    case 'ERR_PATH_NORMALIZATION':
      return { status: 400, title: 'Bad request', error: 'bad_path', message: 'The path has characters that Unicode normalization turns into separators or dots.' };
    case 'ERR_PATH_TOO_LONG':
      return { status: 414, title: 'Path too long', error: 'bad_path', message: `The path is longer than the gateway matches (${MAX_PATH_LENGTH} characters).` };
    case 'ERR_UNAUTHENTICATED':
      return { status: 401, title: 'Sign in required', error: 'unauthenticated', message: 'Sign in to access this resource.' };
    case 'ERR_SESSION_PENDING':
      return { status: 401, title: 'Finish setting up your account', error: 'session_pending', message: 'The session has an open task; complete it at tasks_url.' };
    case 'ERR_CLERK_REDIRECT_URL':
      return { status: 400, title: 'Bad request', error: 'bad_redirect', message: 'The __clerk_redirect_url parameter must point to this site.' };
    case 'ERR_INSUFFICIENT_SCOPE':
      return { status: 403, title: 'Access denied', error: 'insufficient_scope', message: 'The token lacks a scope this route requires; see missing_scopes.' };
    case 'ERR_FORBIDDEN':
      return { status: 403, title: 'Access denied', error: 'forbidden', message: 'Your account does not have access to this resource.' };
    case 'ERR_ORGANIZATION_MISMATCH':
      return { status: 403, title: 'Wrong organization', error: 'organization_mismatch', message: 'This page belongs to another organization than your active one; switch organizations and try again.' };
    case 'ERR_REVERIFICATION_REQUIRED':
      return { status: 403, title: 'Verify it is you', error: 'reverification_required', message: 'This action needs a recent verification; verify again and retry.' };
    case 'ERR_METHOD_NOT_ALLOWED':
      return { status: 405, title: 'Method not allowed', error: 'method_not_allowed', message: 'This endpoint takes POST only.' };
    case 'ERR_CROSS_SITE':
      return { status: 403, title: 'Access denied', error: 'cross_site', message: 'This endpoint only takes requests from this site.' };
    case 'ERR_CORS_ORIGIN':
      return { status: 403, title: 'Access denied', error: 'cors_refused', message: 'This origin may not make cross-origin requests here.' };
    case 'ERR_CORS_METHOD':
      return { status: 403, title: 'Access denied', error: 'cors_refused', message: 'This method is not allowed in cross-origin requests here.' };
    case 'ERR_CORS_HEADERS':
      return { status: 403, title: 'Access denied', error: 'cors_refused', message: 'A request header asked for is not allowed in cross-origin requests here.' };
    case 'ERR_FORWARD_AUTH_UNTRUSTED':
      return { status: 403, title: 'Access denied', error: 'forward_auth_untrusted', message: 'Only a configured proxy may ask the forward-auth endpoint (X-Forward-Auth-Secret).' };
    case 'ERR_FORWARD_AUTH_REQUEST':
      return { status: 400, title: 'Bad request', error: 'forward_auth_request', message: 'The proxy did not say which request to decide: method, URI, host and scheme headers are required, well-formed.' };
    case 'ERR_FORWARD_AUTH_ENDPOINT':
      return { status: 403, title: 'Access denied', error: 'forward_auth_endpoint', message: "The gateway's own endpoints are not served through forward auth." };
    case 'ERR_GATEWAY_MISCONFIGURED':
      return { status: 500, title: 'Gateway error', error: 'gateway_misconfigured', message: 'The gateway is not configured; it forwards nothing.' };
    case 'ERR_ORIGIN_UNREACHABLE':
      return { status: 502, title: 'Origin unreachable', error: 'origin_unreachable', message: 'The origin could not be reached.' };
    case 'ERR_ORIGIN_TIMEOUT':
      return { status: 504, title: 'Origin timeout', error: 'origin_timeout', message: 'The origin did not answer in time.' };
    case 'ERR_CLERK_UNAVAILABLE':
      return { status: 503, title: 'Sign-in check unavailable', error: 'auth_unavailable', message: 'Your sign-in could not be checked right now; nothing was forwarded. Retry shortly.' };
    case 'ERR_INTERNAL':
      return { status: 500, title: 'Gateway error', error: 'internal_error', message: 'The gateway failed; nothing was forwarded.' };
  }
}
