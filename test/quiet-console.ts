// Many tests provoke errors on purpose (a refused token, an unreachable origin, a bad nonce) and
// the gateway and @clerk/backend log each one. Those expected lines are kept out of the output,
// so what is printed is what went wrong; TEST_VERBOSE=1 shows them. A test that checks a log line
// spies on console itself, which replaces this filter for that test.
import { env } from 'cloudflare:workers';

const EXPECTED = /^(?:edge-auth-gateway: |\{"msg":"request"|Clerk: |Attention: Clerk collects telemetry|The data collected is used to inform Clerk|To learn more, including how to opt-out from the telemetry)/;

if ((env as { TEST_VERBOSE?: string }).TEST_VERBOSE !== '1') {
  for (const level of ['error', 'warn', 'log'] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && EXPECTED.test(args[0])) return;
      original(...args);
    };
  }
}
