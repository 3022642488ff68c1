/** Browser navigation, the same test Clerk uses to decide whether a handshake is possible (plus HEAD). */
export function isNavigation(method: string, headers: Headers): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const dest = headers.get('sec-fetch-dest');
  if (dest) return dest === 'document' || dest === 'iframe';
  return (headers.get('accept') ?? '').toLowerCase().startsWith('text/html');
}
