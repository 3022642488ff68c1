#!/usr/bin/env node
// Open-loop load at a fixed rate: request k is due at t0 + k / rate whatever happened to the
// ones before it, and its latency counts from that scheduled time, not from when it went out, so
// a stall shows up in every request it delays (no coordinated omission). wrk cannot do this
// (its -R is wrk2's), hence this small generator.
//
// Cheap on purpose, since it shares the cores with the Worker and the origin: HTTP/1.1 written
// by hand over a fixed set of keep-alive connections (like wrk's -c), one request at a time
// each; a due request waits for a free connection, and that wait counts. About 10 µs of CPU a
// request here against 100–180 µs with node:http. No busy-waiting and no setInterval drift: due
// requests go out whenever the event loop wakes, on a one-shot timer aimed at the next due time
// or on any response that comes back first. How late they went out is reported (sendLag), as is
// the time from going out to the end of the response (service).
//
// Run by bench/run.mjs in its own process (the origin lives in run.mjs's):
//   node bench/open-loop.mjs '<json>'
//   { url, rate, seconds, headers?, tokens?: { file, from, mode: 'bearer'|'cookie', clientUat },
//     connections? = 16, warmup? = 0.5 (seconds at the rate, not recorded), raw? (every sample) }
// prints one JSON line: counts, statuses, latency percentiles in ms, tokensUsed, sentTotal.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

const config = JSON.parse(process.argv[2]);
const { url, rate, seconds, headers = {}, tokens, connections = 16, warmup = 0.5, raw = false } = config;
const target = new URL(url);
const port = Number(target.port || 80);
const head = `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n${Object.entries(headers)
  .map(([k, v]) => `${k}: ${v}\r\n`)
  .join('')}`;
const fixed = Buffer.from(`${head}\r\n`);

// First-seen mode: each request carries the next token from the file (one a line).
let tokenList = [];
if (tokens) tokenList = readFileSync(tokens.file, 'utf8').split('\n').slice(tokens.from).filter(Boolean);
let tokensUsed = 0;
function nextRequest() {
  if (!tokens) return fixed;
  const token = tokenList[tokensUsed++];
  if (token === undefined) throw new Error('open-loop: ran out of tokens');
  return tokens.mode === 'cookie' ? `${head}Cookie: __session=${token}; __client_uat=${tokens.clientUat}\r\n\r\n` : `${head}Authorization: Bearer ${token}\r\n\r\n`;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** One keep-alive connection; `send(data, done)` with one request in flight at a time. */
class Connection {
  constructor(onIdle) {
    this.onIdle = onIdle;
    this.buf = Buffer.alloc(0);
    this.done = undefined;
    this.socket = connect({ host: target.hostname, port, noDelay: true });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('data', (chunk) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
      this.parse();
    });
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('connection closed')));
  }

  send(data, done) {
    this.done = done;
    this.socket.write(data);
  }

  fail(error) {
    this.closed = true;
    const done = this.done;
    this.done = undefined;
    done?.(-1, error);
  }

  // Status line, headers, then a Content-Length or chunked body; anything else is an error.
  parse() {
    const end = this.buf.indexOf(CRLF2);
    if (end < 0) return;
    const headerText = this.buf.toString('latin1', 0, end);
    const status = Number(headerText.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(headerText);
    let total;
    if (length) {
      total = end + 4 + Number(length[1]);
      if (this.buf.length < total) return;
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(headerText)) {
      let at = end + 4;
      for (;;) {
        const line = this.buf.indexOf('\r\n', at);
        if (line < 0) return;
        const size = Number.parseInt(this.buf.toString('latin1', at, line), 16);
        if (size === 0) {
          if (this.buf.length < line + 4) return;
          total = line + 4;
          break;
        }
        at = line + 2 + size + 2;
        if (this.buf.length < at) return;
      }
    } else {
      total = end + 4;
    }
    this.buf = this.buf.subarray(total);
    const done = this.done;
    this.done = undefined;
    done?.(status);
    this.onIdle(this);
  }
}

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : Number.NaN);
function summary(values) {
  const sorted = Float64Array.from(values).sort();
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), p999: percentile(sorted, 99.9), max: sorted[sorted.length - 1] ?? Number.NaN };
}

let idle = [];
let onIdle = () => {};
const pool = Array.from({ length: connections }, () => new Connection((c) => onIdle(c)));

function run(total, record) {
  const interval = 1000 / rate;
  const latency = new Float64Array(total);
  const service = new Float64Array(total);
  const lag = new Float64Array(total);
  const statuses = {};
  let errors = 0;
  let next = 0;
  let done = 0;
  let timer;
  let maxWaiting = 0;
  const t0 = performance.now() + 5;
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      const elapsed = (performance.now() - t0) / 1000;
      resolve(
        record
          ? {
              requests: total,
              completed: done,
              achievedRate: total / elapsed,
              statuses,
              errors,
              // Most due requests that found every connection busy at once.
              maxWaiting,
              latencyMs: summary(latency),
              serviceMs: summary(service),
              sendLagMs: summary(lag),
              // When request 0 was due (epoch ms) and the spacing: request k was due at t0Epoch + k * intervalMs.
              t0Epoch: performance.timeOrigin + t0,
              intervalMs: interval,
              // Every latency from schedule, in ms rounded to µs, for pooling runs (raw: true).
              ...(raw ? { samples: Array.from(latency, (x) => Math.round(x * 1000) / 1000) } : {}),
            }
          : undefined,
      );
    };
    const dispatch = (connection, k) => {
      const due = t0 + k * interval;
      const sentAt = performance.now();
      connection.send(nextRequest(), (status, error) => {
        const end = performance.now();
        latency[k] = end - due;
        service[k] = end - sentAt;
        lag[k] = sentAt - due;
        if (error) errors++;
        else statuses[status] = (statuses[status] ?? 0) + 1;
        if (++done === total) finish();
      });
    };
    // A connection came free: it takes the oldest due request, if any.
    onIdle = (connection) => {
      if (connection.closed) return;
      const now = performance.now();
      if (next < total && t0 + next * interval <= now) {
        dispatch(connection, next++);
        pump();
      } else idle.push(connection);
    };
    const pump = () => {
      const now = performance.now();
      while (next < total && t0 + next * interval <= now) {
        const connection = idle.pop();
        if (!connection) {
          // All busy: the due requests wait (their latency keeps counting from schedule).
          maxWaiting = Math.max(maxWaiting, Math.floor((now - t0) / interval) + 1 - next);
          break;
        }
        dispatch(connection, next++);
      }
      if (next < total && timer === undefined) {
        timer = setTimeout(
          () => {
            timer = undefined;
            pump();
          },
          Math.max(0, t0 + next * interval - performance.now()),
        );
      }
    };
    pump();
  });
}

async function main() {
  await Promise.all(pool.map((c) => c.ready));
  idle = [...pool];
  const warmupRequests = warmup > 0 ? Math.max(connections, Math.round(rate * warmup)) : 0;
  if (warmupRequests > 0) await run(warmupRequests, false);
  const cpu0 = process.cpuUsage();
  const result = await run(Math.round(rate * seconds), true);
  const cpu = process.cpuUsage(cpu0);
  result.generatorCpuUsPerRequest = (cpu.user + cpu.system) / result.requests;
  for (const c of pool) c.socket.destroy();
  // sentTotal: every request this process sent, warm-up included (for CPU per request).
  process.stdout.write(`${JSON.stringify({ ...result, rate, seconds, connections, tokensUsed, sentTotal: warmupRequests + result.requests })}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
