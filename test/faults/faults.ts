// Workerd-side helpers of the fault-injection suite: an origin of its own per test file
// (test/faults/fault-origin.mjs), its fault switched through the control server, and the
// gateway's settings pointed at it with a short origin timeout.
import { testEnv, type TestEnv } from '../helpers';

const control = () => `http://127.0.0.1:${(testEnv as TestEnv & { TEST_FAULT_CONTROL_PORT: string }).TEST_FAULT_CONTROL_PORT}`;

export type FaultMode = 'ok' | 'down' | 'hang' | 'reset-before' | 'reset-chunked' | 'reset-length';

export interface FaultOrigin {
  url: string;
  /** Switches the fault; resolves once the origin acts on it (a `down` origin's port is closed). */
  set(mode: FaultMode): Promise<void>;
  /** Requests the origin has received. */
  requests(): Promise<number>;
}

/** A new origin, answering normally until told otherwise. */
export async function faultOrigin(): Promise<FaultOrigin> {
  const { port } = (await (await fetch(`${control()}/origins`, { method: 'POST' })).json()) as { port: number };
  const state = async (method: 'GET' | 'PUT', mode = '') => {
    const res = await fetch(`${control()}/origins/${port}${mode ? `?mode=${mode}` : ''}`, { method });
    if (!res.ok) throw new Error(`fault origin ${port}: ${await res.text()}`);
    return (await res.json()) as { mode: FaultMode; requests: number };
  };
  return {
    url: `http://127.0.0.1:${port}`,
    set: async (mode) => void (await state('PUT', mode)),
    requests: async () => (await state('GET')).requests,
  };
}

/** The test settings with the origin at `url` and an origin timeout of `timeoutMs`. */
export function envFor(url: string, timeoutMs = 300): TestEnv {
  return { ...testEnv, ORIGIN_URL: url, ORIGIN_TIMEOUT_MS: String(timeoutMs) };
}
