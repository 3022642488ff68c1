export { ConfigError, defineConfig } from './define-config';
export type { CompiledConfig, GatewayConfig, ProtectOptions, RouteRule, RoutePattern } from './types';
