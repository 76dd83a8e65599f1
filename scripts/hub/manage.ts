// `models list` and `models rm ID[@revision]`: what huggingface_hub's `scan_cache_dir` and `delete-cache` do,
// for model repos. A repo's size is its blobs on disk (partial downloads counted apart); its revisions are the
// refs and the snapshots no ref names. Removing a revision removes its snapshot, the refs naming it, and the blobs
// no other snapshot links to.
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { HubError } from '../../workers/hub/errors.ts';
import { formatBytes } from '../../workers/hub/files.ts';
import { formatHubId, parseHubId } from '../../workers/hub/id.ts';
import { lstatOrNull, repoFolderName, repoFromFolder, RepoCache } from './cache.ts';

export interface CachedRepo {
  repo: string;
  revisions: { revision: string | null; commit: string }[]; // revision null: a snapshot no ref names
  size_bytes: number; // complete blobs
  incomplete_bytes: number; // partial downloads
  last_modified: string | null; // ISO time of the newest blob
  path: string;
}

export function listModels(cacheDir: string): CachedRepo[] {
  if (!existsSync(cacheDir)) return [];
  return readdirSync(cacheDir).filter((d) => d.startsWith('models--')).sort().map((folder) => {
    const cache = new RepoCache(cacheDir, repoFromFolder(folder));
    const refs = files(join(cache.dir, 'refs')).map((r) => ({ revision: r, commit: readFileSync(join(cache.dir, 'refs', r), 'utf8').trim() }));
    const snapshots = dirs(join(cache.dir, 'snapshots'));
    const unnamed = snapshots.filter((c) => !refs.some((r) => r.commit === c)).map((commit) => ({ revision: null, commit }));
    let size = 0, incomplete = 0, newest = 0;
    for (const b of files(cache.blobs)) {
      const s = statSync(join(cache.blobs, b));
      if (b.endsWith('.incomplete')) incomplete += s.size;
      else if (!b.includes('.')) { size += s.size; newest = Math.max(newest, s.mtimeMs); }
    }
    return {
      repo: cache.repo, revisions: [...refs, ...unnamed], size_bytes: size, incomplete_bytes: incomplete,
      last_modified: newest ? new Date(newest).toISOString() : null, path: cache.dir,
    };
  });
}

export function printModels(repos: CachedRepo[], cacheDir: string): void {
  if (repos.length === 0) { console.log(`no models in ${cacheDir}`); return; }
  const rows = repos.map((r) => [
    r.repo,
    r.revisions.map((v) => (v.revision ? `${v.revision} (${v.commit.slice(0, 10)})` : v.commit.slice(0, 10))).join(', ') || '-',
    formatBytes(r.size_bytes) + (r.incomplete_bytes ? ` (+${formatBytes(r.incomplete_bytes)} partial)` : ''),
    r.last_modified ? r.last_modified.slice(0, 16).replace('T', ' ') : '-',
  ]);
  const head = ['repo', 'revisions', 'size on disk', 'last modified'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(width[i])).join('  ').trimEnd());
  console.log(`(${cacheDir})`);
}

/** Removes a repo, or one revision of it; returns what was freed, in one line. */
export function removeModel(cacheDir: string, text: string): string {
  const id = parseHubId(text);
  if (id.file) throw new HubError('NotAModel', `models rm takes a repo (hf:${id.repo}) or a revision of it (hf:${id.repo}@REV), not a file`);
  const cache = new RepoCache(cacheDir, id.repo);
  if (!existsSync(cache.dir)) throw new HubError('Offline', `${id.repo} is not in the cache (${cacheDir})`);
  const whole = !text.includes('@');
  if (whole) {
    const size = listModels(cacheDir).find((r) => r.repo === id.repo)?.size_bytes ?? 0;
    rmSync(cache.dir, { recursive: true, force: true });
    rmSync(join(cacheDir, '.locks', repoFolderName(id.repo)), { recursive: true, force: true });
    return `removed ${id.repo} (${formatBytes(size)})`;
  }
  const commit = cache.commitOf(id.revision);
  if (!commit || !existsSync(cache.snapshot(commit))) throw new HubError('Offline', `${formatHubId(id)} is not in the cache (${cacheDir})`);
  const used = (snapshot: string) => new Set(linkTargets(snapshot).map((t) => basename(t)));
  const mine = used(cache.snapshot(commit));
  for (const other of dirs(join(cache.dir, 'snapshots'))) if (other !== commit) for (const b of used(cache.snapshot(other))) mine.delete(b);
  let freed = 0;
  for (const b of mine) {
    const s = cache.blobStats(b);
    freed += s?.size ?? 0;
    cache.dropBlob(b, false);
  }
  rmSync(cache.snapshot(commit), { recursive: true, force: true });
  for (const r of files(join(cache.dir, 'refs'))) {
    const path = join(cache.dir, 'refs', r);
    if (readFileSync(path, 'utf8').trim() === commit) rmSync(path);
  }
  const left = dirs(join(cache.dir, 'snapshots')).length;
  if (left === 0) rmSync(cache.dir, { recursive: true, force: true });
  return `removed ${id.repo}@${id.revision} (${commit.slice(0, 10)}, ${formatBytes(freed)})`;
}

/** Blob paths the symlinks of a snapshot point to (copies point nowhere). */
function linkTargets(dir: string): string[] {
  const out: string[] = [];
  for (const f of files(dir)) {
    const path = join(dir, f);
    if (lstatOrNull(path)?.isSymbolicLink()) out.push(resolve(dirname(path), readlinkSync(path)));
  }
  return out;
}

/** Files under a folder, recursively, as paths relative to it (refs/refs/pr/1 has slashes). */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

const dirs = (dir: string) => (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : []);
