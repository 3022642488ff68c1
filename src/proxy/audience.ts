import type { GatewaySettings } from '../settings/settings';
import type { CompiledOrigin } from '../config/types';

/**
 * The assertion's `aud` for the origin a request goes to, one per origin, so an assertion made for
 * one origin never verifies at another: `ORIGIN_URL`'s origin (and a rule URL on that same origin)
 * gets `ASSERTION_AUDIENCE` or that origin; a rule's URL on another origin gets that origin; a
 * Service Binding gets `binding:<name>`, never `ORIGIN_URL`'s.
 */
export function assertionAudience(origin: CompiledOrigin | undefined, settings: Pick<GatewaySettings, 'originBase' | 'assertionAudience'>): string {
  if (!origin) return settings.assertionAudience;
  if (origin.kind === 'binding') return `binding:${origin.binding}`;
  const own = new URL(origin.base).origin;
  return own === new URL(settings.originBase).origin ? settings.assertionAudience : own;
}
