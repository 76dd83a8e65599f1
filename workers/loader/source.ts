// Where a model file's bytes come from, read by byte range: memory, a Blob/File (the file picker, drag-and-drop),
// or a URL (HTTP Range requests). The file is the master copy of the weights: the engine reads a tensor when it
// needs it (load, a precision switch, a histogram) and drops the bytes after converting them, so nothing holds a
// whole multi-GB file. A SourceRef is the structured-cloneable description of a source, for the pipeline stages'
// workers, which open the same file themselves.

export interface ByteSource {
  readonly name: string;
  readonly size: number;
  /** Bytes [offset, offset + length) of the file; rejects with a one-line message when they cannot be read. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** What another worker needs to open the same bytes (absent: the source can't cross a thread, e.g. a Node file). */
  readonly ref?: SourceRef;
}

export type SourceRef =
  | { kind: 'memory'; name: string; bytes: Uint8Array }
  | { kind: 'blob'; name: string; blob: Blob }
  | { kind: 'url'; name: string; url: string; size: number; headers?: Record<string, string> };

function checkRange(s: { name: string; size: number }, offset: number, length: number): void {
  if (!(Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0 && offset + length <= s.size)) {
    throw new Error(`${s.name} is shorter than expected: bytes ${offset}..${offset + length} are past its end (${s.size} bytes); the file may be truncated`);
  }
}

export function memorySource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name, size: bytes.length, ref: { kind: 'memory', name, bytes },
    async read(offset, length) {
      checkRange(this, offset, length);
      return bytes.subarray(offset, offset + length);
    },
  };
}

export function blobSource(name: string, blob: Blob): ByteSource {
  return {
    name, size: blob.size, ref: { kind: 'blob', name, blob },
    async read(offset, length) {
      checkRange(this, offset, length);
      try {
        return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
      } catch (e) {
        // a File whose disk copy changed or vanished since it was picked
        throw new Error(`could not read ${name} (${e instanceof Error ? e.message : String(e)}): pick the file again`, { cause: e });
      }
    },
  };
}

/** Most bytes one ranged request asks for: a progress tick per piece, and no single huge response body. */
export const RANGE_PIECE = 16 << 20;

/**
 * Files up to this size are fetched whole, in one request, and read from memory: a small model (the embedded
 * default, 3.4 MB) would otherwise cost a round trip per tensor, which was most of its load time in the page.
 */
export const SMALL_FILE = 32 << 20;

/**
 * A URL read with `Range: bytes=a-b` requests. The size comes from the first answer (Content-Range, or
 * Content-Length of a server that ignores ranges). A server without range support is read once, whole, into memory
 * (simple static servers), which the returned source says in `wholeFile`; so is a file of at most SMALL_FILE bytes
 * (one more request, for all of it), and with `whole` the file is fetched at once without asking its size first
 * (the JSON files of a model folder).
 */
export async function urlSource(url: string, headers: Record<string, string> = {}, name = fileName(url), whole = false): Promise<ByteSource & { wholeFile: boolean }> {
  const res = await request(url, whole ? headers : { ...headers, Range: 'bytes=0-0' });
  if (res.status === 206) {
    const size = Number(/\/(\d+)\s*$/.exec(res.headers.get('content-range') ?? '')?.[1]);
    await res.body?.cancel();
    if (!Number.isSafeInteger(size)) throw new Error(`could not download ${url}: the server did not say how large the file is`);
    const ranged = rangedSource(name, url, size, headers);
    if (size > SMALL_FILE || size === 0) return { ...ranged, wholeFile: false };
    return { ...memorySource(name, await ranged.read(0, size)), wholeFile: true };
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { ...memorySource(name, bytes), wholeFile: true };
}

/** A source over a URL whose server answers Range requests; `size` known. */
export function rangedSource(name: string, url: string, size: number, headers: Record<string, string> = {}): ByteSource {
  return {
    name, size, ref: { kind: 'url', name, url, size, headers },
    async read(offset, length) {
      checkRange(this, offset, length);
      const out = new Uint8Array(length);
      for (let done = 0; done < length;) { // in pieces, each its own request
        const n = Math.min(RANGE_PIECE, length - done);
        const res = await request(url, { ...headers, Range: `bytes=${offset + done}-${offset + done + n - 1}` });
        const body = new Uint8Array(await res.arrayBuffer());
        if (res.status !== 206 || body.length !== n) {
          throw new Error(`could not download ${name}: asked the server for ${n} bytes at ${offset + done}, got ${body.length} (HTTP ${res.status})`);
        }
        out.set(body, done);
        done += n;
      }
      return out;
    },
  };
}

async function request(url: string, headers: Record<string, string>): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { headers });
  } catch (e) {
    throw new Error(`could not download ${url}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (!res.ok) throw new Error(`could not download ${url}: HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}`);
  // single-page-app servers (vite preview, many static hosts) answer a missing file with index.html and 200
  if (/^text\/html/i.test(res.headers.get('content-type') ?? '') && !/\.html?$/i.test(new URL(url, 'http://x/').pathname)) {
    await res.body?.cancel();
    throw new Error(`could not download ${url}: not found (the server answered with a web page)`);
  }
  return res;
}

const fileName = (url: string) => decodeURIComponent(new URL(url, 'http://x/').pathname.split('/').pop() || 'model');

/** Opens a source another thread described. */
export function openSource(ref: SourceRef): ByteSource {
  switch (ref.kind) {
    case 'memory': return memorySource(ref.name, ref.bytes);
    case 'blob': return blobSource(ref.name, ref.blob);
    case 'url': return rangedSource(ref.name, ref.url, ref.size, ref.headers);
  }
}

/** A whole (small) file: config.json, tokenizer.json, an index. */
export const readAll = (s: ByteSource) => s.read(0, s.size);
