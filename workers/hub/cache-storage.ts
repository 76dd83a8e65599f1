// Cache Storage as a DeviceStore (store.ts), for browsers without OPFS. A Cache holds Responses under URLs, so
// a path is the URL `<origin>/__hub__/<path>` and a large file is stored as numbered chunks of about 16 MiB,
// `<path>.chunks/<offset>-<length>` (a download resumes per chunk: bytes not yet in a chunk are fetched again),
// plus a marker entry at `<path>` once it is complete and verified. A finished file is read back as one Blob made
// of the chunks' Blobs (by reference, not copied), so the loader's blobSource reads it by range.
// Reference: https://w3c.github.io/ServiceWorker/#cache-interface
import { HASH_STATE, INCOMPLETE, segments, type DeviceStore, type StoredPartial } from './store.ts';

export const CHUNK = 16 << 20;
const KIND = 'X-Hub-Kind'; // 'text' or 'blob' (the marker of a complete chunked file)

interface Chunk { key: string; offset: number; length: number }

/** `chunk`: bytes per stored chunk (tests use small ones); `base`: the URL the paths hang under. */
export function cacheStorageStore(cache: Cache, { chunk = CHUNK, base = new URL('/__hub__/', globalThis.location.origin).href } = {}): DeviceStore {
  const url = (path: string) => base + segments(path).map(encodeURIComponent).join('/');
  const pathOf = (u: string) => u.startsWith(base) ? u.slice(base.length).split('/').map(decodeURIComponent).join('/') : null;
  const keys = async () => (await cache.keys()).map((r) => pathOf(r.url)).filter((p): p is string => p !== null);
  const chunksOf = async (path: string): Promise<Chunk[]> => {
    const prefix = `${segments(path).join('/')}.chunks/`;
    return (await keys()).filter((k) => k.startsWith(prefix)).map((key) => {
      const [offset, length] = key.slice(prefix.length).split('-').map(Number);
      return { key, offset, length };
    }).filter((c) => Number.isSafeInteger(c.offset) && Number.isSafeInteger(c.length)).sort((a, b) => a.offset - b.offset);
  };
  const put = (path: string, body: BodyInit, kind: string) => cache.put(url(path), new Response(body, { headers: { [KIND]: kind } }));
  const del = async (path: string) => { await cache.delete(url(path)); };
  const blobOf = async (chunks: Chunk[]) => {
    const parts = [];
    for (const c of chunks) {
      const r = await cache.match(url(c.key));
      if (!r) return null;
      parts.push(await r.blob()); // a handle on the stored body (Chromium: on disk)
    }
    return new Blob(parts);
  };
  /** The keys a path owns: itself, what is inside it, its chunks and its hash state. */
  const owned = async (path: string) => {
    const p = segments(path).join('/');
    return (await keys()).filter((k) => k === p || k.startsWith(`${p}/`) || k.startsWith(`${p}.chunks/`) || k === p + HASH_STATE);
  };

  const store: DeviceStore = {
    kind: 'cache-storage',
    readText: async (path) => (await cache.match(url(path)))?.text() ?? null,
    writeText: (path, text) => put(path, text, 'text'),
    list: async (dir) => {
      const prefix = `${segments(dir).join('/')}/`;
      const names = new Set<string>();
      const complete = new Set<string>();
      for (const k of await keys()) {
        if (!k.startsWith(prefix)) continue;
        const name = k.slice(prefix.length).split('/')[0];
        if (name.endsWith('.chunks')) names.add(name.slice(0, -'.chunks'.length) + INCOMPLETE); // until its marker
        else { names.add(name); complete.add(name + INCOMPLETE); }
      }
      return [...names].filter((n) => !complete.has(n));
    },
    file: async (path) => {
      const marker = await cache.match(url(path));
      if (!marker) return null;
      if (marker.headers.get(KIND) !== 'blob') return marker.blob();
      const { size } = (await marker.json()) as { size: number };
      const chunks = await chunksOf(path);
      if (!contiguous(chunks, size)) return null; // a chunk went missing (evicted): fetch the file again
      return blobOf(chunks);
    },
    partialSize: async (path) => (await cache.match(url(path))) ? 0 : end(await chunksOf(path)),
    partial: async (path) => {
      const chunks = await chunksOf(path);
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      const stored = () => end(chunks);
      const flush = async () => {
        if (pendingBytes === 0) return;
        const bytes = concat(pending, pendingBytes);
        const c = { key: `${segments(path).join('/')}.chunks/${stored()}-${bytes.length}`, offset: stored(), length: bytes.length };
        pending = [];
        pendingBytes = 0;
        await put(c.key, bytes as Uint8Array<ArrayBuffer>, 'chunk');
        chunks.push(c);
      };
      const partial: StoredPartial = {
        size: async () => stored() + pendingBytes,
        read: async (offset, length) => new Uint8Array(await (await blobOf(chunks))!.slice(offset, offset + length).arrayBuffer()),
        append: async (bytes) => {
          pending.push(bytes.slice()); // the caller may reuse its buffer
          pendingBytes += bytes.length;
          if (pendingBytes >= chunk) await flush();
        },
        truncate: async (size) => {
          await flush();
          while (chunks.length && chunks[chunks.length - 1].offset >= size) await del(chunks.pop()!.key);
          const last = chunks[chunks.length - 1];
          if (last && end([last]) > size) { // keep the head of the chunk that straddles the cut
            const head = new Uint8Array(await (await blobOf([last]))!.slice(0, size - last.offset).arrayBuffer());
            chunks.pop();
            await del(last.key);
            pending = [head];
            pendingBytes = head.length;
            await flush();
          }
        },
        loadState: async () => {
          const r = await cache.match(url(path + HASH_STATE));
          return r ? new Uint8Array(await r.arrayBuffer()) : null;
        },
        saveState: async (state) => {
          await flush(); // the state never covers bytes that are not stored
          await put(path + HASH_STATE, state as Uint8Array<ArrayBuffer>, 'state');
        },
        commit: async () => {
          await flush();
          await put(path, JSON.stringify({ size: stored(), chunks: chunks.length }), 'blob');
          await del(path + HASH_STATE);
        },
        discard: async () => {
          pending = [];
          pendingBytes = 0;
          for (const k of await owned(path)) await del(k);
          chunks.length = 0;
        },
        close: flush,
      };
      return partial;
    },
    bytes: async (path) => {
      let n = 0;
      for (const k of await owned(path)) {
        const m = /\.chunks\/\d+-(\d+)$/.exec(k);
        n += m ? Number(m[1]) : (await (await cache.match(url(k)))?.blob())?.size ?? 0;
      }
      return n;
    },
    remove: async (path) => { for (const k of await owned(path)) await del(k); },
  };
  return store;
}

const end = (chunks: Chunk[]) => (chunks.length ? chunks[chunks.length - 1].offset + chunks[chunks.length - 1].length : 0);

function contiguous(chunks: Chunk[], size: number): boolean {
  let at = 0;
  for (const c of chunks) {
    if (c.offset !== at) return false;
    at += c.length;
  }
  return at === size;
}

function concat(parts: Uint8Array[], n: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
