// `{ kind: 'hub', id }` in the page: the model's files in this browser's storage, downloading what is missing
// first, as scripts/hub/pull.ts does for the CLI. Online: resolve the revision, list what a Llama needs (files.ts:
// config.json first, so a non-Llama is refused before any weight), keep the complete blobs, check that
// navigator.storage.estimate() leaves room, download the rest (download.ts: Range-resumable, SHA-256 while
// streaming, in the worker), then write the snapshot manifest. Offline, or the Hub unreachable with the model here
// (huggingface_hub's fallback): from storage, without a request. The files come back as Blobs in storage, read by
// range through blobSource, so an 8B model never sits whole in memory.
import type { HubRepoFiles, HubSource, LoadProgress } from '../api.ts';
import type { ModelFile } from '../loader/index.ts';
import { blobSource, readAll } from '../loader/source.ts';
import { RepoStore } from './browser-cache.ts';
import { HubClient, type FileInfo } from './client.ts';
import { downloadFile } from './download.ts';
import { causeText, HubError } from './errors.ts';
import { checkLlama, CONFIG, formatBytes, INDEX, modelFiles, OPTIONAL, REQUIRED, shardsOf, SINGLE, type ModelPlan } from './files.ts';
import { formatHubId, parseHubId, type HubId } from './id.ts';
import type { DeviceStore } from './store.ts';

/** How a person gives a token in the page (ends the gated-repo message). */
export const TOKEN_HELP = 'paste a token with read access into the Hub token field';

export interface HubLoadOptions {
  store: DeviceStore;
  signal?: AbortSignal; // aborted: the download stops, its partial file stays
  onProgress?: (p: LoadProgress) => void; // the whole model's bytes and the current file's, at most every 100 ms
  onNotice?: (text: string) => void; // e.g. loaded from storage because the Hub could not be reached
  fetch?: typeof fetch;
  estimate?: () => Promise<StorageEstimate>; // default navigator.storage.estimate()
}

const PROGRESS_MS = 100;
type Stored = FileInfo | { path: string; etag: string; size: number };

/** The Hub model's files, in storage (downloaded first where missing). */
export async function openHubModel(source: HubSource, o: HubLoadOptions): Promise<ModelFile[]> {
  const id = parseHubId(source.id);
  const name = formatHubId(id);
  const repo = new RepoStore(o.store, id.repo);
  if (globalThis.navigator?.onLine === false) {
    const files = await fromDevice(id, repo, 'the browser is offline');
    o.onNotice?.(`the browser is offline: loaded ${name} from this device`);
    await repo.touch(name);
    return files;
  }
  const client = hubClient(source, o);
  const download = async (f: FileInfo, onFile?: (done: number) => void) => {
    const part = await repo.partial(f.etag);
    try {
      await downloadFile(client, f, part, (p) => onFile?.(p.done));
    } catch (e) {
      await part.close().catch(() => {}); // before measuring what it kept
      if (o.signal?.aborted) throw cancelled(name, f, await repo.partialSize(f.etag).catch(() => 0));
      throw inPage(e);
    } finally {
      await part.close().catch(() => {});
    }
  };
  /** A small file (config.json, the index) read while planning, kept in storage for offline loads. */
  const small = async (f: FileInfo) => {
    if (!(await repo.blob(f))) await download(f);
    return readAll(blobSource(f.path, (await repo.blob(f))!));
  };

  let plan: ModelPlan;
  try {
    plan = await modelFiles(client, id, { read: small });
  } catch (e) {
    if (o.signal?.aborted) throw cancelled(name);
    if (!(e instanceof HubError && e.code === 'Network')) throw e;
    const files = await fromDevice(id, repo, '').catch(() => { throw e; });
    o.onNotice?.(`${causeText(e)}: loaded the copy of ${name} on this device`);
    await repo.touch(name);
    return files;
  }
  await repo.writeRef(id.revision, plan.commit);
  await repo.touch(name, false); // a download that stops here is resumed by this id

  const todo: FileInfo[] = [];
  let done = 0;
  for (const f of plan.files) {
    if (await repo.blob(f)) done += f.size;
    else todo.push(f);
  }
  let needed = 0;
  for (const f of todo) needed += f.size - (await repo.partialSize(f.etag));
  if (needed > 0) await checkRoom(name, needed, o.estimate);

  const total = plan.files.reduce((n, f) => n + f.size, 0);
  let last = -Infinity;
  const report = (f: FileInfo, fileLoaded: number, force = false) => {
    const now = performance.now();
    if (!force && now - last < PROGRESS_MS) return;
    last = now;
    o.onProgress?.({ phase: 'download', loaded: done + fileLoaded, total, file: f.path, fileLoaded, fileTotal: f.size });
  };
  for (const f of todo) {
    if (o.signal?.aborted) throw cancelled(name, f, await repo.partialSize(f.etag));
    report(f, await repo.partialSize(f.etag), true);
    await download(f, (n) => report(f, n));
    report(f, f.size, true);
    done += f.size;
  }
  await repo.addToSnapshot(plan.commit, plan.files);
  await repo.touch(name);
  return named(id, repo, plan.kind, plan.files);
}

