// Downloading a model file with byte progress, in a worker or in Node 20 (both have fetch and web streams).
import type { ProgressFn } from './types.ts';

/** Fetches `url` into one ArrayBuffer, reporting bytes as they arrive; an HTTP error status throws a one-line message. */
export async function fetchWithProgress(url: string, onProgress?: ProgressFn, init?: RequestInit): Promise<ArrayBuffer> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new Error(`could not download ${url}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (!res.ok) throw new Error(`could not download ${url}: HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}`);
  // single-page-app servers (vite preview, many static hosts) answer a missing file with index.html and 200
  if (/^text\/html/i.test(res.headers.get('content-type') ?? '') && !/\.html?$/i.test(new URL(url, 'http://x/').pathname)) {
    throw new Error(`could not download ${url}: not found (the server answered with a web page)`);
  }
  const header = Number(res.headers.get('content-length'));
  const total = Number.isSafeInteger(header) && header > 0 ? header : 0; // 0: unknown (e.g. compressed transfer)
  if (!res.body) {
    const buf = await res.arrayBuffer();
    onProgress?.({ phase: 'download', loaded: buf.byteLength, total: total || buf.byteLength });
    return buf;
  }
  const reader = res.body.getReader();
  let out = new Uint8Array(total || 1 << 20);
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.length > out.length) { // the length header was missing or wrong: grow by doubling
      const grown = new Uint8Array(Math.max(out.length * 2, loaded + value.length));
      grown.set(out.subarray(0, loaded));
      out = grown;
    }
    out.set(value, loaded);
    loaded += value.length;
    onProgress?.({ phase: 'download', loaded, total: Math.max(total, loaded) });
  }
  if (total && loaded < total) throw new Error(`download of ${url} ended early: got ${loaded} of ${total} bytes`);
  return loaded === out.length ? out.buffer : out.slice(0, loaded).buffer;
}
