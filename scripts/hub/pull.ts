// `--model hf:org/name`: the model's files in huggingface_hub's cache, downloading what is missing first. Online:
// resolve the revision to a commit, list what a Llama needs (workers/hub/files.ts, config.json first), check the
// cached blobs (size; SHA-256 of LFS blobs, once per blob), check the disk has room, download the rest (resumable,
// verified: workers/hub/download.ts) with a progress line, link the snapshot. Offline (HF_HUB_OFFLINE, or the Hub
// unreachable and the model cached, as huggingface_hub falls back): refs and snapshots only, no request.
import { existsSync, mkdirSync, openSync, readFileSync, readSync, closeSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { HubClient, type FileInfo } from '../../workers/hub/client.ts';
import type { ByteSource } from '../../workers/loader/source.ts';
import { downloadFile, sha256Of } from '../../workers/hub/download.ts';
import { causeText, HubError } from '../../workers/hub/errors.ts';
import { checkLlama, CONFIG, formatBytes, INDEX, modelFiles, OPTIONAL, REQUIRED, shardsOf, SINGLE } from '../../workers/hub/files.ts';
import { formatHubId, parseHubId, type HubId } from '../../workers/hub/id.ts';
import { RepoCache } from './cache.ts';
import { hubEnv, type HubEnv } from './env.ts';
import { ProgressLine } from './progress.ts';

export interface PulledModel {
  id: HubId;
  commit: string;
  kind: 'hf' | 'gguf';
  dir: string; // snapshots/<commit>
  /** The repo's path -> the snapshot's file on disk, or (headersOnly: a weight file not cached) null and its bytes on the Hub. */
  files: { path: string; file: string | null; remote: ByteSource | null }[];
}

export interface PullOptions {
  env?: HubEnv; // default: from process.env
  fetch?: typeof fetch;
  log?: (line: string) => void; // notices, one line each (default: stderr)
  write?: (s: string) => void; // the progress line (default: stderr)
  freeBytes?: (dir: string) => Promise<number>; // default: statfs
  /** Download the small files only; weight files not in the cache are returned as remote (inspect, tokenize). */
  headersOnly?: boolean;
}

const isWeights = (path: string) => /\.(safetensors|gguf)$/i.test(path);

export async function pullModel(text: string, o: PullOptions = {}): Promise<PulledModel> {
  const env = o.env ?? hubEnv();
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const id = parseHubId(text);
  const cache = new RepoCache(env.cacheDir, id.repo);
  if (env.offline) return fromCache(id, cache, 'HF_HUB_OFFLINE is set: run once without it to download the model');
  const client = new HubClient({ endpoint: env.endpoint, token: env.token, fetch: o.fetch });
  const store = new BlobStore(cache, client, log);

  let plan;
  try {
    plan = await modelFiles(client, id, { read: async (info) => readFileSync(await store.ensure(info)) });
  } catch (e) {
    if (!(e instanceof HubError && e.code === 'Network')) throw e;
    let cached: PulledModel;
    try { cached = fromCache(id, cache, ''); } catch { throw e; }
    log(`${causeText(e)}: using the cached ${formatHubId(id)} (${cached.commit.slice(0, 10)})`);
    return cached;
  }
  cache.writeRef(id.revision, plan.commit);

  const todo: FileInfo[] = [], remote = new Set<FileInfo>();
  for (const f of plan.files) {
    if (await store.cached(f)) continue;
    if (o.headersOnly && isWeights(f.path)) remote.add(f); else todo.push(f);
  }
  const needed = todo.reduce((n, f) => n + f.size - cache.partialSize(f.etag), 0);
  if (needed > 0) await checkSpace(cache.blobs, needed, o.freeBytes);
  const progress = new ProgressLine(needed, o.write);
  try {
    for (const f of todo) await store.download(f, progress);
  } finally {
    progress.end();
  }
  const files = plan.files.map((f) => (remote.has(f) ? { path: f.path, file: null, remote: client.source(f) }
    : { path: f.path, file: cache.link(plan.commit, f.path, f.etag), remote: null }));
  return { id, commit: plan.commit, kind: plan.kind, dir: cache.snapshot(plan.commit), files };
}

/** The cache's blobs of one repo, checked and filled. */
class BlobStore {
  constructor(private readonly cache: RepoCache, private readonly client: HubClient, private readonly log: (line: string) => void) {}

  /** Whether the blob is here and right: its size, and for LFS its SHA-256 (checked once per blob). A wrong one is dropped. */
  async cached(f: FileInfo): Promise<boolean> {
    const s = this.cache.blobStats(f.etag);
    if (!s) return false;
    if (s.size !== f.size) {
      this.log(`the cached ${f.path} of ${f.repo} has ${s.size} bytes, not ${f.size}: fetching it again`);
      this.cache.dropBlob(f.etag, f.sha256 !== null && s.size < f.size);
      return false;
    }
    if (!f.sha256 || this.cache.verified(f.etag, s)) return true;
    const got = await sha256Of(s.size, (offset, length) => readAt(this.cache.blob(f.etag), offset, length));
    if (got !== f.sha256) {
      this.log(`the cached ${f.path} of ${f.repo} has the wrong SHA-256: fetching it again`);
      this.cache.dropBlob(f.etag, false);
      return false;
    }
    this.cache.markVerified(f.etag);
    return true;
  }

  async download(f: FileInfo, progress?: ProgressLine): Promise<void> {
    // the CDN's signed URL may have expired while earlier files downloaded: ask again, as huggingface_hub does per file
    const at = f.sha256 ? await this.client.fileInfo(f.repo, f.commit, f.path) : f;
    if (at.etag !== f.etag) throw new HubError('BadResponse', `${f.path} of ${f.repo} changed at commit ${f.commit.slice(0, 10)} while downloading: run again`);
    let seen = 0;
    await downloadFile(this.client, at, this.cache.partial(f.etag), (p) => {
      progress?.update(p.path, p.fetched - seen, p.done, p.total);
      seen = p.fetched;
    });
    if (f.sha256) this.cache.markVerified(f.etag);
  }

  /** A small file (config.json, the index) in the cache, fetched if needed; its snapshot path. */
  async ensure(f: FileInfo): Promise<string> {
    if (!(await this.cached(f))) await this.download(f);
    return this.cache.link(f.commit, f.path, f.etag);
  }
}

/** The model from refs and snapshots alone; `why` ends the one-line error when something is missing. */
export function fromCache(id: HubId, cache: RepoCache, why: string): PulledModel {
  const name = formatHubId(id);
  const missing = (what: string) => new HubError('Offline', `${what} is not in the cache (${cache.cacheDir})${why ? ` and ${why}` : ''}`);
  const commit = cache.commitOf(id.revision);
  if (!commit || !existsSync(cache.snapshot(commit))) throw missing(name);
  const at = (path: string) => (existsSync(cache.pointer(commit, path)) ? cache.pointer(commit, path) : null);
  const need = (path: string) => at(path) ?? (() => { throw missing(`${path} of ${name}`); })();
  const out = (kind: 'hf' | 'gguf', paths: string[]) =>
    ({ id, commit, kind, dir: cache.snapshot(commit), files: paths.map((path) => ({ path, file: need(path), remote: null })) });
  if (id.file) return out('gguf', [id.file]);
  checkLlama(readFileSync(need(CONFIG)), id.repo);
  const paths = [...REQUIRED, ...OPTIONAL.filter((p) => at(p))];
  const index = at(INDEX);
  if (index) paths.push(INDEX, ...shardsOf(readFileSync(index), id.repo));
  else paths.push(SINGLE);
  return out('hf', paths);
}

async function checkSpace(dir: string, needed: number, freeBytes?: (dir: string) => Promise<number>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const free = freeBytes ? await freeBytes(dir) : await statfs(dir).then((s) => s.bavail * s.bsize, () => Infinity);
  if (free < needed) {
    throw new HubError('DiskFull', `not enough disk space in ${dir}: ${formatBytes(needed)} needed, ${formatBytes(free)} available`);
  }
}

function readAt(path: string, offset: number, length: number): Promise<Uint8Array> {
  const fd = openSync(path, 'r');
  try {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return Promise.resolve(out.subarray(0, done));
  } finally {
    closeSync(fd);
  }
}
