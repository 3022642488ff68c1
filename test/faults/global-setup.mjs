// Vitest globalSetup for the fault-injection suite's origins (test/faults/fault-origin.mjs):
// starts their control server on 127.0.0.1 and provides its port as `faultControlPort`
// (the Worker's TEST_FAULT_CONTROL_PORT binding, vitest.config.ts).
import { startFaultOrigins } from './fault-origin.mjs';

export default async function setup(project) {
  const faults = await startFaultOrigins();
  project.provide('faultControlPort', faults.port);
  return () => faults.close();
}
