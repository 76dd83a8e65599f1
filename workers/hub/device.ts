// The engine's Hub side in the page (Engine.load of a `hub` source, cachedModels, deleteCachedModel, hubFiles):
// one store for the worker's life (OPFS where the browser has it, else Cache Storage), and the download in
// progress, which Engine.stop() cancels (its partial file stays, so the next load resumes it).
import type { CachedModel, HubRepoFiles, HubSource, LoadProgress } from '../api.ts';
import type { ModelFile } from '../loader/index.ts';
import { deleteCachedRepo, listCachedModels } from './browser-cache.ts';
import { listGgufFiles, openHubModel } from './browser-pull.ts';
import { parseHubId } from './id.ts';
import { cacheStorageStore } from './cache-storage.ts';
import { HubError } from './errors.ts';
import { opfsStore } from './opfs.ts';
import type { DeviceStore, StoreKind } from './store.ts';

export class HubDevice {
  private store: Promise<DeviceStore> | null = null;
  private download: AbortController | null = null;

  /** `prefer`: force OPFS or Cache Storage (tests of the fallback); default OPFS where the browser has it. */
  constructor(private readonly prefer?: StoreKind) {}

  private open(): Promise<DeviceStore> {
    this.store ??= openDeviceStore(this.prefer).catch((e) => { this.store = null; throw e; });
    return this.store;
  }

  async load(source: HubSource, onProgress?: (p: LoadProgress) => void, onNotice?: (text: string) => void): Promise<ModelFile[]> {
    const download = new AbortController();
    this.download = download;
    try {
      return await openHubModel(source, { store: await this.open(), signal: download.signal, onProgress, onNotice });
    } finally {
      if (this.download === download) this.download = null;
    }
  }

  cancel(): void {
    this.download?.abort();
  }

  async cached(): Promise<{ storage: string; models: CachedModel[] }> {
    const store = await this.open();
    return { storage: store.kind, models: (await listCachedModels(store)).filter((m) => m.complete || m.bytes > 0) };
  }

  async remove(repo: string): Promise<void> {
    await deleteCachedRepo(await this.open(), parseHubId(repo).repo);
  }

  files(source: HubSource): Promise<HubRepoFiles> {
    return listGgufFiles(source);
  }
}

/** OPFS when the browser has it, else Cache Storage; `prefer` forces one (tests of the fallback). */
export async function openDeviceStore(prefer?: StoreKind): Promise<DeviceStore> {
  const storage = (globalThis.navigator as { storage?: StorageManager } | undefined)?.storage;
  if (prefer !== 'cache-storage' && typeof storage?.getDirectory === 'function') {
    try {
      return opfsStore(await storage.getDirectory());
    } catch (e) {
      if (prefer === 'opfs') throw e; // e.g. a private window whose OPFS is switched off
    }
  }
  if (typeof caches !== 'undefined') {
    return cacheStorageStore(await caches.open(CACHE_NAME));
  }
  throw new HubError('DiskFull', 'this browser gives the page no persistent storage (neither OPFS nor Cache Storage): open the page over https or localhost, outside a private window');
}

export const CACHE_NAME = 'hub-models-v1';
