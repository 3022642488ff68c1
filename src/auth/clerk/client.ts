import { createClerkClient, type ClerkClient } from '@clerk/backend';

import type { GatewaySettings } from '../../settings/settings';

/** Creates the Clerk client for one set of settings; the runtime keeps one per isolate. */
export function createGatewayClerkClient(settings: GatewaySettings): ClerkClient {
  return createClerkClient({
    secretKey: settings.secretKey,
    publishableKey: settings.publishableKey,
    ...(settings.jwtKey ? { jwtKey: settings.jwtKey } : {}),
    ...(settings.apiUrl ? { apiUrl: settings.apiUrl } : {}),
    // Clerk's telemetry would be one more outbound call, with no deadline of the gateway's, and a
    // notice in every development log; the gateway makes only the calls it bounds.
    telemetry: { disabled: true },
  });
}
