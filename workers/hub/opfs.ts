// The origin private file system as a DeviceStore (store.ts). A download appends through a
// FileSystemSyncAccessHandle (dedicated workers: in place, by offset, flushed before each saved hash state, so a
// reload resumes from what is on disk); where that is missing (the main thread) through a writable stream opened
// once per download with keepExistingData, which makes its bytes durable when it closes. A finished file is
// renamed from `<name>.incomplete` (FileSystemHandle.move, or a copy) and read back as a File: bytes on disk.
// References: https://fs.spec.whatwg.org/ (OPFS, sync access handles), https://web.dev/articles/origin-private-file-system
import { HASH_STATE, INCOMPLETE, segments, type DeviceStore, type StoredPartial } from './store.ts';

/** The members this file uses that only some libs (WebWorker) or only some browsers (move) declare. */
interface SyncHandle {
  read(buffer: Uint8Array, options: { at: number }): number;
  write(buffer: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
}
type FileHandle = FileSystemFileHandle & {
  createSyncAccessHandle?: () => Promise<SyncHandle>;
  move?: (name: string) => Promise<void>;
};
type Dir = FileSystemDirectoryHandle & { entries(): AsyncIterable<[string, FileSystemHandle]> };

/** Reads, appends and truncates one partial file, by either kind of handle. */
interface PartialIO {
  size(): number;
  read(offset: number, length: number): Promise<Uint8Array>;
  append(bytes: Uint8Array): Promise<void>;
  truncate(size: number): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

const missing = (e: unknown) => ['NotFoundError', 'TypeMismatchError'].includes((e as { name?: string })?.name ?? '');

export function opfsStore(root: FileSystemDirectoryHandle): DeviceStore {
  const dirAt = async (parts: string[], create: boolean): Promise<Dir | null> => {
    let d = root as Dir;
    for (const p of parts) {
      try { d = (await d.getDirectoryHandle(p, { create })) as Dir; } catch (e) { if (missing(e)) return null; throw e; }
    }
    return d;
  };
  const parentOf = async (path: string, create: boolean) => {
    const parts = segments(path);
    return { dir: await dirAt(parts.slice(0, -1), create), name: parts[parts.length - 1] };
  };
  const fileAt = async (path: string): Promise<File | null> => {
    const { dir, name } = await parentOf(path, false);
    return dir ? fileIn(dir, name) : null;
  };

  return {
    kind: 'opfs',
    readText: async (path) => (await fileAt(path))?.text() ?? null,
    writeText: async (path, text) => {
      const { dir, name } = await parentOf(path, true);
      await writeWhole((await dir!.getFileHandle(name, { create: true })) as FileHandle, new TextEncoder().encode(text));
    },
    list: async (path) => {
      const dir = await dirAt(segments(path), false);
      const out: string[] = [];
      if (dir) for await (const [name] of dir.entries()) out.push(name);
      return out;
    },
    file: fileAt,
    partialSize: async (path) => (await fileAt(path + INCOMPLETE).catch(() => null))?.size ?? 0, // locked: being written
    partial: async (path) => {
      const { dir, name } = await parentOf(path, true);
      return opfsPartial(dir!, name);
    },
    bytes: async (path) => {
      const { dir, name } = await parentOf(path, false);
      if (!dir) return 0;
      const file = await fileIn(dir, name).catch(() => null);
      if (file) return file.size;
      const inside = await dirAt(segments(path), false);
      return inside ? folderBytes(inside) : 0;
    },
    remove: async (path) => {
      const { dir, name } = await parentOf(path, false);
      if (dir) await removeIn(dir, name);
    },
  };
}

/** `<name>.incomplete` and its hash state in `dir`; commit renames it to `<name>`. */
async function opfsPartial(dir: Dir, name: string): Promise<StoredPartial> {
  const handle = (await dir.getFileHandle(name + INCOMPLETE, { create: true })) as FileHandle;
  const io = typeof handle.createSyncAccessHandle === 'function' ? await syncIO(handle, name) : await writableIO(handle);
  const stateName = name + HASH_STATE;
  return {
    size: async () => io.size(),
    read: (offset, length) => io.read(offset, length),
    append: (bytes) => io.append(bytes),
    truncate: (size) => io.truncate(size),
    loadState: async () => {
      const f = await fileIn(dir, stateName);
      return f ? new Uint8Array(await f.arrayBuffer()) : null;
    },
    saveState: async (state) => {
      await io.flush(); // the state never covers bytes that are not on disk
      await writeWhole((await dir.getFileHandle(stateName, { create: true })) as FileHandle, state);
    },
    commit: async () => {
      await io.close();
      await removeIn(dir, name);
      await rename(dir, handle, name);
      await removeIn(dir, stateName);
    },
    discard: async () => {
      await io.close();
      await removeIn(dir, name + INCOMPLETE);
      await removeIn(dir, stateName);
    },
    close: () => io.close(),
  };
}

/** In place, by offset (workers). The handle locks the file until closed: another tab cannot write it meanwhile. */
async function syncIO(handle: FileHandle, name: string): Promise<PartialIO> {
  let h: SyncHandle;
  try {
    h = await handle.createSyncAccessHandle!();
  } catch (e) {
    if ((e as { name?: string })?.name === 'NoModificationAllowedError') throw new Error(`${name} is being downloaded by another tab of this page: wait for it, or close that tab`, { cause: e });
    throw e;
  }
  let open = true;
  return {
    size: () => h.getSize(),
    read: async (offset, length) => {
      const out = new Uint8Array(length);
      return out.subarray(0, h.read(out, { at: offset }));
    },
    append: async (bytes) => {
      const at = h.getSize();
      for (let done = 0; done < bytes.length;) {
        const n = h.write(bytes.subarray(done), { at: at + done });
        if (!(n > 0)) throw new Error(`could not write ${name} to the browser's storage`);
        done += n;
      }
    },
    truncate: async (size) => h.truncate(size),
    flush: async () => h.flush(),
    close: async () => {
      if (!open) return;
      open = false;
      h.flush();
      h.close();
    },
  };
}

/** A writable stream kept open for the whole download (the main thread); durable when closed. */
async function writableIO(handle: FileHandle): Promise<PartialIO> {
  let size = (await handle.getFile()).size;
  let stream: FileSystemWritableFileStream | null = null;
  const writer = async () => {
    if (!stream) {
      stream = await handle.createWritable({ keepExistingData: true });
      await stream.seek(size);
    }
    return stream;
  };
  return {
    size: () => size,
    read: async (offset, length) => new Uint8Array(await (await handle.getFile()).slice(offset, offset + length).arrayBuffer()),
    append: async (bytes) => {
      await (await writer()).write(bytes as Uint8Array<ArrayBuffer>);
      size += bytes.length;
    },
    truncate: async (n) => {
      const w = await writer();
      await w.truncate(n);
      await w.seek(n);
      size = n;
    },
    flush: async () => {}, // a reload loses what was written since the stream opened; the state then re-hashes
    close: async () => {
      const w = stream;
      stream = null;
      await w?.close();
    },
  };
}

/** A whole small file, replacing what was there. */
async function writeWhole(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  if (typeof handle.createSyncAccessHandle === 'function') {
    const h = await handle.createSyncAccessHandle();
    try {
      h.truncate(0);
      h.write(bytes, { at: 0 });
      h.flush();
    } finally {
      h.close();
    }
    return;
  }
  const w = await handle.createWritable();
  await w.write(bytes as Uint8Array<ArrayBuffer>);
  await w.close();
}

/** `<name>.incomplete` becomes `<name>`: a rename where the browser has move(), else a copy. */
async function rename(dir: Dir, handle: FileHandle, to: string): Promise<void> {
  if (typeof handle.move === 'function') return handle.move(to);
  const from = handle.name;
  const out = await (await dir.getFileHandle(to, { create: true })).createWritable();
  await (await handle.getFile()).stream().pipeTo(out);
  await removeIn(dir, from);
}

async function fileIn(dir: FileSystemDirectoryHandle, name: string): Promise<File | null> {
  try {
    return await (await dir.getFileHandle(name)).getFile();
  } catch (e) {
    if (missing(e)) return null;
    throw e;
  }
}

async function removeIn(dir: FileSystemDirectoryHandle, name: string): Promise<void> {
  try {
    await dir.removeEntry(name, { recursive: true });
  } catch (e) {
    if (!missing(e)) throw e;
  }
}

async function folderBytes(dir: Dir): Promise<number> {
  let n = 0;
  for await (const [, h] of dir.entries()) {
    if (h.kind === 'directory') n += await folderBytes(h as Dir);
    else n += (await (h as FileSystemFileHandle).getFile().catch(() => null))?.size ?? 0; // locked: being written
  }
  return n;
}
