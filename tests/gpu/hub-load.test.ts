// Hub models into the page's storage, in headless Chromium against the stand-in Hub (tests/hub-setup.ts, on another
// origin with the Hub's CORS): a sharded model downloaded with progress and loaded from storage; a dropped
// connection and a cancel resumed with Range; a tampered file discarded; the one-line errors (not a Llama before
// any weight, a missing shard, 404s, a GGUF repo named without a file, no room); the cache used when the Hub is
// unreachable; and the Engine reaching the same greedy tokens from the Hub (OPFS and the Cache Storage fallback)
// as from the folder in public/.
import { afterAll, describe, expect, inject, test } from 'vitest';
import { openHubModel, listGgufFiles } from '../../workers/hub/browser-pull.ts';
import { opfsStore } from '../../workers/hub/opfs.ts';
import { RepoStore } from '../../workers/hub/browser-cache.ts';
import { loadModel } from '../../workers/loader/index.ts';
import { Engine } from '../../workers/engine.ts';
import type { LoadProgress } from '../../workers/api.ts';
import type { DeviceStore } from '../../workers/hub/store.ts';

const endpoint = inject('hubEndpoint');
const NAME = `hub-load-test-${crypto.randomUUID()}`;
let n = 0;
/** A fresh OPFS folder per test: nothing cached. */
const freshStore = async (): Promise<DeviceStore> =>
  opfsStore(await (await (await navigator.storage.getDirectory()).getDirectoryHandle(NAME, { create: true })).getDirectoryHandle(`s${n++}`, { create: true }));
afterAll(async () => { await (await navigator.storage.getDirectory()).removeEntry(NAME, { recursive: true }).catch(() => {}); });

const SHARD1 = 'model-00001-of-00002.safetensors';

/** A fetch that logs requests and can cut one body after `drop.after` bytes, flip a byte, or fail outright. */
function recorder(o: { drop?: { path: string; after: number }; tamper?: string; offline?: boolean; onBytes?: (url: string, seen: number) => void } = {}) {
  const log: { url: string; method: string; range: string | null; auth: boolean }[] = [];
  const received = new Map<string, number>(); // body bytes per requested URL
  let drop = o.drop ?? null;
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const h = new Headers(init?.headers);
    log.push({ url, method: init?.method ?? 'GET', range: h.get('Range'), auth: h.has('Authorization') });
    if (o.offline) throw new TypeError('Failed to fetch');
    const res = await fetch(input, init);
    if (!res.body || res.type === 'opaqueredirect') return res;
    const cut = drop && url.endsWith(drop.path) ? drop.after : Infinity;
    if (cut !== Infinity) drop = null;
    const flip = o.tamper !== undefined && url.endsWith(o.tamper) && !h.has('Range');
    let seen = 0;
    const body = res.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, c) {
        if (flip && seen === 0) { chunk = chunk.slice(); chunk[0] ^= 0xff; }
        const keep = Math.min(chunk.length, cut - seen);
        if (keep > 0) c.enqueue(chunk.subarray(0, keep));
        seen += keep;
        received.set(url, (received.get(url) ?? 0) + keep);
        o.onBytes?.(url, seen);
        if (seen >= cut) c.error(new TypeError('network error: the connection was reset'));
      },
    }));
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  }) as typeof fetch;
  return { fetch: fetchFn, log, received, bytesOf: (path: string) => [...received].filter(([u]) => u.endsWith(path)).reduce((a, [, b]) => a + b, 0) };
}

const hubError = async (p: Promise<unknown>) => {
  const e = (await p.then(() => null, (x: unknown) => x)) as Error & { code?: string };
  expect(e).toBeInstanceOf(Error);
  expect(e.message).not.toContain('\n');
  return e;
};

