// The CPU of the workerd processes a bench started (children of this Node process), for the
// small workerd benches (signature, log line, shared tier): other processes on the machine,
// other benches' workerd included, are never counted.
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = 100;

function stat(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return { comm: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')), fields: text.slice(text.lastIndexOf(')') + 2).split(' ') };
}

/** The pids of this process's workerd children now. */
export function ownWorkerdPids() {
  const mine = String(process.pid);
  const pids = new Set();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const { comm, fields } = stat(entry);
      if (comm === 'workerd' && fields[1] === mine) pids.add(entry);
    } catch {
      // Ended while we looked.
    }
  }
  return pids;
}

/** A function giving the user + system CPU seconds these processes have used so far. */
export function cpuOf(pids) {
  return () =>
    [...pids].reduce((n, pid) => {
      try {
        const { fields } = stat(pid);
        return n + (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
      } catch {
        // A process of an earlier Miniflare, ended: it uses no more CPU.
        return n;
      }
    }, 0);
}

/** The CPU time of every thread of process `pid` so far, in ns, from the scheduler's own clock (finer than stat's ticks). */
export function workerdCpuNs(pid) {
  return readdirSync(`/proc/${pid}/task`).reduce((sum, task) => {
    try {
      return sum + Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      return sum; // a thread that ended meanwhile
    }
  }, 0);
}
