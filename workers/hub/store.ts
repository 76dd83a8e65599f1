// Where the page keeps downloaded Hub files: the origin private file system (OPFS, `opfs.ts`), or Cache Storage
// where OPFS is missing (`cache-storage.ts`; device.ts picks). Both are a few operations on slash-separated paths,
// so the cache layout (`browser-cache.ts`) is written once. Finished files come back as Blobs (OPFS: a File on disk), read by
// range through the loader's blobSource; nothing here holds a whole weight file in memory.
// References: File System Standard (https://fs.spec.whatwg.org/), Service Workers §Cache (Cache Storage).
import type { PartialFile } from './download.ts';

export type StoreKind = 'opfs' | 'cache-storage';

export interface DeviceStore {
  readonly kind: StoreKind;
  /** A small file's text (a ref, a manifest), or null when absent. */
  readText(path: string): Promise<string | null>;
  writeText(path: string, text: string): Promise<void>;
  /** Names directly inside a folder (files and folders); [] when it does not exist. */
  list(dir: string): Promise<string[]>;
  /** A complete file, read by range (never loaded whole), or null when absent. */
  file(path: string): Promise<Blob | null>;
  /** Bytes of the partial download of `path` (0: none). */
  partialSize(path: string): Promise<number>;
  /** The partial download of `path`; its commit() makes `file(path)` exist. close() when the transfer ends. */
  partial(path: string): Promise<StoredPartial>;
  /** Bytes stored under a path (a file, or a folder and all inside). */
  bytes(path: string): Promise<number>;
  /** Deletes a file or a folder with all inside; nothing when absent. */
  remove(path: string): Promise<void>;
}

/** A PartialFile (workers/hub/download.ts) that holds an open handle until close(). */
export interface StoredPartial extends PartialFile {
  close(): Promise<void>;
}

/** Suffixes of a download in progress, as huggingface_hub names them (the state file is ours). */
export const INCOMPLETE = '.incomplete';
export const HASH_STATE = '.incomplete.sha256-state';

/** "a/b/c" -> ["a", "b", "c"], refusing empty, "." and ".." segments (paths come from repo names and etags). */
export function segments(path: string): string[] {
  const parts = path.split('/').filter((s) => s.length > 0);
  if (parts.some((s) => s === '.' || s === '..')) throw new Error(`not a store path: ${path}`);
  return parts;
}
