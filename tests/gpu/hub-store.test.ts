// The page's storage for Hub downloads, in headless Chromium: OPFS (here on the main thread, so through a writable
// stream; the app's worker uses sync access handles, which e2e/hub.spec.ts drives) and the Cache Storage fallback
// (forced), each as a PartialFile (write, stop, reopen and continue, hash state, commit, discard), as a file read
// by range, and as huggingface_hub's layout (refs, snapshot manifests, list, delete).
import { afterAll, describe, expect, test } from 'vitest';
import { createSHA256 } from 'hash-wasm';
import { opfsStore } from '../../workers/hub/opfs.ts';
import { cacheStorageStore } from '../../workers/hub/cache-storage.ts';
import { listCachedModels, deleteCachedRepo, RepoStore } from '../../workers/hub/browser-cache.ts';
import type { DeviceStore } from '../../workers/hub/store.ts';
import type { FileInfo } from '../../workers/hub/client.ts';

const NAME = `hub-store-test-${crypto.randomUUID()}`;
const stores: Record<string, () => Promise<DeviceStore>> = {
  opfs: async () => opfsStore(await (await navigator.storage.getDirectory()).getDirectoryHandle(NAME, { create: true })),
  'cache-storage': async () => cacheStorageStore(await caches.open(NAME), { chunk: 256 << 10 }),
};

afterAll(async () => {
  await (await navigator.storage.getDirectory()).removeEntry(NAME, { recursive: true }).catch(() => {});
  await caches.delete(NAME);
});

/** Deterministic bytes: position i holds (i * 31 + seed) & 255. */
const pattern = (n: number, from = 0, seed = 7) => Uint8Array.from({ length: n }, (_, i) => ((from + i) * 31 + seed) & 255);
const text = async (b: Blob | null) => (b ? new Uint8Array(await b.arrayBuffer()) : null);

describe.each(Object.keys(stores))('%s', (kind) => {
  test('a partial file: appended, stopped, reopened and continued; its state; committed; read by range', async () => {
    const store = await stores[kind]();
    expect(store.kind).toBe(kind);
    const path = 'hub/models--t--a/blobs/abc123';
    const first = await store.partial(path);
    expect(await first.size()).toBe(0);
    expect(await first.loadState()).toBeNull();
    for (let at = 0; at < 600_000; at += 100_000) await first.append(pattern(100_000, at));
    await first.saveState(Uint8Array.of(1, 2, 3)); // makes what is written so far durable
    await first.close(); // the transfer stopped (a dropped connection, a cancel)
    expect(await store.file(path)).toBeNull(); // never seen as complete
    expect(await store.partialSize(path)).toBe(600_000);

    const again = await store.partial(path);
    expect(await again.size()).toBe(600_000);
    expect(Array.from((await again.loadState())!)).toEqual([1, 2, 3]);
    expect(await again.read(299_990, 20)).toEqual(pattern(20, 299_990));
    await again.append(pattern(150_000, 600_000));
    await again.commit();
    const file = await store.file(path);
    expect(file!.size).toBe(750_000);
    expect(await text(file!.slice(0, 10))).toEqual(pattern(10));
    expect(await text(file!.slice(262_140, 262_150))).toEqual(pattern(10, 262_140)); // across a chunk boundary
    expect(await text(file!.slice(749_990))).toEqual(pattern(10, 749_990));
    expect(await store.partialSize(path)).toBe(0);
    expect(await store.list('hub/models--t--a/blobs')).toEqual(['abc123']); // the state went with the commit
    expect(await store.bytes('hub/models--t--a') - 750_000).toBeLessThan(100); // + Cache Storage's marker entry
  });

  test('truncate and discard leave nothing behind', async () => {
    const store = await stores[kind]();
    const path = 'hub/models--t--b/blobs/def456';
    const part = await store.partial(path);
    await part.append(pattern(400_000));
    await part.saveState(Uint8Array.of(9));
    await part.truncate(100_000);
    expect(await part.size()).toBe(100_000);
    await part.append(pattern(50_000, 100_000));
    await part.close();
    const back = await store.partial(path);
    expect(await back.size()).toBe(150_000);
    expect(await back.read(99_995, 10)).toEqual(pattern(10, 99_995));
    await back.discard();
    expect(await store.partialSize(path)).toBe(0);
    expect(await store.file(path)).toBeNull();
    expect(await store.bytes('hub/models--t--b')).toBe(0);
  });

  test("huggingface_hub's layout: refs, a snapshot manifest, meta; listed, then deleted", async () => {
    const store = await stores[kind]();
    const written = Date.now() - 1000; // the storage's clock may round down to the second
    const repo = new RepoStore(store, 'org/model.v2');
    const commit = 'a'.repeat(40);
    const bytes = pattern(5000);
    const sha = (await createSHA256()).update(bytes).digest('hex');
    const info: FileInfo = { repo: 'org/model.v2', path: 'model.safetensors', commit, etag: sha, size: 5000, sha256: sha, url: '' };
    const part = await repo.partial(sha);
    await part.append(bytes);
    await part.commit();
    await repo.writeRef('main', commit);
    await repo.writeRef('refs/pr/1', commit);
    await repo.addToSnapshot(commit, [info]);
    await repo.touch('hf:org/model.v2');
    expect(await repo.commitOf('main')).toBe(commit);
    expect(await repo.commitOf(commit)).toBe(commit);
    expect(await repo.commitOf('v9')).toBeNull();
    expect((await repo.blob(info))!.size).toBe(5000);
    expect(await repo.blob({ etag: sha, size: 4999 })).toBeNull(); // the wrong size is no blob
    // a second repo whose folder name starts like this one's must survive its deletion
    const other = new RepoStore(store, 'org/model');
    await other.writeRef('main', commit);

    const listed = (await listCachedModels(store)).find((m) => m.repo === 'org/model.v2')!;
    expect(listed).toMatchObject({ id: 'hf:org/model.v2', kind: 'hf', commits: [commit], complete: true });
    expect(listed.revisions.map((r) => r.revision).sort()).toEqual(['main', 'refs/pr/1']);
    expect(listed.bytes).toBeGreaterThanOrEqual(5000);
    expect(listed.lastUsed).toBeGreaterThanOrEqual(written); // stamped by this test's writes, not left over
    expect(listed.lastUsed).toBeLessThanOrEqual(Date.now());

    await deleteCachedRepo(store, 'org/model.v2');
    expect((await listCachedModels(store)).map((m) => m.repo)).not.toContain('org/model.v2');
    expect(await store.bytes(repo.dir)).toBe(0);
    expect(await other.commitOf('main')).toBe(commit);
  });
});
