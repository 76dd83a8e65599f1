// A link's model (?model=...) downloads only after the visitor says yes, when it comes from another origin: a link
// is someone else's choice, and a model is hundreds of megabytes to gigabytes. The question shows the origin and,
// where the server says, the size (a HEAD request's Content-Length; the Hub API's file sizes). A model already on
// this device, or one on this page's own origin, loads at once.
import { create } from 'zustand';
import { isHubId, parseHubId } from '../../workers/shared.ts';
import { loadModel } from './controller.ts';
import { linkSpec, refreshDeviceModels } from './hub.ts';
import type { SourceSpec } from '../store/engine.ts';
import { useHub } from '../store/hub.ts';

export interface LinkAsk {
  spec: SourceSpec;
  /** What the link names, as written. */
  link: string;
  origin: string;
  /** Bytes to download; null while asking the server, or when it does not say. */
  bytes: number | null;
  sizing: boolean;
}

export const useLinkAsk = create<{ ask: LinkAsk | null }>()(() => ({ ask: null }));

/** Loads the link's model, asking first when it would download from another origin. */
export async function openLink(model: string): Promise<void> {
  const spec = linkSpec(model);
  const origin = linkOrigin(spec);
  if (origin === null || origin === location.origin || await onDevice(spec)) {
    await loadModel(spec);
    return;
  }
  useLinkAsk.setState({ ask: { spec, link: model, origin, bytes: null, sizing: true } });
  const bytes = await sizeOf(spec).catch(() => null);
  const ask = useLinkAsk.getState().ask;
  if (ask?.spec === spec) useLinkAsk.setState({ ask: { ...ask, bytes, sizing: false } });
}

export function answerLink(yes: boolean): void {
  const ask = useLinkAsk.getState().ask;
  if (!ask) return;
  useLinkAsk.setState({ ask: null });
  void loadModel(yes ? ask.spec : { kind: 'default' });
}

function linkOrigin(spec: SourceSpec): string | null {
  try {
    if (spec.kind === 'url') return new URL(spec.url, location.href).origin;
    if (spec.kind === 'hub') return new URL(useHub.getState().endpoint).origin;
  } catch { /* the load says what is wrong with it */ }
  return null;
}

async function onDevice(spec: SourceSpec): Promise<boolean> {
  if (spec.kind !== 'hub') return false;
  await refreshDeviceModels();
  try {
    const { repo } = parseHubId(spec.id);
    return (useHub.getState().models ?? []).some((m) => m.repo === repo && m.complete);
  } catch {
    return false;
  }
}

/** The download's size as its server states it, without downloading. */
async function sizeOf(spec: SourceSpec): Promise<number | null> {
  if (spec.kind === 'url') {
    const r = await fetch(spec.url, { method: 'HEAD' });
    const n = Number(r.headers.get('content-length'));
    return r.ok && Number.isFinite(n) && n > 0 ? n : null;
  }
  if (spec.kind !== 'hub' || !isHubId(spec.id)) return null;
  const { repo, revision, file } = parseHubId(spec.id);
  const { endpoint, token } = useHub.getState();
  const r = await fetch(`${endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!r.ok) return null;
  const info = (await r.json()) as { siblings?: { rfilename: string; size?: number }[] };
  const wanted = (name: string) => (file ? name === file : /\.(safetensors|json|jinja|model)$/.test(name));
  const sizes = (info.siblings ?? []).filter((s) => wanted(s.rfilename)).map((s) => s.size ?? NaN);
  return sizes.length && sizes.every(Number.isFinite) ? sizes.reduce((a, b) => a + b, 0) : null;
}
