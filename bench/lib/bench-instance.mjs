// The Clerk instance every bench Worker belongs to (bench/run.mjs, bench/instructions.mjs): one
// home for its names, so the gateway, the baseline and the tokens agree.

/** The `azp` of every bench token and the only authorized party. */
export const PARTY = 'http://bench.test';
/** The instance's Frontend API, the `iss` of every bench token. */
export const ISSUER = 'https://clerk.bench.test';
/** The `kid` of the bench key. */
export const KID = 'ins_bench';

/** The bindings of a Worker of the instance, in PEM mode (`CLERK_JWT_KEY`) with the token pool's key, in front of `originUrl`. */
export function clerkBindings(originUrl, pool) {
  return {
    ORIGIN_URL: originUrl,
    CLERK_PUBLISHABLE_KEY: `pk_live_${Buffer.from('clerk.bench.test$').toString('base64')}`,
    CLERK_SECRET_KEY: 'sk_live_bench',
    CLERK_JWT_KEY: pool.pem,
    CLERK_AUTHORIZED_PARTIES: PARTY,
  };
}
