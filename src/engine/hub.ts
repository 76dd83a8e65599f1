// What the Hub controls do: turn what was typed (or a link's `?model=hf:org/name`) into a load, add this tab's
// token and endpoint to it, react to what a failed load asks for (a GGUF file to pick, a licence to accept), cancel
// a download, and keep "Models on this device" current (the engine's cache listing, navigator.storage.estimate()
// and persist()). Loading itself is controller.ts's.
import type { HubSource } from '../../workers/api.ts';
import { formatHubId, isHubId, parseHubId } from '../../workers/shared.ts';
import * as client from './client.ts';
import { asEngineError, oneLine } from './errors.ts';
import { useEngine, type SourceSpec } from '../store/engine.ts';
import { useHub } from '../store/hub.ts';

/** "org/name", "hf:org/name@rev", "org/name/file.gguf" or the repo's page on the endpoint; throws a one-line error. */
export function hubSpec(text: string): SourceSpec {
  const endpoint = useHub.getState().endpoint;
  let t = text.trim();
  if (t.startsWith(`${endpoint}/`)) t = t.slice(endpoint.length + 1);
  return { kind: 'hub', id: formatHubId(parseHubId(t)) };
}

/** The link's `model=`: a Hub id (`hf:...`) or a URL. */
export function linkSpec(model: string): SourceSpec {
  return isHubId(model) ? { kind: 'hub', id: model } : { kind: 'url', url: model };
}

/** The engine's source for a Hub load: the id plus this tab's token and endpoint (never stored with the spec). */
export function hubSource(spec: { id: string }): HubSource {
  const { token, endpoint } = useHub.getState();
  return { kind: 'hub', id: spec.id, token: token || null, endpoint };
}

/** After a Hub load: the licence page of a gated repo, the file list of a GGUF repo, and the cache listing. */
export function afterHubLoad(spec: { id: string }, error: unknown): void {
  const name = error === null ? null : asEngineError(error).detail; // the Hub's error code
  let repo: string | null = null;
  try { repo = parseHubId(spec.id).repo; } catch { /* the error says so */ }
  const gated = name === 'GatedRepo' && repo ? { repo, url: `${useHub.getState().endpoint}/${repo}` } : null;
  useHub.setState({ gated, pick: null });
  if (name === 'PickAFile') void showGgufFiles(spec.id);
  void refreshDeviceModels();
}

export async function showGgufFiles(id: string): Promise<void> {
  try {
    useHub.setState({ pick: await client.hubFiles(hubSource({ id })) });
  } catch (e) {
    useEngine.setState({ error: `Could not list the files of ${id}: ${oneLine(e)}` });
  }
}

/** Stops the download in progress; its partial file stays, and loading the model again resumes it. */
export function cancelDownload(): void {
  client.stop().catch(() => {});
}

export async function refreshDeviceModels(): Promise<void> {
  const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
  try {
    const [cache, estimate, persisted] = await Promise.all([
      client.cachedModels(),
      storage?.estimate?.().catch(() => null) ?? null,
      storage?.persisted?.().catch(() => null) ?? null,
    ]);
    useHub.setState({
      models: cache.models,
      listError: null,
      storage: { usage: estimate?.usage ?? null, quota: estimate?.quota ?? null, persisted, kind: cache.storage },
    });
  } catch (e) {
    useHub.setState({ models: [], listError: oneLine(e) });
  }
}

export async function deleteDeviceModel(repo: string): Promise<void> {
  try {
    await client.deleteCachedModel(repo);
  } catch (e) {
    useEngine.setState({ error: `Could not delete ${repo}: ${oneLine(e)}` });
  }
  await refreshDeviceModels();
}

/** Asks the browser to keep the models when space runs low (navigator.storage.persist()); shows what it said. */
export async function keepModels(): Promise<void> {
  const granted = (await navigator.storage?.persist?.().catch(() => false)) ?? false;
  useHub.setState((s) => ({ storage: { ...s.storage, persisted: granted } }));
}
