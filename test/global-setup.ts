import { exportJWK, exportSPKI, generateKeyPair } from 'jose';
import type { TestProject } from 'vitest/node';

import { startBackendApi, startFrontendApi, startOrigin } from './servers';

declare module 'vitest' {
  export interface ProvidedContext {
    originPort: number;
    bapiPort: number;
    /** The fake Frontend API (test/servers.ts startFrontendApi). */
    fapiPort: number;
    /** The instance's signing key (private JWK), for minting session tokens in tests. */
    instancePrivateJwk: Record<string, unknown>;
    instancePublicJwk: Record<string, unknown>;
    instancePublicPem: string;
    /** A key of nobody's instance. */
    foreignPrivateJwk: Record<string, unknown>;
  }
}

export default async function setup(project: TestProject) {
  const instance = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const foreign = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const publicJwk = { ...(await exportJWK(instance.publicKey)), kid: 'ins_test_key', alg: 'RS256', use: 'sig' };

  const origin = await startOrigin();
  const bapi = await startBackendApi({ keys: [publicJwk] });
  const fapi = await startFrontendApi();

  project.provide('originPort', origin.port);
  project.provide('bapiPort', bapi.port);
  project.provide('fapiPort', fapi.port);
  project.provide('instancePrivateJwk', { ...(await exportJWK(instance.privateKey)), kid: 'ins_test_key', alg: 'RS256' });
  project.provide('instancePublicJwk', publicJwk);
  project.provide('instancePublicPem', await exportSPKI(instance.publicKey));
  project.provide('foreignPrivateJwk', { ...(await exportJWK(foreign.privateKey)), kid: 'ins_test_key', alg: 'RS256' });

  return async () => {
    await origin.close();
    await bapi.close();
    await fapi.close();
  };
}
