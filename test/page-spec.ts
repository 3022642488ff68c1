// Shared by the origin (test/servers.ts, Node) and the tests that ask it for pages (workerd).

/** What a `__origin=page` request (its body, JSON) asks the origin to answer. */
export interface PageSpec {
  /** Written one after the other, each a chunk of a chunked answer. */
  chunks: string[];
  /** `null`: no `Content-Type` at all. @default 'text/html; charset=utf-8' */
  contentType?: string | null;
  /** @default 200 */
  status?: number;
  /** The chunk at this index is written this many times (a large page). */
  repeat?: { index: number; times: number };
  /** Gzip the whole page (`Content-Encoding: gzip`). */
  gzip?: boolean;
  /** Encode the whole page so (`deflate`, `br`), or send it as it is under another `Content-Encoding` name. */
  encoding?: string;
  /** After the first chunk, wait for `GET /__release?id=<hold>` before writing the rest. */
  hold?: string;
  /** Extra response headers. */
  headers?: Record<string, string>;
}
