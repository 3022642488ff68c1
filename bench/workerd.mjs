// A Worker bundle in workerd itself, without Miniflare, for what Miniflare cannot pass on: V8
// flags. bench/run.mjs uses it to weigh the isolate's heap (--expose-gc: a full collection on
// request, --trace-gc: the heap size after it) and to see the collector's pauses under load.
//
// The bundle is served as is, behind a two-line wrapper module: GET /__bench/gc runs gc() and
// answers (GET /__bench/minor-gc: a young-generation collection); every other request goes to the bundle's default export. Bindings are text bindings
// (as `[vars]`), fetches go straight to the network (127.0.0.1 allowed).
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const require = createRequire(import.meta.url);
// Processes started here end with this one, whatever happens to it.
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
const WRAPPER = `import worker from './worker.js';
export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname === '/__bench/gc') {
      gc();
      return new Response('collected');
    }
    if (new URL(request.url).pathname === '/__bench/minor-gc') {
      gc({ type: 'minor' });
      return new Response('collected');
    }
    return worker.fetch(request, env, ctx);
  },
};
`;

const capnpString = (s) => JSON.stringify(s);

/** The heap sizes (MB) of one --trace-gc line, e.g. "Mark-Compact 12.3 (15.0) -> 8.1 (13.0) MB, …". */
export function parseGcLine(line) {
  const m = /(Scavenge|Mark-Compact|Minor Mark-Compact|Mark-Compact \(reduce\))[^\d]*([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ ([\d.]+) ms/.exec(line);
  if (!m) return undefined;
  // "[pid:0xisolate]  1808 ms: …": the isolate's clock (ms since it started) when the pause ended.
  const isolateMs = Number(/\]\s+(\d+) ms: /.exec(line)?.[1]);
  return { kind: m[1].startsWith('Mark-Compact') ? 'mark-compact' : m[1] === 'Scavenge' ? 'scavenge' : 'minor-mc', before: Number(m[2]), after: Number(m[4]), committed: Number(m[5]), pauseMs: Number(m[6]), isolateMs, testing: /testing/.test(line), line };
}

/**
 * Starts `scriptPath` (an ES module bundle) in a workerd process of its own. `wrap`: the command
 * workerd runs under (line-buffered output by default; bench/instructions.mjs: valgrind).
 * `logFile`: workerd's output (the Worker's log lines) goes to this file instead of a pipe read
 * here, closer to how a log collector takes it in production: a pipe wakes its reader on every
 * line, which the writer pays in the kernel (sampled natively, bench/profile-native.mjs: 3 % of the
 * gateway's CPU under `unix_stream_sendmsg`). No --trace-gc events are read then.
 * @returns {Promise<{ url: string, pid: string, gcEvents: object[], output: string[], collect(): Promise<number>, pauses(events): [number, number][], stop(): Promise<void> }>}
 */
export async function startWorkerd({ name, scriptPath, bindings, dir, v8Flags = ['--expose-gc', '--trace-gc'], compatibilityDate = '2026-04-26', wrap = ['stdbuf', '-oL', '-eL'], logFile }) {
  const here = join(dir, name);
  mkdirSync(here, { recursive: true });
  copyFileSync(scriptPath, join(here, 'worker.js'));
  writeFileSync(join(here, 'wrapper.js'), WRAPPER);
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "net", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
  v8Flags = [ ${v8Flags.map(capnpString).join(', ')} ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "wrapper.js", esModule = embed "wrapper.js"),
    (name = "worker.js", esModule = embed "worker.js"),
  ],
  compatibilityDate = ${capnpString(compatibilityDate)},
  bindings = [ ${Object.entries(bindings)
    .map(([k, v]) => `(name = ${capnpString(k)}, text = ${capnpString(v)})`)
    .join(', ')} ],
  globalOutbound = "net",
);
`;
  writeFileSync(join(here, 'config.capnp'), config);
  const bin = require('workerd').default ?? require('workerd');
  const [command, ...prefix] = [...wrap, bin];
  if (logFile !== undefined && v8Flags.includes('--trace-gc')) throw new Error('startWorkerd: --trace-gc events are read from a pipe; pass v8Flags without it with logFile');
  const logFd = logFile === undefined ? undefined : openSync(logFile, 'w');
  const child = spawn(command, [...prefix, 'serve', '--experimental', '--control-fd=3', join(here, 'config.capnp')], { stdio: logFd === undefined ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', logFd, logFd, 'pipe'] });
  if (logFd !== undefined) closeSync(logFd);
  children.add(child);
  child.once('exit', () => children.delete(child));
  const gcEvents = [];
  const lines = [];
  // With a log file, its lines are read when asked (for an error message).
  const outputLines = () => (logFile === undefined ? lines : readFileSync(logFile, 'utf8').split('\n').filter((line) => line !== ''));
  // V8 writes --trace-gc lines to stdout; keep them (with the time they arrived) and any other output.
  for (const stream of logFd === undefined ? [child.stdout, child.stderr] : []) {
    createInterface(stream).on('line', (line) => {
      const event = parseGcLine(line);
      if (event) gcEvents.push({ ...event, at: performance.now() });
      else lines.push(line);
    });
  }
  const port = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`workerd ${name} exited with ${code}: ${outputLines().join('\n')}`)));
    createInterface(child.stdio[3]).on('line', (line) => {
      try {
        const message = JSON.parse(line);
        if (message.event === 'listen' && message.socket === 'http') resolve(message.port);
      } catch {
        // Not a control message.
      }
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const worker = {
    name,
    url,
    pid: String(child.pid),
    gcEvents,
    /** workerd's output lines but --trace-gc's. */
    get output() {
      return outputLines();
    },
    /** Epoch ms = isolate ms + this, from the collection at start (±1 ms, the isolate clock's resolution). */
    clockOffsetMs: Number.NaN,
    /** Runs a full collection in the isolate; resolves to the heap size (MB) it left. */
    async collect() {
      const seen = gcEvents.length;
      const sent = performance.timeOrigin + performance.now();
      const res = await fetch(`${url}/__bench/gc`);
      await res.text();
      const received = performance.timeOrigin + performance.now();
      for (let i = 0; i < 50; i++) {
        const event = gcEvents.slice(seen).findLast((e) => e.kind === 'mark-compact' && e.testing);
        if (event) {
          // The pause ended between sending and receiving: the isolate clock's offset, to about a millisecond.
          if (Number.isNaN(worker.clockOffsetMs) || received - sent < worker.clockWindowMs) {
            worker.clockOffsetMs = (sent + received) / 2 - event.isolateMs;
            worker.clockWindowMs = received - sent;
          }
          return event.after;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`workerd ${name}: no Mark-Compact line after gc(): ${outputLines().slice(-5).join('\n')}`);
    },
    /** GC pauses as [start, end] in epoch ms, from events of gcEvents. */
    pauses(events) {
      return events.map((e) => [e.isolateMs + worker.clockOffsetMs - e.pauseMs, e.isolateMs + worker.clockOffsetMs]);
    },
    stop() {
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
  // Calibrate the isolate clock: a few collections, keeping the tightest window.
  if (v8Flags.includes('--trace-gc')) for (let i = 0; i < 3; i++) await worker.collect();
  return worker;
}
