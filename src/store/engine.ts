// The engine as the UI knows it: the loaded model, the load in progress, the last error and any fault.
import { create } from 'zustand';
import type { LoadProgress, ModelInfo } from '../../workers/api.ts';

/** Where a model came from, kept on the main thread so "Reload model" can load it again (File objects are
 * cheap references; their bytes are read and transferred to the worker on every load). */
export type SourceSpec =
  | { kind: 'default' }
  | { kind: 'url'; url: string }
  | { kind: 'files'; files: File[] };

export interface EngineSlice {
  info: ModelInfo | null;
  /** The source of the loaded model. */
  source: SourceSpec | null;
  /** Set while a load runs. */
  loading: SourceSpec | null;
  progress: LoadProgress | null;
  /** The last failure, one line for people; the previous model (if any) stays usable. */
  error: string | null;
  /** The embedded default model could not be loaded (usually: there is none yet). */
  defaultMissing: boolean;
  /** The GPU device was lost: offer to reload the model, keep the conversation. */
  deviceLost: boolean;
}

export const useEngine = create<EngineSlice>()(() => ({
  info: null,
  source: null,
  loading: null,
  progress: null,
  error: null,
  defaultMissing: false,
  deviceLost: false,
}));

export function describeSource(s: SourceSpec): string {
  if (s.kind === 'default') return 'embedded default model';
  if (s.kind === 'url') return s.url;
  return s.files.length === 1 ? s.files[0].name : `${s.files.length} files (${s.files.map((f) => f.name).join(', ')})`;
}
