#!/usr/bin/env node
// `npm run keys -- new`: a new signing key for X-Auth-Assertion (EC P-256, ES256), printed as the
// private JWK to store as a secret and the public JWK that origins may pin. Nothing is written
// to disk.
import { exportJWK, generateKeyPair } from 'jose';

const [command] = process.argv.slice(2);
if (command !== 'new') {
  console.error('usage: npm run keys -- new');
  process.exit(2);
}

const kid = `gw-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 8)}`;
const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
const privateJwk = JSON.stringify({ ...(await exportJWK(privateKey)), kid });
const publicJwk = JSON.stringify({ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' });

console.log(`A new assertion signing key, kid ${kid}.

Private JWK (a secret; paste it when wrangler asks for GATEWAY_SIGNING_KEY):
${privateJwk}

Public JWK (what the gateway publishes at /.well-known/edge-auth-gateway/jwks.json; origins
may also pin it):
${publicJwk}

First key (the gateway signs nothing yet): store the private JWK (wrangler secret put deploys at once).

  npx wrangler secret put GATEWAY_SIGNING_KEY

Rotating from an older key, without a gap, in two deploys (docs/origin.md, "Rotating the signing key"):

  1. Publish this key before signing with it. Paste the PUBLIC JWK above; the gateway keeps
     signing with the older key and publishes both. Origins that pin the JWKS add it now.

       npx wrangler secret put GATEWAY_SIGNING_KEY_PREVIOUS

     Wait at least 5 minutes: origins cache the JWKS that long.

  2. Sign with it. Both secrets change in one new version (paste the PRIVATE JWK above, then the
     older key's public JWK), so the Worker never runs with two keys of one kid:

       npx wrangler versions secret put GATEWAY_SIGNING_KEY
       npx wrangler versions secret put GATEWAY_SIGNING_KEY_PREVIOUS
       npx wrangler versions deploy

  3. A minute later (an assertion lives 30 s), stop publishing the older key:

       npx wrangler secret delete GATEWAY_SIGNING_KEY_PREVIOUS`);
