// The Remote engine's settings: the server's base URL, its key (this tab only: sessionStorage, never the link or
// localStorage), the models it lists and the one chat goes to. `connected` means chat goes to the server.
import { create } from 'zustand';

const KEY = 'remote-engine';

export interface RemoteSlice {
  baseUrl: string;
  apiKey: string;
  models: string[];
  model: string | null;
  connected: boolean;
  connecting: boolean;
  error: string | null;
}

function saved(): Pick<RemoteSlice, 'baseUrl' | 'apiKey'> {
  try {
    const v = JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as Partial<RemoteSlice>;
    return { baseUrl: typeof v.baseUrl === 'string' ? v.baseUrl : '', apiKey: typeof v.apiKey === 'string' ? v.apiKey : '' };
  } catch {
    return { baseUrl: '', apiKey: '' };
  }
}

export const useRemote = create<RemoteSlice>()(() => ({ ...saved(), models: [], model: null, connected: false, connecting: false, error: null }));

useRemote.subscribe((s) => {
  try { sessionStorage.setItem(KEY, JSON.stringify({ baseUrl: s.baseUrl, apiKey: s.apiKey })); } catch { /* storage off: kept in memory */ }
});
