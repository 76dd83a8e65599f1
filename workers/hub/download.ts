// A resumable, verifying download of one Hub file into a store: the Node cache's `blobs/<etag>.incomplete`
// (scripts/hub/) or the browser's OPFS. A partial file is continued with `Range: bytes=<have>-` (206), restarted
// when the server ignores the range (200), streamed (one chunk of ~1 MB in memory, never the whole file), counted
// for progress, and checked: the size always, the SHA-256 for LFS files (X-Linked-Etag / `lfs.oid`). A mismatch
// discards the partial file and says so.
// Resuming the hash: hash-wasm's SHA-256 state is saved next to the partial file (`saveState`) every 8 MB and when
// the transfer stops, as [bytes covered: f64 LE][hasher state]; a resumed download loads it and hashes only the
// bytes the state does not cover, read back from the partial file. A partial file without a state (an interrupted
// huggingface_hub download, a state from another hash-wasm build) is re-hashed from its start.
import { createSHA256, type IHasher } from 'hash-wasm';
import { causeText, HubError } from './errors.ts';
import type { FileInfo, HubClient } from './client.ts';

/** The partial file of one download, as the store keeps it. */
export interface PartialFile {
  /** Bytes already written (0: no partial file). */
  size(): Promise<number>;
  /** Bytes [offset, offset + length) of the partial file (to re-hash it on resume). */
  read(offset: number, length: number): Promise<Uint8Array>;
  append(bytes: Uint8Array): Promise<void>;
  truncate(size: number): Promise<void>;
  /** The saved hasher state, opaque to the store; null when there is none. */
  loadState(): Promise<Uint8Array | null>;
  saveState(state: Uint8Array): Promise<void>;
  /** The partial file becomes the complete one (a rename); the state is dropped. */
  commit(): Promise<void>;
  /** The partial file and its state are deleted. */
  discard(): Promise<void>;
}

export interface DownloadProgress {
  path: string;
  done: number; // bytes of the file on the device now
  total: number;
  fetched: number; // bytes received by this call (the rest was there before)
}

export interface DownloadResult {
  resumedFrom: number; // bytes kept from an earlier, interrupted download
  fetched: number; // bytes received now
}

const FLUSH = 1 << 20; // bytes gathered before one append
const SAVE_EVERY = 8 << 20; // bytes between two saved hash states
const REHASH_PIECE = 16 << 20;

/** Downloads `info` into `part`, continuing what is there, then verifies and commits it. */
export async function downloadFile(client: HubClient, info: FileInfo, part: PartialFile, onProgress?: (p: DownloadProgress) => void): Promise<DownloadResult> {
  const hasher = info.sha256 ? await createSHA256() : null;
  let have = await part.size();
  if (have > info.size) { await part.truncate(0); have = 0; }
  if (hasher) await restoreHash(hasher, part, have);
  const resumedFrom = have;
  let fetched = 0;
  const report = () => onProgress?.({ path: info.path, done: have, total: info.size, fetched });
  const saveState = async () => { if (hasher) await part.saveState(packState(have, hasher.save())); };

  if (have < info.size) {
    const res = await client.get(info, have);
    if (res.status === 200 && have > 0) { // the server ignored the Range: start over
      await part.truncate(0);
      have = 0;
      hasher?.init();
    } else if (res.status === 206) {
      const start = Number(/^bytes (\d+)-/.exec(res.headers.get('Content-Range') ?? '')?.[1]);
      if (start !== have) {
        await res.body?.cancel();
        throw new HubError('BadResponse', `${info.path}: asked for bytes from ${have}, the server sent them from ${start}`);
      }
    }
    if (!res.body) throw new HubError('BadResponse', `${info.path}: the answer has no body`);
    const reader = res.body.getReader();
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let sinceSave = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const bytes = pending.length === 1 ? pending[0] : concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      await part.append(bytes);
      hasher?.update(bytes);
      have += bytes.length;
      sinceSave += bytes.length;
      if (sinceSave >= SAVE_EVERY) { await saveState(); sinceSave = 0; }
      report();
    };
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (e) { // the connection dropped: keep what arrived, and the hash state that covers it
          await flush();
          await saveState();
          throw dropped(info, have, e);
        }
        if (chunk.done) break;
        if (have + pendingBytes + chunk.value.length > info.size) {
          await reader.cancel().catch(() => {});
          await part.discard();
          throw new HubError('Integrity', `${info.path} of ${info.repo}: the server sent more than its ${info.size} bytes: discarded the download; run again`);
        }
        pending.push(chunk.value);
        pendingBytes += chunk.value.length;
        fetched += chunk.value.length;
        if (pendingBytes >= FLUSH) await flush();
      }
      await flush();
    } catch (e) {
      await reader.cancel().catch(() => {});
      if (isDiskFull(e)) {
        throw new HubError('DiskFull', `the disk filled up while writing ${info.path} (${have} of ${info.size} bytes written): free ${info.size - have} bytes and run again to resume`, null, true, { cause: e });
      }
      throw e;
    }
    if (have < info.size) {
      await saveState();
      throw dropped(info, have, new Error('the answer ended early'));
    }
  }
  if (hasher) {
    const got = hasher.digest('hex');
    if (got !== info.sha256) {
      await part.discard();
      throw new HubError('Integrity', `${info.path} of ${info.repo} has the wrong SHA-256 (${got.slice(0, 12)}..., expected ${info.sha256!.slice(0, 12)}...): discarded it; run again`);
    }
  }
  await part.commit();
  report();
  return { resumedFrom, fetched };
}

/** SHA-256 of a whole stored file, read by pieces (checks a cached blob). */
export async function sha256Of(size: number, read: (offset: number, length: number) => Promise<Uint8Array>): Promise<string> {
  const h = await createSHA256();
  for (let off = 0; off < size; off += REHASH_PIECE) h.update(await read(off, Math.min(REHASH_PIECE, size - off)));
  return h.digest('hex');
}

/** Loads the saved state, or re-hashes the partial file; ends with the hasher covering all `have` bytes. */
async function restoreHash(hasher: IHasher, part: PartialFile, have: number): Promise<void> {
  hasher.init();
  let covered = 0;
  const saved = have > 0 ? await part.loadState() : null;
  if (saved && saved.length > 8) {
    const count = new DataView(saved.buffer, saved.byteOffset, 8).getFloat64(0, true);
    if (Number.isSafeInteger(count) && count > 0 && count <= have) {
      try {
        hasher.load(saved.subarray(8));
        covered = count;
      } catch {
        hasher.init(); // a state from another build: re-hash
      }
    }
  }
  for (let off = covered; off < have; off += REHASH_PIECE) hasher.update(await part.read(off, Math.min(REHASH_PIECE, have - off)));
}

function packState(count: number, state: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + state.length);
  new DataView(out.buffer).setFloat64(0, count, true);
  out.set(state, 8);
  return out;
}

function concat(parts: Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

const dropped = (info: FileInfo, have: number, e: unknown) => new HubError('Network',
  `the connection dropped while downloading ${info.path} of ${info.repo} (${have} of ${info.size} bytes kept: ${causeText(e)}): run again to resume`,
  null, true, { cause: e });

/** ENOSPC (Node) or QuotaExceededError (OPFS). */
const isDiskFull = (e: unknown) => (e as { code?: string })?.code === 'ENOSPC' || (e as { name?: string })?.name === 'QuotaExceededError';
