// Asking a workerd under `valgrind --tool=callgrind` for its counts (bench/instructions.mjs,
// bench/profile-functions/run.mjs): one home for the dump and for knowing it is complete.
import { execFile } from 'node:child_process';
import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The last bytes of a file: a dump's `totals:` line is at its end, and a dump can be gigabytes. */
function tail(path) {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    const length = Math.min(size, 4096);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

const TOTALS = /^(?:totals|summary): (\d+)/m;

/**
 * Dumps and zeroes the counters of `worker` (its callgrind files `<name>.<pid>.*` in `dir`) and
 * resolves to the new dump's file name once it is written whole (its `totals:` line there).
 * Asynchronous: the origin lives in the caller's process and must keep answering meanwhile.
 */
export async function callgrindDump(worker, dir) {
  const before = new Set(readdirSync(dir));
  await execFileAsync('callgrind_control', ['--dump', worker.pid]);
  for (let i = 0; i < 2400; i++) {
    const file = readdirSync(dir).find((f) => f.startsWith(`${worker.name}.${worker.pid}.`) && !before.has(f));
    if (file && TOTALS.test(tail(join(dir, file)))) return file;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no callgrind dump from ${worker.name}`);
}

/** The instructions a dump counted (its `totals:` line). */
export function callgrindTotal(dir, file) {
  return Number(TOTALS.exec(tail(join(dir, file)))[1]);
}
