import type { AssertionSigner } from '../proxy/assertion';

/**
 * The public keys of `X-Auth-Assertion`, for origins to verify with: the signing key and, during
 * a rotation, the previous one. `{"keys":[]}` when the gateway signs nothing. Cacheable for five
 * minutes, so a rotation first publishes the incoming key (as GATEWAY_SIGNING_KEY_PREVIOUS) and
 * only then signs with it (docs/origin.md, "Rotating the signing key").
 */
export function jwks(signer: AssertionSigner | undefined): Response {
  return new Response(JSON.stringify(signer ? signer.jwks() : { keys: [] }), {
    headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' },
  });
}
