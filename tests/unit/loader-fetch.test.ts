// fetchWithProgress: streams the body in chunks with byte progress, and turns HTTP errors into one-line messages.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchWithProgress } from '../../workers/loader/fetch.ts';

/** A Response whose body arrives in the given chunks. */
function chunked(chunks: Uint8Array[], headers: Record<string, string> = {}, status = 200): Response {
  const body = new ReadableStream<Uint8Array>({
    start(c) { for (const ch of chunks) c.enqueue(ch); c.close(); },
  });
  return new Response(body, { status, headers });
}

const chunks = [Uint8Array.of(1, 2, 3), Uint8Array.of(4), Uint8Array.of(5, 6, 7, 8, 9)];

describe('fetchWithProgress', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('assembles the body and reports bytes against content-length', async () => {
    vi.stubGlobal('fetch', async () => chunked(chunks, { 'content-length': '9' }));
    const seen: [number, number][] = [];
    const buf = await fetchWithProgress('https://example.test/m.gguf', (p) => { expect(p.phase).toBe('download'); seen.push([p.loaded, p.total]); });
    expect(Array.from(new Uint8Array(buf))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seen).toEqual([[3, 9], [4, 9], [9, 9]]);
  });

  it('treats a web page served for a model file as missing (single-page-app fallback)', async () => {
    vi.stubGlobal('fetch', async () => new Response('<!doctype html>', { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } }));
    await expect(fetchWithProgress('/models/x/config.json')).rejects.toThrow(/not found \(the server answered with a web page\)/);
  });

  it('grows when the length is unknown', async () => {
    vi.stubGlobal('fetch', async () => chunked(chunks));
    const seen: number[] = [];
    const buf = await fetchWithProgress('u', (p) => seen.push(p.total));
    expect(buf.byteLength).toBe(9);
    expect(seen).toEqual([3, 4, 9]); // total unknown: it follows what has arrived
  });

  it('fails with one line on an HTTP error, a network error or a short body', async () => {
    vi.stubGlobal('fetch', async () => new Response('nope', { status: 404, statusText: 'Not Found' }));
    await expect(fetchWithProgress('https://example.test/missing.gguf')).rejects.toThrow('could not download https://example.test/missing.gguf: HTTP 404 Not Found');
    vi.stubGlobal('fetch', async () => { throw new TypeError('fetch failed'); });
    await expect(fetchWithProgress('u')).rejects.toThrow('could not download u: fetch failed');
    vi.stubGlobal('fetch', async () => chunked(chunks, { 'content-length': '20' }));
    await expect(fetchWithProgress('u')).rejects.toThrow('download of u ended early: got 9 of 20 bytes');
  });
});
