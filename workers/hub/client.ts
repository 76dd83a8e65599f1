// The Hugging Face Hub's HTTP protocol, with an injectable fetch: runs in the engine's Web Worker and in Node.
//   files:    {endpoint}/{repo}/resolve/{revision}/{path}          (GET, HEAD, Range)
//   commit:   {endpoint}/api/models/{repo}/revision/{revision}     -> { sha, ... }
//   listing:  {endpoint}/api/models/{repo}/tree/{revision}?recursive=true -> [{ type, path, size, oid, lfs? }]
// File metadata is read as huggingface_hub's `get_hf_file_metadata` does: a HEAD that follows the Hub's own
// (relative, same-origin) redirects but stops at a redirect to another origin (the LFS/Xet CDN), whose 302 carries
// X-Repo-Commit, X-Linked-Etag (the SHA-256 of an LFS file) and X-Linked-Size; a plain file answers 200 with
// ETag (its git blob sha1) and Content-Length. The token goes to the Hub's origin only: redirects are followed by
// hand and a hop to another origin gets no Authorization header.
// In a browser a `redirect: 'manual'` answer is an opaque redirect (no status, no headers), so there the metadata
// of a redirected file comes from the listing (`lfs.oid` = SHA-256, sizes) and the bytes from a followed GET, on
// which the browser drops Authorization at the cross-origin hop (Fetch standard, "HTTP-redirect fetch").
import type { ByteSource } from '../loader/source.ts';
import { errorFromResponse, HubError, networkError, type RequestContext } from './errors.ts';
import { isCommit } from './id.ts';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

export interface HubOptions {
  endpoint?: string; // HF_ENDPOINT; default https://huggingface.co
  token?: string | null; // HF_TOKEN; sent as `Authorization: Bearer` to the endpoint's origin only
  fetch?: typeof fetch; // default globalThis.fetch
  tokenHelp?: string; // how a person gives a token, for messages (default "give a token (HF_TOKEN)")
}

/** One file of a repo at a commit: where its bytes are and how to check them. */
export interface FileInfo {
  repo: string;
  path: string;
  commit: string; // X-Repo-Commit
  etag: string; // normalized (no quotes, no W/): the blob's name in huggingface_hub's cache
  size: number; // X-Linked-Size for LFS files, else Content-Length
  sha256: string | null; // LFS files: the SHA-256 of the content (= etag); null for plain git files
  url: string; // where to GET the bytes: the CDN location when the redirect was visible, else the resolve URL
}

/** An entry of `/api/models/{repo}/tree/{revision}` (the Hub's JSON shape). */
export interface TreeEntry {
  type: 'file' | 'directory';
  path: string;
  size: number;
  oid: string; // git blob sha1 (of the pointer file, for LFS)
  lfs?: { oid: string; size: number; pointerSize: number }; // oid: SHA-256 of the content
}

const MAX_HOPS = 10;

export class HubClient {
  readonly endpoint: string;
  readonly origin: string;
  private readonly token: string | null;
  private readonly fetchFn: typeof fetch;
  readonly tokenHelp: string;

  constructor(options: HubOptions = {}) {
    this.endpoint = (options.endpoint || DEFAULT_ENDPOINT).replace(/\/+$/, '');
    this.origin = new URL(this.endpoint).origin;
    this.token = options.token || null;
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.tokenHelp = options.tokenHelp ?? 'give a token (HF_TOKEN)';
  }

  get hasToken(): boolean { return this.token !== null; }