/** The .gguf files of a repo and their sizes (the picker shown after a 'PickAFile' error). */
export async function listGgufFiles(source: HubSource, o: Pick<HubLoadOptions, 'fetch' | 'signal'> = {}): Promise<HubRepoFiles> {
  const id = parseHubId(source.id);
  const client = hubClient(source, o);
  const commit = await client.commit(id.repo, id.revision);
  const gguf = (await client.listFiles(id.repo, commit))
    .filter((e) => e.type === 'file' && e.path.toLowerCase().endsWith('.gguf'))
    .map((e) => ({ path: e.path, size: e.lfs?.size ?? e.size }));
  return { repo: id.repo, revision: id.revision, commit, gguf };
}

/** Requests abortable by stop(); the token goes to the endpoint's origin only (HubClient), the bytes skip the HTTP cache (storage holds them). */
function hubClient(source: HubSource, o: Pick<HubLoadOptions, 'fetch' | 'signal'>): HubClient {
  const base = o.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const fetchFn = ((input: RequestInfo | URL, init?: RequestInit) => base(input, { ...init, cache: 'no-store', signal: o.signal })) as typeof fetch;
  return new HubClient({ endpoint: source.endpoint, token: source.token, fetch: fetchFn, tokenHelp: TOKEN_HELP });
}

/** The model from refs, the snapshot manifest and the blobs alone; `why` ends the error when something is missing. */
async function fromDevice(id: HubId, repo: RepoStore, why: string): Promise<ModelFile[]> {
  const name = formatHubId(id);
  const missing = (what: string) => new HubError('Offline', `${what} is not on this device${why ? ` and ${why}` : ''}`);
  const commit = await repo.commitOf(id.revision);
  const snap = commit ? await repo.readSnapshot(commit) : null;
  if (!snap) throw missing(name);
  const at = (path: string): Stored => {
    if (!snap.files[path]) throw missing(`${path} of ${name}`);
    return { path, ...snap.files[path] };
  };
  const read = async (path: string) => {
    const blob = await repo.blob(at(path));
    if (!blob) throw missing(`${path} of ${name}`);
    return readAll(blobSource(path, blob));
  };
  if (id.file) return named(id, repo, 'gguf', [at(id.file)]);
  checkLlama(await read(CONFIG), id.repo);
  const paths = [...REQUIRED, ...OPTIONAL.filter((p) => snap.files[p])];
  if (snap.files[INDEX]) paths.push(INDEX, ...shardsOf(await read(INDEX), id.repo));
  else paths.push(SINGLE);
  return named(id, repo, 'hf', paths.map(at));
}

/** ModelFiles over the stored blobs, named like a folder's ("name/config.json") or a .gguf file's. */
async function named(id: HubId, repo: RepoStore, kind: 'hf' | 'gguf', files: Stored[]): Promise<ModelFile[]> {
  const folder = id.repo.split('/')[1];
  const out: ModelFile[] = [];
  for (const f of files) {
    const blob = await repo.blob(f);
    if (!blob) throw new HubError('Offline', `${f.path} of ${formatHubId(id)} is missing from this device: load it again to download it`);
    const name = kind === 'gguf' ? f.path.slice(f.path.lastIndexOf('/') + 1) : `${folder}/${f.path}`;
    out.push({ name, source: blobSource(name, blob) });
  }
  return out;
}

/** Room for `needed` more bytes, as navigator.storage.estimate() sees it, before any is fetched. */
async function checkRoom(name: string, needed: number, estimate?: () => Promise<StorageEstimate>): Promise<void> {
  const est = await (estimate ?? (() => navigator.storage.estimate()))().catch(() => null);
  if (est?.quota === undefined) return;
  const available = Math.max(0, est.quota - (est.usage ?? 0));
  if (needed > available) {
    throw new HubError('DiskFull', `not enough browser storage for ${name}: ${formatBytes(needed)} needed, ${formatBytes(available)} available: delete models under "Models on this device" or free disk space`);
  }
}

/** The CLI's "run again" is "load it again" here. */
function inPage(e: unknown): unknown {
  if (!(e instanceof HubError) || !/run again/.test(e.message)) return e;
  return new HubError(e.code, e.message.replace(/run again/g, 'load it again'), e.status, e.resumable, { cause: e.cause });
}

function cancelled(name: string, f?: FileInfo, kept = 0): Error {
  const where = f ? ` (${f.path}: ${formatBytes(kept)} of ${formatBytes(f.size)} kept)` : '';
  return Object.assign(new Error(`cancelled the download of ${name}${where}: load it again to resume`), { name: 'AbortError' });
}
