// huggingface_hub's cache layout on disk (huggingface_hub/file_download.py, "Manage the cache" guide), so a model
// downloaded by Python is used here and the other way round:
//   $HF_HUB_CACHE/models--{org}--{name}/
//     blobs/<etag>                 the file's bytes; named by its ETag (git sha1, or the SHA-256 of an LFS file)
//     blobs/<etag>.incomplete      a download in progress (resumed by both)
//     snapshots/<commit>/<path>    a RELATIVE symlink to ../../blobs/<etag> (a copy where links fail)
//     refs/<revision>              the commit the branch or tag pointed to when last resolved
// Ours alone, ignored by huggingface_hub: `blobs/<etag>.incomplete.sha256-state` (the resumable hash of a
// partial LFS download) and `.locks/models--{org}--{name}/<etag>.verified` (size and mtime of a blob whose SHA-256
// was checked, so a multi-GB blob is hashed once, not on every run).
import { constants, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync, type Stats } from 'node:fs';
import { appendFile, open, readFile, rm, truncate, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { PartialFile } from '../../workers/hub/download.ts';
import { isCommit } from '../../workers/hub/id.ts';

export const repoFolderName = (repo: string) => `models--${repo.split('/').join('--')}`;
export const repoFromFolder = (folder: string) => folder.replace(/^models--/, '').split('--').join('/');

export class RepoCache {
  readonly dir: string;
  readonly blobs: string;
  private readonly locks: string;

  constructor(readonly cacheDir: string, readonly repo: string) {
    this.dir = join(cacheDir, repoFolderName(repo));
    this.blobs = join(this.dir, 'blobs');
    this.locks = join(cacheDir, '.locks', repoFolderName(repo));
  }

  blob(etag: string): string { return join(this.blobs, etag); }
  snapshot(commit: string): string { return join(this.dir, 'snapshots', commit); }
  pointer(commit: string, path: string): string { return join(this.snapshot(commit), ...path.split('/')); }

  /** The commit a revision names here: itself when it is a cached commit, else what refs/<revision> holds. */
  commitOf(revision: string): string | null {
    if (isCommit(revision) && existsSync(this.snapshot(revision))) return revision;
    try {
      const commit = readFileSync(join(this.dir, 'refs', ...revision.split('/')), 'utf8').trim();
      return isCommit(commit) ? commit : null;
    } catch {
      return null;
    }
  }

  /** refs/<revision> = commit, as huggingface_hub writes it (not for a revision that is the commit itself). */
  writeRef(revision: string, commit: string): void {
    if (revision === commit) return;
    const path = join(this.dir, 'refs', ...revision.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path) && readFileSync(path, 'utf8').trim() === commit) return;
    writeFileSync(path, commit);
  }

  /** snapshots/<commit>/<path> -> ../../blobs/<etag>, relative; a copy where the file system has no symlinks. */
  link(commit: string, path: string, etag: string): string {
    const pointer = this.pointer(commit, path);
    const target = relative(dirname(pointer), this.blob(etag));
    const existing = lstatOrNull(pointer);
    if (existing?.isSymbolicLink() && readlinkSync(pointer) === target && existsSync(pointer)) return pointer;
    if (existing) rmSync(pointer, { force: true });
    mkdirSync(dirname(pointer), { recursive: true });
    try {
      symlinkSync(target, pointer);
    } catch {
      copyFileSync(this.blob(etag), pointer, constants.COPYFILE_FICLONE);
    }
    return pointer;
  }

  /** The blob's bytes on disk, or null. */
  blobStats(etag: string): Stats | null {
    try { return statSync(this.blob(etag)); } catch { return null; }
  }

  /** Whether the blob's SHA-256 was checked while it had this size and mtime. */
  verified(etag: string, s: Stats): boolean {
    try { return readFileSync(join(this.locks, `${etag}.verified`), 'utf8') === stamp(s); } catch { return false; }
  }

  markVerified(etag: string): void {
    const s = this.blobStats(etag);
    if (!s) return;
    mkdirSync(this.locks, { recursive: true });
    writeFileSync(join(this.locks, `${etag}.verified`), stamp(s));
  }

  /** Removes a blob (wrong size or hash); a short LFS blob becomes the partial file, to be resumed and re-hashed. */
  dropBlob(etag: string, resumable: boolean): void {
    const incomplete = `${this.blob(etag)}.incomplete`;
    if (resumable && !existsSync(incomplete)) renameSync(this.blob(etag), incomplete);
    else rmSync(this.blob(etag), { force: true });
    rmSync(join(this.locks, `${etag}.verified`), { force: true });
  }

  /** Bytes of the partial download of a blob (0: none). */
  partialSize(etag: string): number {
    try { return statSync(`${this.blob(etag)}.incomplete`).size; } catch { return 0; }
  }

  /** The partial download of a blob: `blobs/<etag>.incomplete`, renamed to `blobs/<etag>` on commit. */
  partial(etag: string): PartialFile {
    const blob = this.blob(etag);
    const path = `${blob}.incomplete`;
    const state = `${path}.sha256-state`;
    mkdirSync(this.blobs, { recursive: true });
    return {
      size: async () => (await stat(path).catch(() => null))?.size ?? 0,
      read: async (offset, length) => {
        const fh = await open(path, 'r');
        try {
          const out = new Uint8Array(length);
          const { bytesRead } = await fh.read(out, 0, length, offset);
          return out.subarray(0, bytesRead);
        } finally {
          await fh.close();
        }
      },
      append: (bytes) => appendFile(path, bytes),
      truncate: async (size) => { await truncate(path, size).catch((e) => { if (e.code !== 'ENOENT') throw e; }); },
      loadState: async () => readFile(state).then((b) => new Uint8Array(b), () => null),
      saveState: (bytes) => writeFile(state, bytes),
      commit: async () => {
        await rename(path, blob);
        await rm(state, { force: true });
      },
      discard: async () => {
        await rm(path, { force: true });
        await rm(state, { force: true });
      },
    };
  }
}

const stamp = (s: Stats) => `${s.size} ${s.mtimeMs}`;

export function lstatOrNull(path: string): Stats | null {
  try { return lstatSync(path); } catch { return null; }
}