  resolveUrl(repo: string, revision: string, path: string): string {
    return `${this.endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${path.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** The commit a branch or tag points to now. */
  async commit(repo: string, revision: string): Promise<string> {
    const body = await this.json<{ sha?: unknown }>(`${this.endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}`, repo, revision);
    if (typeof body.sha !== 'string' || !isCommit(body.sha)) throw this.badResponse(repo, 'the revision API gave no commit sha');
    return body.sha;
  }

  /** Every file of the repo at a revision (recursive; follows the `Link: <...>; rel="next"` pages). */
  async listFiles(repo: string, revision: string): Promise<TreeEntry[]> {
    const out: TreeEntry[] = [];
    let url: string | null = `${this.endpoint}/api/models/${repo}/tree/${encodeURIComponent(revision)}?recursive=true&expand=false`;
    for (let page = 0; url && page < 1000; page++) {
      const { res } = await this.request(url, 'GET', {}, this.context(repo, revision), 'follow');
      const items = (await res.json().catch(() => null)) as TreeEntry[] | null;
      if (!Array.isArray(items)) throw this.badResponse(repo, 'the tree API did not answer with a list');
      out.push(...items.filter((e) => e && typeof e.path === 'string'));
      url = nextLink(res.headers.get('Link'), url);
    }
    return out;
  }

  /**
   * Metadata of one file (HEAD on resolve). `entry` (from listFiles) is used where the answer's headers are
   * hidden (a browser's opaque redirect); `asked` is the revision messages name (the branch the commit came from).
   */
  async fileInfo(repo: string, revision: string, path: string, entry?: TreeEntry, asked = revision): Promise<FileInfo> {
    const c = this.context(repo, asked, path);
    const url = this.resolveUrl(repo, revision, path);
    const { res, url: at } = await this.request(url, 'HEAD', { 'Accept-Encoding': 'identity' }, c, 'stop-at-cdn');
    if (res.type === 'opaqueredirect') { // a browser: the 3xx is invisible; the listing knows the rest
      if (!entry) throw this.badResponse(repo, `the redirect of ${path} is hidden from this page and no listing was given`);
      const commit = isCommit(revision) ? revision : await this.commit(repo, revision);
      return this.checked(fromEntry(repo, commit, entry, url));
    }
    const h = res.headers;
    const linked = h.get('X-Linked-Etag');
    const etag = normalizeEtag(linked ?? h.get('ETag'));
    const size = Number(h.get('X-Linked-Size') ?? h.get('Content-Length'));
    const commit = h.get('X-Repo-Commit') ?? (isCommit(revision) ? revision : null);
    const location = res.status >= 300 && res.status < 400 ? h.get('Location') : null;
    if (!commit) throw this.badResponse(repo, `${path} came without X-Repo-Commit: is ${this.endpoint} a Hugging Face Hub?`);
    if (!etag) throw this.badResponse(repo, `${path} came without an ETag`);
    if (!Number.isSafeInteger(size) || size < 0) throw this.badResponse(repo, `${path} came without its size`);
    const sha256 = linked !== null && /^[0-9a-f]{64}$/.test(etag) ? etag : entry?.lfs?.oid ?? null;
    return this.checked({ repo, path, commit, etag, size, sha256, url: location ? new URL(location, at).href : at });
  }

  /** The commit and the etag name folders and files in a cache: nothing but a commit id and a plain name. */
  private checked(info: FileInfo): FileInfo {
    if (!isCommit(info.commit)) throw this.badResponse(info.repo, `${info.path} came with X-Repo-Commit "${info.commit.slice(0, 50)}", not a commit id`);
    if (!/^[\w-]{1,128}$/.test(info.etag)) throw this.badResponse(info.repo, `${info.path} came with the ETag "${info.etag.slice(0, 50)}", not a hash`);
    if (info.sha256 !== null && !/^[0-9a-f]{64}$/.test(info.sha256)) throw this.badResponse(info.repo, `${info.path}: "${info.sha256.slice(0, 70)}" is not a SHA-256`);
    return info;
  }

  /**
   * A GET of the file's bytes from `offset` (Range: bytes=offset-, or bytes=offset-(offset+length-1) when `length`
   * is given); 200 or 206, anything else throws.
   */
  async get(info: FileInfo, offset = 0, length?: number): Promise<Response> {
    const headers: Record<string, string> = { 'Accept-Encoding': 'identity' };
    if (length !== undefined) headers.Range = `bytes=${offset}-${offset + length - 1}`;
    else if (offset > 0) headers.Range = `bytes=${offset}-`;
    const { res } = await this.request(info.url, 'GET', headers, this.context(info.repo, info.commit, info.path), 'follow');
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel();
      throw this.badResponse(info.repo, `${info.path}: unexpected HTTP ${res.status}`);
    }
    return res;
  }

  /** A file on the Hub read by range (headers of a checkpoint that is not downloaded: `inspect`, `tokenize`). */
  source(info: FileInfo): ByteSource {
    return {
      name: info.path, size: info.size,
      read: async (offset, length) => {
        if (!(offset >= 0 && length >= 0 && offset + length <= info.size)) throw this.badResponse(info.repo, `${info.path}: bytes ${offset}..${offset + length} are past its end (${info.size})`);
        if (length === 0) return new Uint8Array(0);
        const res = await this.get(info, offset, length);
        const bytes = new Uint8Array(await res.arrayBuffer());
        // a server that ignores Range sends the whole file (200): keep the part asked for
        const part = res.status === 206 ? bytes : bytes.subarray(offset, offset + length);
        if (part.length !== length) throw this.badResponse(info.repo, `${info.path}: asked for ${length} bytes at ${offset}, got ${part.length}`);
        return part;
      },
    };
  }

  /** A small file whole (config.json, an index). */
  async readFile(info: FileInfo): Promise<Uint8Array> {
    const res = await this.get(info);
    return new Uint8Array(await res.arrayBuffer());
  }

  private context(repo: string, revision: string, path?: string): RequestContext {
    return { endpoint: this.endpoint, repo, revision, path, hasToken: this.hasToken, tokenHelp: this.tokenHelp };
  }

  private badResponse(repo: string, why: string): HubError {
    return new HubError('BadResponse', `unexpected answer from ${this.endpoint} for ${repo}: ${why}`);
  }

  private async json<T>(url: string, repo: string, revision: string): Promise<T> {
    const { res } = await this.request(url, 'GET', { Accept: 'application/json' }, this.context(repo, revision), 'follow');
    const body = await res.json().catch(() => null);
    if (typeof body !== 'object' || body === null) throw this.badResponse(repo, `${new URL(url).pathname} is not JSON`);
    return body as T;
  }

  /**
   * One request with the redirects followed by hand: Authorization on the Hub's origin only. 'stop-at-cdn'
   * returns the 3xx that leaves the Hub's origin or carries X-Linked-Etag (its headers are the metadata), as
   * huggingface_hub follows only the Hub's relative redirects. Errors become HubErrors.
   */
  private async request(url: string, method: 'GET' | 'HEAD', headers: Record<string, string>, c: RequestContext, mode: 'follow' | 'stop-at-cdn'): Promise<{ res: Response; url: string }> {
    let current = url;
    for (let hop = 0; hop <= MAX_HOPS; hop++) {
      const onHub = new URL(current).origin === this.origin;
      const h = onHub && this.token ? { ...headers, Authorization: `Bearer ${this.token}` } : headers;
      let res: Response;
      try {
        res = await this.fetchFn(current, { method, headers: h, redirect: 'manual' });
        // a browser hides the redirect: let it follow (it drops Authorization at a cross-origin hop)
        if (res.type === 'opaqueredirect' && mode === 'follow') res = await this.fetchFn(current, { method, headers: h, redirect: 'follow' });
      } catch (e) {
        throw networkError(e, c, c.path ? `${c.path} of ${c.repo}` : c.repo);
      }
      if (res.type === 'opaqueredirect') return { res, url: current };
      const location = res.status >= 300 && res.status < 400 ? res.headers.get('Location') : null;
      if (location === null) {
        if (!res.ok) {
          await res.body?.cancel().catch(() => {});
          throw errorFromResponse(res, c);
        }
        return { res, url: res.redirected && res.url ? res.url : current };
      }
      const next = new URL(location, current).href;
      // the metadata is on the redirect to the file's storage (X-Linked-*), wherever that is
      if (mode === 'stop-at-cdn' && (new URL(next).origin !== this.origin || res.headers.has('X-Linked-Etag'))) return { res, url: current };
      await res.body?.cancel().catch(() => {});
      current = next;
    }
    throw new HubError('BadResponse', `too many redirects from ${url}`);
  }
}

/** huggingface_hub `_normalize_etag`: `W/"abc"` and `"abc"` both name the blob `abc`. */
export function normalizeEtag(etag: string | null): string | null {
  if (!etag) return null;
  const v = etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
  return v || null;
}

/** A file's metadata from its listing entry (browsers): LFS files are named by their SHA-256, others by git sha1. */
export function fromEntry(repo: string, commit: string, e: TreeEntry, url: string): FileInfo {
  return e.lfs
    ? { repo, path: e.path, commit, etag: e.lfs.oid, size: e.lfs.size, sha256: e.lfs.oid, url }
    : { repo, path: e.path, commit, etag: e.oid, size: e.size, sha256: null, url };
}

/** `Link: <https://...>; rel="next"` (the Hub's pagination of listings). */
function nextLink(link: string | null, base: string): string | null {
  const m = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
  return m ? new URL(m[1], base).href : null;
}
