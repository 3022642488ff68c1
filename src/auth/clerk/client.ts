import { createClerkClient, type ClerkClient } from '@clerk/backend';

import type { GatewaySettings } from '../../config/settings';

/** Creates the Clerk client for one set of settings; the runtime keeps one per isolate. */
export function createGatewayClerkClient(settings: GatewaySettings): ClerkClient {
  return createClerkClient({
    secretKey: settings.secretKey,
    publishableKey: settings.publishableKey,
    ...(settings.jwtKey ? { jwtKey: settings.jwtKey } : {}),
    ...(settings.apiUrl ? { apiUrl: settings.apiUrl } : {}),
  });
}
