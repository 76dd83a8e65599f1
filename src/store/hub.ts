// The Hugging Face Hub as the page knows it. The endpoint lives in localStorage behind "Advanced" and never comes
// from a link (a link could otherwise send the token to another server); changing it forgets the token. The token
// lives in sessionStorage (this tab), or in localStorage when "remember on this device" is ticked; the engine sends
// it to the endpoint's origin only, and it is never logged or put in the URL. Also: the GGUF picker, the gated
// repo's page, and what "Models on this device" shows (the cache, storage used and available, persistence).
import { create } from 'zustand';
import type { CachedModel, HubRepoFiles } from '../../workers/api.ts';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';
export const ENDPOINT_KEY = 'hub-endpoint'; // localStorage
export const TOKEN_KEY = 'hub-token'; // sessionStorage, or localStorage when remembered

export interface DeviceStorage {
  usage: number | null; // navigator.storage.estimate()
  quota: number | null;
  persisted: boolean | null; // navigator.storage.persisted(); null: not known
  kind: string | null; // where the engine keeps models: 'opfs' or 'cache-storage'
}

interface HubSlice {
  endpoint: string;
  token: string;
  remember: boolean;
  /** A GGUF repo named without a file: its .gguf files, to pick one. */
  pick: HubRepoFiles | null;
  /** The last Hub load was refused as gated: the repo and its page (to accept the licence). */
  gated: { repo: string; url: string } | null;
  /** The cached models; null until first read. */
  models: CachedModel[] | null;
  storage: DeviceStorage;
  /** Why the cache could not be read (one line), or null. */
  listError: string | null;
}

/** Web storage can be switched off (or throw in sandboxed frames): then settings last for this page only. */
function read(area: () => Storage, key: string): string | null {
  try { return area().getItem(key); } catch { return null; }
}
function write(area: () => Storage, key: string, value: string | null): void {
  try {
    if (value === null) area().removeItem(key);
    else area().setItem(key, value);
  } catch { /* not persisted */ }
}
const local = () => localStorage;
const session = () => sessionStorage;

/** An http(s) origin plus optional path, without a trailing slash; anything else is refused. */
export function normalizeEndpoint(text: string): string {
  const url = new URL(text.trim());
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${text}: the Hub endpoint must be an http(s) URL`);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function initialEndpoint(): string {
  try { return normalizeEndpoint(read(local, ENDPOINT_KEY) ?? DEFAULT_ENDPOINT); } catch { return DEFAULT_ENDPOINT; }
}

const remembered = typeof window === 'undefined' ? null : read(local, TOKEN_KEY);

export const useHub = create<HubSlice>()(() => ({
  endpoint: typeof window === 'undefined' ? DEFAULT_ENDPOINT : initialEndpoint(),
  token: (typeof window === 'undefined' ? null : read(session, TOKEN_KEY)) ?? remembered ?? '',
  remember: remembered !== null,
  pick: null,
  gated: null,
  models: null,
  storage: { usage: null, quota: null, persisted: null, kind: null },
  listError: null,
}));

/** Keeps the token for this tab, or on this device when `remember` is ticked (and only there). */
export function setToken(token: string, remember: boolean): void {
  const t = token.trim();
  write(session, TOKEN_KEY, !remember && t ? t : null);
  write(local, TOKEN_KEY, remember && t ? t : null);
  useHub.setState({ token: t, remember });
}

/** A new endpoint forgets the token: it was given for the old one. Throws a one-line error for a bad URL. */
export function setEndpoint(text: string): void {
  const endpoint = normalizeEndpoint(text || DEFAULT_ENDPOINT);
  if (endpoint === useHub.getState().endpoint) return;
  write(local, ENDPOINT_KEY, endpoint === DEFAULT_ENDPOINT ? null : endpoint);
  setToken('', false);
  useHub.setState({ endpoint, gated: null, pick: null });
}
