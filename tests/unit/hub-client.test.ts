// The Hub protocol (workers/hub/client.ts, files.ts) against the local stand-in: metadata read through the LFS
// 302, the listing, 404 for a repo vs a file vs a revision, a gated repo without and with a token, the token never
// sent to the CDN, a browser's opaque redirects, and which files a Llama needs (config.json first).
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '../../workers/hub/client.ts';
import { HubError } from '../../workers/hub/errors.ts';
import { modelFiles } from '../../workers/hub/files.ts';
import { parseHubId } from '../../workers/hub/id.ts';
import { startHubStandin, writeShardedCopy, type Standin } from '../hub-standin.ts';

const MINI = fileURLToPath(new URL('../../public/models/llama31-mini/', import.meta.url));
const TOKEN = 'hf_standin_right_token';
let hub: Standin;
let tmp: string;

/** Rejects with a HubError: returns it. */
async function hubError(p: Promise<unknown>): Promise<HubError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(HubError);
  expect((e as Error).message).not.toContain('\n');
  return e as HubError;
}

/** A folder of small fake files. */
function folder(name: string, files: Record<string, string | Uint8Array>): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, body] of Object.entries(files)) writeFileSync(join(dir, f), body);
  return dir;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'hub-client-'));
  const qwen = folder('qwen', { 'config.json': JSON.stringify({ model_type: 'qwen2', architectures: ['Qwen2ForCausalLM'] }), 'tokenizer.json': '{}', 'model.safetensors': new Uint8Array(64) });
  const gguf = folder('gguf', { 'm.Q4_K_M.gguf': new Uint8Array(3000), 'm.Q8_0.gguf': new Uint8Array(5000), 'README.md': 'hi' });
  const broken = join(tmp, 'broken');
  writeShardedCopy(MINI, broken);
  rmSync(join(broken, 'model-00002-of-00002.safetensors'));
  const mini = join(tmp, 'mini');
  mkdirSync(mini);
  for (const f of ['config.json', 'tokenizer.json', 'model.safetensors']) copyFileSync(join(MINI, f), join(mini, f));
  hub = await startHubStandin({
    repos: {
      'test/llama31-mini': { dir: mini }, 'test/gated': { dir: mini, gated: true },
      'test/qwen': { dir: qwen }, 'test/gguf': { dir: gguf }, 'test/broken': { dir: broken },
    },
    token: TOKEN,
  });
});

