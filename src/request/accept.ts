// The q of a media range in Accept (1 when absent), or 0 when it is not listed.
function quality(accept: string, type: string): number {
  let best = 0;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (range !== type) continue;
    const q = params.find((p) => p.startsWith('q='));
    const value = q ? Number(q.slice(2)) : 1;
    if (Number.isFinite(value)) best = Math.max(best, value);
  }
  return best;
}

/**
 * A browser asking for a page: `Accept` names `text/html` at least as high as `application/json`.
 * API clients (`*\/*`, `application/json`, nothing) get JSON.
 */
export function wantsHtml(accept: string | null): boolean {
  if (!accept || !accept.includes('html')) return false;
  const html = quality(accept, 'text/html');
  return html > 0 && html >= quality(accept, 'application/json');
}
