// The page's Hub cache, in huggingface_hub's layout as far as browser storage allows (docs/hub.md):
//   hub/models--{org}--{name}/
//     blobs/<etag>                 the file's bytes, named by its etag (git sha1, or the SHA-256 of an LFS file)
//     blobs/<etag>.incomplete      a download in progress, with `.incomplete.sha256-state` beside it
//     refs/<revision>              the commit the branch or tag resolved to
//     snapshots/<commit>.json      { files: { path: { etag, size, sha256 } } }: OPFS has no symlinks, so a manifest
//     meta.json                    { id, lastUsed }: the id last loaded and when (ours alone)
// A snapshot manifest is written only once every file it names is complete and verified, so a model is never
// seen as cached when half of it is here.
import type { CachedModel } from '../api.ts';
import type { FileInfo } from './client.ts';
import { isCommit } from './id.ts';
import type { DeviceStore } from './store.ts';

export const HUB_DIR = 'hub';

export interface SnapshotFile { etag: string; size: number; sha256: string | null }
export interface Snapshot { commit: string; files: Record<string, SnapshotFile> }
interface Meta { id?: string; lastUsed?: number }

export const repoFolderName = (repo: string) => `models--${repo.split('/').join('--')}`;
const repoFromFolder = (folder: string) => folder.replace(/^models--/, '').split('--').join('/');

/** One repo's folder in the store. */
export class RepoStore {
  readonly dir: string;

  constructor(readonly store: DeviceStore, readonly repo: string) {
    this.dir = `${HUB_DIR}/${repoFolderName(repo)}`;
  }

  blobPath(etag: string): string { return `${this.dir}/blobs/${etag}`; }

  /** The complete blob when it is here with the right size, else null. */
  async blob(f: { etag: string; size: number }): Promise<Blob | null> {
    const b = await this.store.file(this.blobPath(f.etag));
    return b && b.size === f.size ? b : null;
  }

  partial(etag: string) { return this.store.partial(this.blobPath(etag)); }
  partialSize(etag: string) { return this.store.partialSize(this.blobPath(etag)); }

  /** The commit a revision names here: itself when its snapshot is here, else what refs/<revision> holds. */
  async commitOf(revision: string): Promise<string | null> {
    if (isCommit(revision) && (await this.readSnapshot(revision))) return revision;
    const commit = (await this.store.readText(`${this.dir}/refs/${revision}`))?.trim() ?? null;
    return commit && isCommit(commit) ? commit : null;
  }

  async writeRef(revision: string, commit: string): Promise<void> {
    if (revision === commit) return;
    await this.store.writeText(`${this.dir}/refs/${revision}`, commit);
  }

  async readSnapshot(commit: string): Promise<Snapshot | null> {
    const text = await this.store.readText(`${this.dir}/snapshots/${commit}.json`);
    try {
      const s = text === null ? null : (JSON.parse(text) as Snapshot);
      return s && typeof s.files === 'object' && s.files !== null ? { commit, files: s.files } : null;
    } catch {
      return null; // written halfway: as if absent
    }
  }

  /** Adds complete files to the commit's manifest (a GGUF repo gains one file per model picked). */
  async addToSnapshot(commit: string, files: FileInfo[]): Promise<void> {
    const s = (await this.readSnapshot(commit)) ?? { commit, files: {} };
    for (const f of files) s.files[f.path] = { etag: f.etag, size: f.size, sha256: f.sha256 };
    await this.store.writeText(`${this.dir}/snapshots/${commit}.json`, JSON.stringify({ files: s.files }));
  }

  async meta(): Promise<Meta> {
    try { return JSON.parse((await this.store.readText(`${this.dir}/meta.json`)) ?? '{}') as Meta; } catch { return {}; }
  }

  /** Remembers what was asked for (what "Models on this device" loads or resumes) and, once loaded, when. */
  async touch(id: string, loaded = true): Promise<void> {
    const lastUsed = loaded ? Date.now() : (await this.meta()).lastUsed;
    await this.store.writeText(`${this.dir}/meta.json`, JSON.stringify({ id, lastUsed }));
  }

  /** Every ref, `refs/pr/1` included: revision -> commit. */
  async refs(): Promise<{ revision: string; commit: string }[]> {
    const out: { revision: string; commit: string }[] = [];
    const walk = async (under: string) => {
      for (const name of await this.store.list(`${this.dir}/refs${under}`)) {
        const text = await this.store.readText(`${this.dir}/refs${under}/${name}`);
        if (text === null) await walk(`${under}/${name}`);
        else if (isCommit(text.trim())) out.push({ revision: `${under}/${name}`.slice(1), commit: text.trim() });
      }
    };
    await walk('');
    return out;
  }
}

/** The repos in the store, most recently used first. */
export async function listCachedModels(store: DeviceStore): Promise<CachedModel[]> {
  const out: CachedModel[] = [];
  for (const folder of await store.list(HUB_DIR)) {
    if (!folder.startsWith('models--')) continue;
    const r = new RepoStore(store, repoFromFolder(folder));
    const commits = (await store.list(`${r.dir}/snapshots`)).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)).filter(isCommit);
    const snapshots = (await Promise.all(commits.map((c) => r.readSnapshot(c)))).filter((s): s is Snapshot => s !== null);
    const meta = await r.meta();
    const paths = snapshots.flatMap((s) => Object.keys(s.files));
    const gguf = meta.id ? /\.gguf(@|$)/i.test(meta.id) : paths.some((p) => p.endsWith('.gguf')) && !paths.includes('config.json');
    out.push({
      repo: r.repo,
      id: meta.id ?? `hf:${r.repo}`,
      kind: gguf ? 'gguf' : 'hf',
      revisions: await r.refs(),
      commits: snapshots.map((s) => s.commit),
      bytes: await store.bytes(r.dir),
      lastUsed: typeof meta.lastUsed === 'number' ? meta.lastUsed : null,
      complete: snapshots.length > 0,
    });
  }
  return out.sort((a, b) => (b.lastUsed ?? 0) - (a.lastUsed ?? 0) || a.repo.localeCompare(b.repo));
}

/** Removes a repo's folder: every snapshot, blob and partial download. */
export async function deleteCachedRepo(store: DeviceStore, repo: string): Promise<void> {
  await store.remove(new RepoStore(store, repo).dir);
}