describe('a Hub model into OPFS', () => {
  test('sharded: config.json first, progress for the model and each file, loaded from storage; a second load fetches no byte', async () => {
    const store = await freshStore();
    const r = recorder();
    const progress: LoadProgress[] = [];
    const files = await openHubModel({ kind: 'hub', id: 'hf:test/sharded', endpoint }, { store, fetch: r.fetch, onProgress: (p) => progress.push(p) });
    expect(files.map((f) => f.name).sort()).toEqual(['sharded/config.json', 'sharded/generation_config.json', `sharded/${SHARD1}`,
      'sharded/model-00002-of-00002.safetensors', 'sharded/model.safetensors.index.json', 'sharded/tokenizer.json', 'sharded/tokenizer_config.json']);
    const gets = r.log.filter((l) => l.method === 'GET' && l.url.includes('/resolve/')).map((l) => l.url.split('/').pop());
    expect(gets[0]).toBe('config.json'); // before anything else, and long before a weight
    const last = progress[progress.length - 1];
    expect(last.loaded).toBe(last.total);
    expect(progress.some((p) => p.file === SHARD1 && p.fileTotal! > 1e6)).toBe(true);
    for (let i = 1; i < progress.length; i++) expect(progress[i].loaded).toBeGreaterThanOrEqual(progress[i - 1].loaded);
    const model = await loadModel(files);
    expect(model.config.nLayers).toBeGreaterThan(0);

    const again = recorder();
    await openHubModel({ kind: 'hub', id: 'hf:test/sharded', endpoint }, { store, fetch: again.fetch });
    expect(again.log.filter((l) => l.method === 'GET' && l.url.includes('/resolve/'))).toEqual([]);
    expect(again.bytesOf('.safetensors')).toBe(0);
  });

  test('a dropped connection, then a cancel: each resumed with Range where it stopped; the shard is fetched about once', async () => {
    const store = await freshStore();
    const id = { kind: 'hub' as const, id: 'hf:test/sharded', endpoint };
    const r = recorder({ drop: { path: SHARD1, after: 700_000 } });
    const e = await hubError(openHubModel(id, { store, fetch: r.fetch }));
    expect(e.message).toMatch(/connection dropped while downloading model-00001-of-00002\.safetensors .*load it again to resume/);
    const repo = new RepoStore(store, 'test/sharded');
    const files = await listShard(repo);
    expect(files.kept).toBeGreaterThan(0);
    expect(files.complete).toBe(false);

    const cancel = new AbortController();
    // the cancel lands at 300 kB into the shard, and no byte after it arrives (else, on a busy machine, the shard's
    // last chunk can land with the cancel and the message would name the next file)
    const r2 = recorder({ drop: { path: SHARD1, after: 300_000 }, onBytes: (url, seen) => { if (url.endsWith(SHARD1) && seen >= 300_000) cancel.abort(); } });
    const stopped = openHubModel(id, { store, fetch: r2.fetch, signal: cancel.signal });
    const c = await hubError(stopped);
    expect(c.name).toBe('AbortError');
    expect(c.message).toMatch(/^cancelled the download of hf:test\/sharded \(model-00001-of-00002\.safetensors: .* kept\): load it again to resume/);
    expect((await listShard(repo)).kept).toBeGreaterThan(files.kept);

    const r3 = recorder();
    await openHubModel(id, { store, fetch: r3.fetch });
    const ranges = [...r2.log, ...r3.log].filter((l) => l.url.endsWith(SHARD1) && l.range).map((l) => Number(/bytes=(\d+)-/.exec(l.range!)![1]));
    expect(ranges.length).toBeGreaterThan(0);
    expect(Math.min(...ranges)).toBeGreaterThan(0); // never from the start again
    const size = (await repo.blob({ etag: (await shardInfo(repo)).etag, size: (await shardInfo(repo)).size }))!.size;
    expect(r.bytesOf(SHARD1) + r2.bytesOf(SHARD1) + r3.bytesOf(SHARD1)).toBeLessThan(1.5 * size);
  });

  test('a tampered file is discarded with one line and nothing is left as complete', async () => {
    const store = await freshStore();
    const r = recorder({ tamper: SHARD1 });
    const e = await hubError(openHubModel({ kind: 'hub', id: 'hf:test/sharded', endpoint }, { store, fetch: r.fetch }));
    expect(e.message).toMatch(/model-00001-of-00002\.safetensors of test\/sharded has the wrong SHA-256 .*discarded it/);
    const repo = new RepoStore(store, 'test/sharded');
    const s = await listShard(repo);
    expect(s).toEqual({ kept: 0, complete: false });
    expect(await repo.readSnapshot(await repo.commitOf('main') ?? '')).toBeNull();
  });

  test('one-line errors, each before any weight is fetched', async () => {
    const store = await freshStore();
    const load = async (id: string, extra: Partial<Parameters<typeof openHubModel>[1]> = {}) => {
      const r = recorder();
      const e = await hubError(openHubModel({ kind: 'hub', id, endpoint }, { store, fetch: r.fetch, ...extra }));
      expect(r.bytesOf('.safetensors') + r.bytesOf('.gguf')).toBe(0);
      return e;
    };
    expect(await load('hf:test/qwen')).toMatchObject({ code: 'NotLlama', message: expect.stringMatching(/test\/qwen is a qwen2 \(Qwen2ForCausalLM\) model, not a Llama/) });
    expect(await load('hf:test/broken')).toMatchObject({ code: 'MissingShard', message: expect.stringContaining('model-00002-of-00002.safetensors') });
    expect(await load('hf:test/nope')).toMatchObject({ code: 'RepoNotFound', status: 404, message: expect.stringContaining('repository test/nope not found') });
    expect(await load('hf:test/llama31-mini/nope.gguf')).toMatchObject({ code: 'EntryNotFound', message: expect.stringMatching(/test\/llama31-mini has no file nope\.gguf .*HTTP 404/) });
    expect(await load('hf:test/gguf')).toMatchObject({ code: 'PickAFile' });
    expect(await listGgufFiles({ kind: 'hub', id: 'hf:test/gguf', endpoint })).toMatchObject({ repo: 'test/gguf', gguf: [{ path: 'm.Q4_K_M.gguf', size: 3000 }, { path: 'm.Q8_0.gguf', size: 5000 }] });
    const full = await load('hf:test/sharded', { estimate: async () => ({ usage: 9_000_000, quota: 10_000_000 }) });
    expect(full).toMatchObject({ code: 'DiskFull', message: expect.stringMatching(/not enough browser storage for hf:test\/sharded: 3\.\d MB needed, 1\.0 MB available/) });
  });

  test('the Hub unreachable: a cached model loads from storage with a notice; an uncached one says why', async () => {
    const store = await freshStore();
    await openHubModel({ kind: 'hub', id: 'hf:test/llama31-mini', endpoint }, { store });
    const notices: string[] = [];
    const r = recorder({ offline: true });
    const files = await openHubModel({ kind: 'hub', id: 'hf:test/llama31-mini', endpoint }, { store, fetch: r.fetch, onNotice: (t) => notices.push(t) });
    expect(files.map((f) => f.name)).toContain('llama31-mini/model.safetensors');
    expect(notices[0]).toMatch(/could not reach .*loaded the copy of hf:test\/llama31-mini on this device/);
    expect(await hubError(openHubModel({ kind: 'hub', id: 'hf:test/sharded', endpoint }, { store, fetch: r.fetch }))).toMatchObject({ code: 'Network' });
  });
});

