// Byte sources: a file read by range from memory, a Blob, or an HTTP server (Range requests, as the Hub serves
// them), with one-line errors for every way a read can fail, and the GGUF header read from a growing prefix.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { blobSource, memorySource, openSource, RANGE_PIECE, SMALL_FILE, urlSource } from '../../workers/loader/source.ts';
import { readGguf, readGgufFrom } from '../../workers/loader/gguf-reader.ts';
import { tinyLlama } from './gguf-writer.ts';

const file = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);

/** A server over `bytes` that answers Range requests (206) or, when `ranges` is false, the whole file (200). */
function server(bytes: Uint8Array, ranges = true, log: string[] = []) {
  return async (_url: string, init?: RequestInit): Promise<Response> => {
    const range = new Headers(init?.headers).get('range');
    log.push(range ?? 'whole');
    const m = /^bytes=(\d+)-(\d+)$/.exec(range ?? '');
    if (!ranges || !m) return new Response(bytes.slice(), { status: 200, headers: { 'content-length': String(bytes.length) } });
    const [a, b] = [Number(m[1]), Math.min(Number(m[2]), bytes.length - 1)];
    return new Response(bytes.slice(a, b + 1), { status: 206, headers: { 'content-range': `bytes ${a}-${b}/${bytes.length}` } });
  };
}

describe('byte sources', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('memory and Blob sources read ranges and refuse to read past the end', async () => {
    for (const s of [memorySource('m.gguf', file), blobSource('m.gguf', new Blob([file]))]) {
      expect(s.size).toBe(1000);
      expect([...await s.read(10, 4)]).toEqual([...file.subarray(10, 14)]);
      expect([...await openSource(s.ref!).read(990, 10)]).toEqual([...file.subarray(990)]); // what a stage worker opens
      await expect(s.read(995, 10)).rejects.toThrow('m.gguf is shorter than expected: bytes 995..1005 are past its end (1000 bytes); the file may be truncated');
    }
  });

  it('a URL is read with Range requests, in pieces of at most RANGE_PIECE bytes', async () => {
    const big = new Uint8Array(SMALL_FILE + 10).fill(3);
    const log: string[] = [];
    vi.stubGlobal('fetch', server(big, true, log));
    const s = await urlSource('https://hub.test/org/m/resolve/main/model.safetensors');
    expect([s.name, s.size, s.wholeFile]).toEqual(['model.safetensors', big.length, false]);
    const got = await s.read(5, RANGE_PIECE + 2);
    expect(got.length).toBe(RANGE_PIECE + 2);
    expect(log).toEqual(['bytes=0-0', `bytes=5-${RANGE_PIECE + 4}`, `bytes=${RANGE_PIECE + 5}-${RANGE_PIECE + 6}`]);
  });

  it('a small file is fetched whole after its size (two requests) and a JSON file at once (one), then read from memory', async () => {
    const log: string[] = [];
    vi.stubGlobal('fetch', server(file, true, log));
    const s = await urlSource('https://hub.test/org/m/resolve/main/model.safetensors');
    expect([s.size, s.wholeFile]).toEqual([1000, true]);
    expect([...await s.read(990, 10)]).toEqual([...file.subarray(990)]);
    expect([...await s.read(0, 3)]).toEqual([...file.subarray(0, 3)]);
    expect(log).toEqual(['bytes=0-0', 'bytes=0-999']); // the reads cost no request
    const json = await urlSource('https://hub.test/org/m/resolve/main/config.json', {}, undefined, true);
    expect([json.size, json.wholeFile]).toEqual([1000, true]);
    expect(log.slice(2)).toEqual(['whole']);
    await expect(s.read(995, 10)).rejects.toThrow(/past its end/);
  });

  it('a server without Range support is read once, whole, into memory', async () => {
    vi.stubGlobal('fetch', server(file, false));
    const s = await urlSource('https://static.test/m.gguf');
    expect([s.size, s.wholeFile]).toEqual([1000, true]);
    expect([...await s.read(1, 2)]).toEqual([7, 14]);
  });

  it('HTTP errors, a network failure, a web page and a short answer are one-line errors', async () => {
    vi.stubGlobal('fetch', async () => new Response('nope', { status: 404, statusText: 'Not Found' }));
    await expect(urlSource('https://hub.test/missing.gguf')).rejects.toThrow('could not download https://hub.test/missing.gguf: HTTP 404 Not Found');
    vi.stubGlobal('fetch', async () => { throw new TypeError('fetch failed'); });
    await expect(urlSource('u.gguf')).rejects.toThrow('could not download u.gguf: fetch failed');
    vi.stubGlobal('fetch', async () => new Response('<!doctype html>', { status: 200, headers: { 'content-type': 'text/html' } }));
    await expect(urlSource('/models/x/config.json')).rejects.toThrow(/not found \(the server answered with a web page\)/);
    vi.stubGlobal('fetch', server(new Uint8Array(SMALL_FILE + 1)));
    const s = await urlSource('https://hub.test/m.gguf');
    vi.stubGlobal('fetch', async () => new Response(file.slice(0, 3), { status: 206, headers: { 'content-range': 'bytes 0-2/1000' } }));
    await expect(s.read(0, 10)).rejects.toThrow('could not download m.gguf: asked the server for 10 bytes at 0, got 3 (HTTP 206)');
    // a small file fetched whole: the short answer fails at once
    await expect(urlSource('https://hub.test/small.gguf')).rejects.toThrow('could not download small.gguf: asked the server for 1000 bytes at 0, got 3 (HTTP 206)');
  });

  it('a GGUF header is read from a growing prefix of the file, and equals the whole-file parse', async () => {
    const { bytes } = tinyLlama();
    const reads: number[] = [];
    const base = memorySource('t.gguf', bytes);
    const counting = { ...base, read: (o: number, n: number) => { reads.push(n); return base.read(o, n); } };
    const header = await readGgufFrom(counting, 64); // a 64-byte first read: the parse asks for more, doubling
    const whole = readGguf(bytes);
    expect(header.tensors).toEqual(whole.tensors);
    expect([...header.metadata.keys()]).toEqual([...whole.metadata.keys()]);
    expect(reads.length).toBeGreaterThan(3);
    expect(reads.slice(0, 3)).toEqual([64, 128, 256]);
    expect(Math.max(...reads)).toBeLessThan(bytes.length); // the tensor data (most of the file) is never read
  });
});