afterAll(async () => {
  await hub?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('Hub protocol', () => {
  it('reads an LFS file\'s metadata from the Hub\'s 302 and a plain file\'s from its 200', async () => {
    const client = new HubClient({ endpoint: hub.url });
    const commit = hub.commit('test/llama31-mini');
    const weights = await client.fileInfo('test/llama31-mini', 'main', 'model.safetensors');
    const served = hub.file('test/llama31-mini', 'model.safetensors');
    expect(weights).toMatchObject({ commit, etag: served.sha256, sha256: served.sha256, size: served.bytes.length, url: `${hub.cdnUrl}/cdn/${served.sha256}` });
    const config = await client.fileInfo('test/llama31-mini', 'main', 'config.json');
    expect(config).toMatchObject({ commit, etag: hub.file('test/llama31-mini', 'config.json').oid, sha256: null });
    expect(config.url.startsWith(hub.url)).toBe(true);
    expect(hub.stats.requests.filter((r) => r.server === 'cdn')).toEqual([]); // a HEAD stops at the redirect
    expect(await client.commit('test/llama31-mini', 'main')).toBe(commit);
    const tree = await client.listFiles('test/llama31-mini', commit);
    expect(tree.find((e) => e.path === 'model.safetensors')?.lfs?.oid).toBe(served.sha256);
    expect(tree.find((e) => e.path === 'config.json')).toMatchObject({ type: 'file', oid: config.etag, size: config.size });
  });

  it('stops at the redirect that carries X-Linked-Etag even when the storage is on the Hub\'s own origin', async () => {
    const same = await startHubStandin({ repos: { 'test/llama31-mini': { dir: join(tmp, 'mini') } }, sameOriginCdn: true });
    try {
      const info = await new HubClient({ endpoint: same.url }).fileInfo('test/llama31-mini', 'main', 'model.safetensors');
      const served = same.file('test/llama31-mini', 'model.safetensors');
      expect(info).toMatchObject({ etag: served.sha256, sha256: served.sha256, url: `${same.url}/cdn/${served.sha256}` });
      expect(same.stats.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['HEAD 302']);
    } finally {
      await same.close();
    }
  });

  it('tells a missing repo from a missing file and a missing revision, with the status', async () => {
    const client = new HubClient({ endpoint: hub.url });
    const repo = await hubError(client.fileInfo('test/nope', 'main', 'config.json'));
    expect(repo.code).toBe('RepoNotFound');
    expect(repo.message).toMatch(/repository test\/nope not found .*HTTP 404/);
    const file = await hubError(client.fileInfo('test/llama31-mini', 'main', 'missing.gguf'));
    expect(file.code).toBe('EntryNotFound');
    expect(file.message).toMatch(/test\/llama31-mini has no file missing\.gguf at main \(HTTP 404\)/);
    const rev = await hubError(client.commit('test/llama31-mini', 'nope'));
    expect(rev.code).toBe('RevisionNotFound');
    expect(rev.message).toContain('"nope"');
  });

  it('says how to get into a gated repo, and sends the token to the Hub only, never to the CDN', async () => {
    const none = await hubError(new HubClient({ endpoint: hub.url }).fileInfo('test/gated', 'main', 'config.json'));
    expect(none).toMatchObject({ code: 'GatedRepo', status: 401 });
    expect(none.message).toBe(`test/gated is gated (HTTP 401): accept its licence at ${hub.url}/test/gated and give a token (HF_TOKEN)`);
    const wrong = await hubError(new HubClient({ endpoint: hub.url, token: 'hf_wrong' }).fileInfo('test/gated', 'main', 'config.json'));
    expect(wrong).toMatchObject({ code: 'GatedRepo', status: 403 });
    expect(wrong.message).not.toContain('hf_wrong');
    hub.stats.reset();
    const client = new HubClient({ endpoint: hub.url, token: TOKEN });
    const info = await client.fileInfo('test/gated', 'main', 'model.safetensors');
    const bytes = await client.readFile(info);
    expect(bytes.length).toBe(info.size);
    const cdn = hub.stats.requests.filter((r) => r.server === 'cdn');
    expect(cdn.length).toBe(1);
    expect(cdn.every((r) => !r.authorization)).toBe(true);
    expect(hub.stats.requests.filter((r) => r.server === 'hub').every((r) => r.authorization)).toBe(true);
  });

  it('in a browser, where redirects are opaque, takes the metadata from the listing and lets fetch follow', async () => {
    // a browser's fetch: `redirect: 'manual'` gives an opaque answer with no status and no headers
    const browserFetch: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (init?.redirect !== 'manual' || res.status < 300 || res.status >= 400) return res;
      await res.body?.cancel();
      return { type: 'opaqueredirect', status: 0, ok: false, headers: new Headers(), body: null, url: '' } as unknown as Response;
    };
    hub.stats.reset();
    const client = new HubClient({ endpoint: hub.url, token: TOKEN, fetch: browserFetch });
    const plan = await modelFiles(client, parseHubId('hf:test/gated'));
    const weights = plan.files.find((f) => f.path === 'model.safetensors')!;
    const served = hub.file('test/gated', 'model.safetensors');
    expect(weights).toMatchObject({ etag: served.sha256, sha256: served.sha256, size: served.bytes.length, commit: hub.commit('test/gated') });
    const bytes = await client.readFile(weights);
    expect(Buffer.from(bytes).equals(Buffer.from(served.bytes))).toBe(true);
    expect(hub.stats.requests.filter((r) => r.server === 'cdn').every((r) => !r.authorization)).toBe(true); // fetch drops it cross-origin
  });

  it('lists what a Llama needs: config.json first, the shards an index names', async () => {
    hub.stats.reset();
    const plan = await modelFiles(new HubClient({ endpoint: hub.url }), parseHubId('hf:test/llama31-mini'));
    expect(plan.kind).toBe('hf');
    expect(plan.files.map((f) => f.path)).toEqual(['config.json', 'tokenizer.json', 'model.safetensors']);
    expect(hub.stats.requests.filter((r) => r.server === 'cdn')).toEqual([]); // no weight byte read
  });

  it('refuses a model that is not a Llama before any weight request, naming its architecture', async () => {
    hub.stats.reset();
    const e = await hubError(modelFiles(new HubClient({ endpoint: hub.url }), parseHubId('hf:test/qwen')));
    expect(e.code).toBe('NotLlama');
    expect(e.message).toContain('test/qwen is a qwen2 (Qwen2ForCausalLM) model, not a Llama');
    expect(hub.stats.requests.some((r) => r.path.endsWith('.safetensors') || r.server === 'cdn')).toBe(false);
  });

  it('answers a GGUF repo named without a file with its .gguf files and sizes', async () => {
    const e = await hubError(modelFiles(new HubClient({ endpoint: hub.url }), parseHubId('hf:test/gguf')));
    expect(e.code).toBe('PickAFile');
    expect(e.message).toContain('hf:test/gguf/m.Q4_K_M.gguf');
    expect(e.message).toContain('m.Q4_K_M.gguf (3.0 kB), m.Q8_0.gguf (5.0 kB)');
    const plan = await modelFiles(new HubClient({ endpoint: hub.url }), parseHubId('hf:test/gguf/m.Q8_0.gguf'));
    expect(plan).toMatchObject({ kind: 'gguf', files: [{ path: 'm.Q8_0.gguf', size: 5000 }] });
  });

  it('names a shard the index lists but the repo lacks', async () => {
    const e = await hubError(modelFiles(new HubClient({ endpoint: hub.url }), parseHubId('hf:test/broken')));
    expect(e.code).toBe('MissingShard');
    expect(e.message).toBe('test/broken: model.safetensors.index.json names the shard model-00002-of-00002.safetensors, which the repo does not have');
  });

  it('refuses headers that would name paths outside the cache, and says when the token itself is refused', async () => {
    const answer = (headers: Record<string, string>, status = 200): typeof fetch => async () => new Response(null, { status, headers });
    const commit = { 'X-Repo-Commit': 'a'.repeat(40), 'Content-Length': '3' };
    const at = (f: typeof fetch) => new HubClient({ endpoint: 'https://hub.test', token: 'hf_secret', fetch: f }).fileInfo('a/b', 'main', 'config.json');
    expect((await hubError(at(answer({ ...commit, 'X-Repo-Commit': '../../etc', ETag: '"abc"' })))).code).toBe('BadResponse');
    expect((await hubError(at(answer({ ...commit, ETag: '"../../x"' })))).code).toBe('BadResponse');
    expect((await hubError(at(answer({ ...commit, 'X-Linked-Etag': '"a/b"', 'X-Linked-Size': '3', Location: 'https://cdn.test/x' }, 302)))).message).toContain('came with the ETag');
    const bad = await hubError(at(answer({ 'X-Error-Message': 'Invalid credentials in Authorization header' }, 401)));
    expect(bad.code).toBe('BadToken');
    expect(bad.message).toBe('https://hub.test refused the token (HTTP 401 Invalid credentials in Authorization header): give a valid token (HF_TOKEN)');
  });

  it('answers a browser\'s preflight and exposes the Hub\'s headers', async () => {
    const pre = await fetch(`${hub.url}/test/llama31-mini/resolve/main/config.json`, { method: 'OPTIONS', headers: { Origin: 'http://page', 'Access-Control-Request-Headers': 'authorization,range' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toBe('authorization,range');
    const res = await fetch(`${hub.url}/test/llama31-mini/resolve/main/config.json`, { headers: { Origin: 'http://page', Range: 'bytes=0-9' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://page');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/X-Repo-Commit.*ETag.*Content-Range.*X-Linked-Size,X-Linked-ETag/);
    expect((await res.arrayBuffer()).byteLength).toBe(10);
  });
});