async function shardInfo(repo: RepoStore) {
  const res = await fetch(`${endpoint}/api/models/test/sharded/tree/main?recursive=true`);
  const e = ((await res.json()) as { path: string; lfs: { oid: string; size: number } }[]).find((x) => x.path === SHARD1)!;
  void repo;
  return { etag: e.lfs.oid, size: e.lfs.size };
}

/** Bytes of shard 1 kept as a partial download, and whether it is complete. */
async function listShard(repo: RepoStore) {
  const { etag, size } = await shardInfo(repo);
  return { kept: await repo.partialSize(etag), complete: (await repo.blob({ etag, size })) !== null };
}

describe.each(['opfs', 'cache-storage'] as const)('the Engine, Hub models kept in %s', (storage) => {
  test('a sharded model by id gives the greedy tokens of the folder in public/', async () => {
    const engine = new Engine({ engine: 'auto', baseUrl: `${location.origin}/`, storage });
    await engine.deleteCachedModel('test/sharded');
    const request = { prompt: 'Once upon a time', max_tokens: 10, temperature: 0 };
    await engine.load({ kind: 'default' });
    const want = await engine.generate(request);
    const progress: LoadProgress[] = [];
    const info = await engine.load({ kind: 'hub', id: 'hf:test/sharded', endpoint }, (p) => progress.push(p));
    expect(info.name).toBe('sharded');
    expect(progress.some((p) => p.phase === 'download' && p.file === SHARD1)).toBe(true);
    const got = await engine.generate(request);
    expect(got.tokens).toEqual(want.tokens);
    const cached = await engine.cachedModels();
    expect(cached.storage).toBe(storage);
    expect(cached.models.find((m) => m.repo === 'test/sharded')).toMatchObject({ id: 'hf:test/sharded', complete: true, kind: 'hf' });
    await engine.deleteCachedModel('test/sharded');
    expect((await engine.cachedModels()).models.map((m) => m.repo)).not.toContain('test/sharded');
  });
});
