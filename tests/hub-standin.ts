// A local stand-in for the Hugging Face Hub (node:http on 127.0.0.1, port 0), serving repos from folders on disk
// in the Hub's URL layout and with its headers, for the CLI's cache tests and the browser's:
//   /{repo}/resolve/{revision}/{path}         plain files: 200, ETag "<git blob sha1>", X-Repo-Commit, Range
//                                             LFS files (*.safetensors, *.gguf, *.bin, or above lfsThreshold): 302 to
//                                             the CDN with X-Linked-Etag "<sha256>", X-Linked-Size, X-Repo-Commit
//   {cdnUrl}/cdn/{sha256}                     the CDN: another origin (port), Range requests; never wants a token
//   /api/models/{repo}[/revision/{revision}]  model info: { id, sha, siblings: [{ rfilename }], gated, ... }
//   /api/models/{repo}/tree/{revision}        [{ type, oid, size, path, lfs?: { oid, size, pointerSize } }]
// Errors as the Hub sends them: 404 with X-Error-Code RepoNotFound / RevisionNotFound / EntryNotFound; a gated repo
// answers 401 (no token) or 403 (another token) with GatedRepo. CORS like the Hub (Allow-Origin, Expose-Headers
// for the X- headers and Content-Range, OPTIONS preflight). It counts bytes served per path, logs every request
// (with whether it carried Authorization), and can drop the connection once after N bytes of a file (resume),
// serve a file with one byte changed (a tampered download), and pace its answers (a progress bar to watch).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';

export interface StandinRepo {
  dir: string; // the files of main
  gated?: boolean;
  branches?: Record<string, string>; // more branches: name -> folder
}

export interface StandinOptions {
  repos: Record<string, StandinRepo>;
  token?: string; // the token a gated repo accepts
  lfsThreshold?: number; // bytes above which a file is LFS (default 10 MB, like the Hub's .gitattributes)
  sameOriginCdn?: boolean; // serve /cdn/ on the Hub's own origin too, and redirect there (default: another port)
}

export interface ServedFile { path: string; bytes: Uint8Array; oid: string; sha256: string; lfs: boolean; pointerSize: number }
interface Snapshot { commit: string; files: Map<string, ServedFile>; dirs: Set<string> }
export interface RequestLog { server: 'hub' | 'cdn'; method: string; path: string; range: string | null; authorization: boolean; status: number }

export interface Standin {
  url: string; // HF_ENDPOINT
  cdnUrl: string;
  commit(repo: string, branch?: string): string;
  file(repo: string, path: string, branch?: string): ServedFile;
  /** Requests seen, and body bytes served per URL path (decoded). */
  stats: { requests: RequestLog[]; bytes: Map<string, number>; reset(): void };
  /** The next response carrying byte `after` of this file sends the bytes before it, then closes the connection. */
  setDropAfter(repo: string, path: string, after: number | null): void;
  /** While on, this file is served with its last byte changed: its SHA-256 no longer matches X-Linked-Etag / lfs.oid. */
  setTamper(repo: string, path: string, on: boolean): void;
  /** Bytes per second of every file body from now on (null: as fast as the socket takes them). */
  setRate(bytesPerSecond: number | null): void;
  close(): Promise<void>;
}

const EXPOSE = 'X-Repo-Commit,X-Request-Id,X-Error-Code,X-Error-Message,X-Total-Count,ETag,Link,Accept-Ranges,Content-Range,X-Linked-Size,X-Linked-ETag,X-Xet-Hash';
const LFS_NAMES = /\.(safetensors|gguf|bin|pt|pth|onnx)$/i;

