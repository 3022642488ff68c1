/** A signing key for the identity assertion: an EC P-256 private JWK with a `kid`. */
export interface SigningJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  d: string;
  kid: string;
}

/** The assertion keys: `current` signs; both are published, so the previous one still verifies. */
export interface SigningKeys {
  current: SigningJwk;
  /** The public half of the key `current` replaced, published during a rotation. */
  previous: Omit<SigningJwk, 'd'> | undefined;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

function parseJwk(name: string, raw: string, needPrivate: boolean, problems: string[]): SigningJwk | Omit<SigningJwk, 'd'> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    problems.push(`${name} must be a JWK in JSON (run \`npm run keys -- new\`), got something that is not JSON`);
    return undefined;
  }
  const jwk = value as Partial<SigningJwk> | null;
  const fine =
    jwk !== null &&
    typeof jwk === 'object' &&
    jwk.kty === 'EC' &&
    jwk.crv === 'P-256' &&
    typeof jwk.x === 'string' && B64URL.test(jwk.x) &&
    typeof jwk.y === 'string' && B64URL.test(jwk.y) &&
    typeof jwk.kid === 'string' && /^[\x21-\x7e]{1,64}$/.test(jwk.kid) &&
    (!needPrivate || (typeof jwk.d === 'string' && B64URL.test(jwk.d)));
  if (!fine) {
    problems.push(
      `${name} must be an EC P-256 ${needPrivate ? 'private ' : ''}JWK with a kid (kty "EC", crv "P-256", x, y${needPrivate ? ', d' : ''}, kid): run \`npm run keys -- new\``,
    );
    return undefined;
  }
  const { kty, crv, x, y, kid } = jwk as SigningJwk;
  return needPrivate ? { kty, crv, x, y, kid, d: (jwk as SigningJwk).d } : { kty, crv, x, y, kid };
}

/**
 * `GATEWAY_SIGNING_KEY` and, during a rotation, `GATEWAY_SIGNING_KEY_PREVIOUS`. Without the first
 * there is no assertion; a previous key alone, or two keys with one `kid`, is a problem.
 */
export function parseSigningKeys(current: string | undefined, previous: string | undefined, problems: string[]): SigningKeys | undefined {
  const currentJwk = current ? (parseJwk('GATEWAY_SIGNING_KEY', current, true, problems) as SigningJwk | undefined) : undefined;
  const previousJwk = previous ? parseJwk('GATEWAY_SIGNING_KEY_PREVIOUS', previous, false, problems) : undefined;
  if (previous && !current) problems.push('GATEWAY_SIGNING_KEY_PREVIOUS is set without GATEWAY_SIGNING_KEY: set the new key, keep the old one as previous');
  if (currentJwk && previousJwk && currentJwk.kid === previousJwk.kid) {
    problems.push('GATEWAY_SIGNING_KEY and GATEWAY_SIGNING_KEY_PREVIOUS have the same kid: a new key needs a new kid (`npm run keys -- new`)');
  }
  return currentJwk ? { current: currentJwk, previous: previousJwk } : undefined;
}
