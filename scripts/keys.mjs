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

Private JWK (a secret; paste it when wrangler asks):
${privateJwk}

  wrangler secret put GATEWAY_SIGNING_KEY

Public JWK (what the gateway publishes at /.well-known/edge-auth-gateway/jwks.json; origins
may also pin it):
${publicJwk}

Rotating from an older key: store the older key's JWK as GATEWAY_SIGNING_KEY_PREVIOUS (its public
half is enough), then this one as GATEWAY_SIGNING_KEY, and deploy. Both are published; the new
one signs. Once origins have fetched the new JWKS (they cache it up to 5 minutes), delete
GATEWAY_SIGNING_KEY_PREVIOUS.`);
