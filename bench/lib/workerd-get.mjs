// Requests to a Worker in workerd under valgrind (bench/instructions.mjs, bench/profile-functions):
// one GET, retried where a kept-alive connection closed under it, and a collection in the isolate.

/**
 * One GET, sent again (up to three times) if the kept-alive connection was closed under it: under
 * valgrind, with a dozen workers on two cores, a connection can sit idle long enough for either
 * side to close it.
 */
export async function get(url, headers) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, { headers, redirect: 'manual' });
    } catch (error) {
      if (attempt >= 4 || !['UND_ERR_SOCKET', 'ECONNRESET'].includes(error?.cause?.code)) throw error;
    }
  }
}

/** A garbage collection in `worker`'s isolate, through bench/workerd.mjs's wrapper: `gc` (full) or `minor-gc`. */
export async function collect(worker, kind) {
  const res = await get(`${worker.url}/__bench/${kind}`, {});
  await res.text();
  if (res.status !== 200) throw new Error(`${worker.name}: /__bench/${kind} answered ${res.status}`);
}