export async function startHubStandin(options: StandinOptions): Promise<Standin> {
  const threshold = options.lfsThreshold ?? 10 * 1024 * 1024;
  const repos = new Map<string, { gated: boolean; refs: Map<string, Snapshot> }>();
  const bySha = new Map<string, ServedFile>();
  for (const [repo, r] of Object.entries(options.repos)) {
    const refs = new Map<string, Snapshot>();
    for (const [branch, dir] of Object.entries({ main: r.dir, ...r.branches })) {
      const snap = snapshot(repo, branch, dir, threshold);
      refs.set(branch, snap);
      refs.set(snap.commit, snap);
      for (const f of snap.files.values()) bySha.set(f.sha256, f);
    }
    repos.set(repo, { gated: r.gated === true, refs });
  }
  const requests: RequestLog[] = [];
  const bytes = new Map<string, number>();
  let drop: { sha256: string; after: number } | null = null;
  const tampered = new Set<string>(); // sha256 of files served with their last byte changed
  let rate: number | null = null;

  const log = (server: RequestLog['server'], req: IncomingMessage, path: string, status: number) =>
    requests.push({ server, method: req.method ?? 'GET', path, range: req.headers.range ?? null, authorization: req.headers.authorization !== undefined, status });

  /** The file's bytes (or the range asked), counted, maybe cut short. */
  const sendBytes = (req: IncomingMessage, res: ServerResponse, f: ServedFile, path: string, headers: Record<string, string>) => {
    const size = f.bytes.length;
    const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0, end = size - 1, status = 200;
    if (m && (m[1] || m[2])) {
      start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]));
      end = m[1] && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
      if (start > end || start >= size) return reply(res, 416, { ...headers, 'Content-Range': `bytes */${size}` });
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
    res.writeHead(status, { ...headers, 'Accept-Ranges': 'bytes', 'Content-Length': String(end - start + 1) });
    if (req.method === 'HEAD') return res.end();
    let body = f.bytes.subarray(start, end + 1);
    if (tampered.has(f.sha256) && end === size - 1) { body = body.slice(); body[body.length - 1] ^= 0xff; }
    const cut = drop && drop.sha256 === f.sha256 && start < drop.after && drop.after <= end;
    if (cut) { body = body.subarray(0, drop!.after - start); drop = null; }
    const count = (n: number) => bytes.set(path, (bytes.get(path) ?? 0) + n);
    if (rate === null) {
      count(body.length);
      if (cut) res.write(body, () => res.socket?.end()); // the client sees the connection close early
      else res.end(body);
      return;
    }
    const perSecond = rate;
    let at = 0;
    const next = () => { // 64 KiB at a time, paced; counted as written (a cancelled download stops the count)
      if (res.destroyed) return;
      if (at >= body.length) { if (cut) res.socket?.end(); else res.end(); return; }
      const piece = body.subarray(at, at + (64 << 10));
      at += piece.length;
      count(piece.length);
      res.write(piece, () => setTimeout(next, (1000 * piece.length) / perSecond));
    };
    next();
  };

  const hub = createServer((req, res) => {
    cors(req, res);
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const path = parts.join('/');
    const done = (status: number, headers: Record<string, string> = {}, body = '') => { log('hub', req, path, status); reply(res, status, headers, body); };
    if (req.method === 'OPTIONS') return preflight(req, res);
    if (options.sameOriginCdn && parts[0] === 'cdn') return serveCdn(req, res);
    const api = parts[0] === 'api' && parts[1] === 'models';
    const [org, name] = api ? parts.slice(2, 4) : parts.slice(0, 2);
    const repo = repos.get(`${org}/${name}`);
    const rest = api ? parts.slice(4) : parts.slice(2);
    if (!repo) return done(404, hubError('RepoNotFound', 'Repository not found'));
    if (api) {
      const kind = rest[0] ?? 'revision';
      const snap = repo.refs.get(rest[1] ?? 'main');
      if (!snap) return done(404, hubError('RevisionNotFound', `Invalid rev id: ${rest[1]}`));
      if (kind === 'revision') return done(200, JSON_TYPE, JSON.stringify(modelInfo(`${org}/${name}`, snap, repo.gated)));
      if (kind === 'tree') return done(200, JSON_TYPE, JSON.stringify(tree(snap, rest.slice(2).join('/'), url.searchParams.get('recursive') === 'true')));
      return done(404, {}, 'Not Found');
    }
    if (rest[0] !== 'resolve' || rest.length < 3) return done(404, {}, 'Not Found');
    const snap = repo.refs.get(rest[1]);
    if (!snap) return done(404, hubError('RevisionNotFound', `Invalid rev id: ${rest[1]}`));
    if (repo.gated) {
      const auth = req.headers.authorization;
      if (!auth) return done(401, hubError('GatedRepo', `Access to model ${org}/${name} is restricted. You must have access to it and be authenticated to access it. Please log in.`));
      if (auth !== `Bearer ${options.token}`) return done(403, hubError('GatedRepo', `Access to model ${org}/${name} is restricted and you are not in the authorized list.`));
    }
    const f = snap.files.get(rest.slice(2).join('/'));
    const commit = { 'X-Repo-Commit': snap.commit };
    if (!f) return done(404, { ...commit, ...hubError('EntryNotFound', 'Entry not found') });
    if (f.lfs) {
      return done(302, {
        ...commit, Location: `${cdnUrl}/cdn/${f.sha256}`, 'X-Linked-Etag': `"${f.sha256}"`, 'X-Linked-Size': String(f.bytes.length),
        ETag: `W/"${f.oid.slice(0, 16)}"`, 'Content-Type': 'text/plain; charset=utf-8',
      }, `Found. Redirecting to ${cdnUrl}/cdn/${f.sha256}`);
    }
    log('hub', req, path, req.headers.range ? 206 : 200);
    sendBytes(req, res, f, path, { ...commit, ETag: `"${f.oid}"`, 'Content-Type': 'text/plain; charset=utf-8' });
  });

  const serveCdn = (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const f = bySha.get(path.replace(/^\/cdn\//, ''));
    log('cdn', req, path, f ? (req.headers.range ? 206 : 200) : 404);
    if (!f) return reply(res, 404, {}, 'NoSuchKey');
    sendBytes(req, res, f, path, { ETag: `"${f.sha256}"`, 'Content-Type': 'application/octet-stream' });
  };
  const cdn = createServer((req, res) => {
    cors(req, res);
    if (req.method === 'OPTIONS') return preflight(req, res);
    serveCdn(req, res);
  });

  const listen = (s: Server) => new Promise<string>((ok) => s.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
  const url = await listen(hub);
  const cdnUrl = options.sameOriginCdn ? url : await listen(cdn);
  const find = (repo: string, branch = 'main') => {
    const snap = repos.get(repo)?.refs.get(branch);
    if (!snap) throw new Error(`the stand-in has no ${repo}@${branch}`);
    return snap;
  };
  return {
    url, cdnUrl,
    commit: (repo, branch) => find(repo, branch).commit,
    file: (repo, path, branch) => find(repo, branch).files.get(path) ?? (() => { throw new Error(`no ${path} in ${repo}`); })(),
    stats: { requests, bytes, reset: () => { requests.length = 0; bytes.clear(); } },
    setDropAfter: (repo, path, after) => { drop = after === null ? null : { sha256: find(repo).files.get(path)!.sha256, after }; },
    setTamper: (repo, path, on) => { const sha = find(repo).files.get(path)!.sha256; if (on) tampered.add(sha); else tampered.delete(sha); },
    setRate: (bytesPerSecond) => { rate = bytesPerSecond; },
    close: async () => {
      for (const s of [hub, cdn]) { s.closeAllConnections(); if (s.listening) await new Promise((ok) => s.close(ok)); }
    },
  };
}

const JSON_TYPE = { 'Content-Type': 'application/json; charset=utf-8' };
const hubError = (code: string, message: string) => ({ 'X-Error-Code': code, 'X-Error-Message': message, ...JSON_TYPE });

function reply(res: ServerResponse, status: number, headers: Record<string, string>, body = ''): void {
  res.writeHead(status, { 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function cors(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Expose-Headers', EXPOSE);
}

function preflight(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(204, {
    'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
    'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? 'Authorization, Range, Content-Type',
    'Access-Control-Max-Age': '86400',
  });
  res.end();
}

/** A folder as a commit: git blob ids (of the LFS pointer for LFS files), SHA-256s, a commit id from them all. */
function snapshot(repo: string, branch: string, dir: string, threshold: number): Snapshot {
  const files = new Map<string, ServedFile>();
  const dirs = new Set<string>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = relative(dir, join(e.parentPath, e.name)).split('\\').join('/');
    if (e.isDirectory()) { dirs.add(path); continue; }
    const bytes = new Uint8Array(readFileSync(join(dir, path)));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const lfs = LFS_NAMES.test(path) || bytes.length > threshold;
    const pointer = new TextEncoder().encode(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${bytes.length}\n`);
    files.set(path, { path, bytes, sha256, lfs, oid: gitBlobId(lfs ? pointer : bytes), pointerSize: pointer.length });
  }
  const listing = [...files.values()].map((f) => `${f.path} ${f.oid}`).sort().join('\n');
  return { commit: createHash('sha1').update(`${repo}@${branch}\n${listing}`).digest('hex'), files, dirs };
}

const gitBlobId = (b: Uint8Array) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

function modelInfo(repo: string, s: Snapshot, gated: boolean) {
  const files = [...s.files.values()];
  return {
    _id: s.commit.slice(0, 24), id: repo, modelId: repo, author: repo.split('/')[0], sha: s.commit,
    lastModified: '2025-01-01T00:00:00.000Z', createdAt: '2025-01-01T00:00:00.000Z', private: false, disabled: false,
    gated: gated ? 'manual' : false, downloads: 0, likes: 0, tags: ['llama'], pipeline_tag: 'text-generation', library_name: 'transformers',
    siblings: files.map((f) => ({ rfilename: f.path })), usedStorage: files.reduce((n, f) => n + f.bytes.length, 0),
  };
}

/** The tree API: entries under `under`, one level or all of them. */
function tree(s: Snapshot, under: string, recursive: boolean) {
  const inside = (p: string) => (under ? p.startsWith(`${under}/`) : true) && (recursive || !p.slice(under ? under.length + 1 : 0).includes('/'));
  const dirs = [...s.dirs].filter(inside).map((path) => ({ type: 'directory', oid: createHash('sha1').update(path).digest('hex'), size: 0, path }));
  const files = [...s.files.values()].filter((f) => inside(f.path)).map((f) => ({
    type: 'file', oid: f.oid, size: f.bytes.length, path: f.path,
    ...(f.lfs ? { lfs: { oid: f.sha256, size: f.bytes.length, pointerSize: f.pointerSize } } : {}),
  }));
  return [...dirs, ...files];
}

/**
 * A sharded copy of a Hugging Face folder in `dest`: model.safetensors cut into two shards (tensors in file order,
 * split at half the bytes) and model.safetensors.index.json; the JSON and tokenizer files copied as they are.
 */
export function writeShardedCopy(src: string, dest: string): void {
  mkdirSync(dest, { recursive: true });
  for (const f of readdirSync(src)) if (/\.json$|\.jinja$/.test(f)) copyFileSync(join(src, f), join(dest, f));
  const file = readFileSync(join(src, 'model.safetensors'));
  const n = Number(file.readBigUInt64LE(0));
  const header = JSON.parse(file.subarray(8, 8 + n).toString('utf8')) as Record<string, { data_offsets: [number, number] }>;
  const data = file.subarray(8 + n);
  const names = Object.keys(header).filter((k) => k !== '__metadata__').sort((a, b) => header[a].data_offsets[0] - header[b].data_offsets[0]);
  const half = data.length / 2;
  const groups = [names.filter((k) => header[k].data_offsets[0] < half), names.filter((k) => header[k].data_offsets[0] >= half)];
  const weightMap: Record<string, string> = {};
  groups.forEach((group, i) => {
    const shard = `model-0000${i + 1}-of-00002.safetensors`;
    const out: Record<string, unknown> = { __metadata__: { format: 'pt' } };
    const parts: Buffer[] = [];
    let offset = 0;
    for (const k of group) {
      const [a, b] = header[k].data_offsets;
      out[k] = { ...header[k], data_offsets: [offset, offset + b - a] };
      parts.push(data.subarray(a, b));
      offset += b - a;
      weightMap[k] = shard;
    }
    let json = JSON.stringify(out);
    json += ' '.repeat((8 - (json.length % 8)) % 8); // tensors stay 8-byte aligned
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    writeFileSync(join(dest, shard), Buffer.concat([len, Buffer.from(json), ...parts]));
  });
  writeFileSync(join(dest, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: data.length }, weight_map: weightMap }, null, 2));
}
