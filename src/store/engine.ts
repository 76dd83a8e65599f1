// The engine as the UI knows it: the loaded model, the load in progress, the last error and any fault.
import { create } from 'zustand';
import type { LoadProgress, ModelInfo } from '../../workers/api.ts';

/** Where a model came from, kept on the main thread so "Reload model" can load it again. Picked files are Blob
 * handles named by their path in the picked or dropped folder ("Llama-3.2-1B/config.json" names the model
 * Llama-3.2-1B); the engine reads them by byte range, so nothing here ever holds a file's bytes. */
export type SourceSpec =
  | { kind: 'default' }
  | { kind: 'url'; url: string }
  | { kind: 'hub'; id: string } // "hf:org/name[/file.gguf][@revision]"; the token and endpoint are added at load (store/hub.ts)
  | { kind: 'blobs'; files: { name: string; blob: Blob }[] };

export interface EngineSlice {
  info: ModelInfo | null;
  /** The source of the loaded model. */
  source: SourceSpec | null;
  /** Set while a load runs. */
  loading: SourceSpec | null;
  /** Why this load runs, when it is not a new model (e.g. "with a 2,048-position KV cache"). */
  loadingWhy: string | null;
  progress: LoadProgress | null;
  /** Bytes per second of the current phase, once it has run long enough to say (null before). */
  rate: number | null;
  /** The last failure, one line for people; the previous model (if any) stays usable. */
  error: string | null;
  /** The embedded default model could not be loaded (usually: there is none yet). */
  defaultMissing: boolean;
  /** The GPU device was lost: the engine is recovering, has recovered, moved to the CPU, or could not go on. */
  fault: Fault | null;
}

export interface Fault {
  /** recovering: a new device is being made; recovered: it runs again; cpu: a second loss moved it to the CPU engine;
   * failed: no engine could be made (reload the model). */
  stage: 'recovering' | 'recovered' | 'cpu' | 'failed';
  message: string;
}

export const useEngine = create<EngineSlice>()(() => ({
  info: null,
  source: null,
  loading: null,
  loadingWhy: null,
  progress: null,
  rate: null,
  error: null,
  defaultMissing: false,
  fault: null,
}));

/** "stories260K.gguf", "Llama-3.2-1B/ (5 files)", or the files' names when they share no folder. */
export function describeSource(s: SourceSpec): string {
  if (s.kind === 'default') return 'embedded default model';
  if (s.kind === 'url') return s.url;
  if (s.kind === 'hub') return s.id;
  if (s.files.length === 1) return s.files[0].name;
  const folders = new Set(s.files.map((f) => f.name.slice(0, f.name.lastIndexOf('/') + 1)));
  const [folder] = folders;
  if (folders.size === 1 && folder) return `${folder} (${s.files.length} files)`;
  return `${s.files.length} files (${s.files.map((f) => f.name).join(', ')})`;
}
