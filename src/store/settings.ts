// The settings a link carries (TensorFlow Playground): the model source, the precision map and the sampling,
// mirrored in the URL query string so any configuration is a shareable link. Only the keys listed here are
// written; other keys in the URL are left alone.
//
//   model=<url>          a .gguf or Hugging Face folder URL, or a Hub id (hf:org/name, hf:org/name@revision,
//                        hf:org/name/file.gguf: downloaded into the browser's storage); absent: the default model.
//                        The Hub endpoint and token are never in a link (store/hub.ts).
//   precision=<map>      a preset (f32, bf16, fp8-llama3, fp8-all) or a compact map (workers/quant/precision.ts
//                        encodeMap); the model is loaded straight into it
//   context=<positions>  what the KV cache holds (a whole number >= 64; absent: the engine's default,
//                        min(the model's context, 4096))
//   threads=<n>          threads the CPU engine runs on (1 to 16; absent: the cores up to 4 where the page is
//                        cross-origin isolated, else 1); WebGPU ignores it
//   temperature, top_k, top_p, max_tokens, seed, stop, logprobs   the OpenAI request names (logprobs=true: each
//                        answer keeps its tokens' probabilities and the top alternatives, for the token view)
//   stages, mb           reserved for the pipeline view (stages, micro-batches): see PIPELINE_URL_KEYS below
import { create } from 'zustand';
import { MAX_THREADS } from '../../workers/shared.ts';

export interface Sampling {
  temperature: number; // 0 = greedy
  topK: number; // 0 = off
  topP: number; // 1 = off
  maxTokens: number;
  seed: number;
  randomSeed: boolean; // a fresh seed per request (shown under each answer)
  stop: string[];
  /** Ask for each token's log-probability and the top TOP_LOGPROBS alternatives (the token view). */
  logprobs: boolean;
}

/** Alternatives the token view lists per token (OpenAI's top_logprobs; at most 20). */
export const TOP_LOGPROBS = 5;

export const DEFAULT_SAMPLING: Sampling = {
  temperature: 0.8,
  topK: 40,
  topP: 0.9,
  maxTokens: 256,
  seed: 42,
  randomSeed: true,
  stop: [],
  logprobs: false,
};

export const LIMITS = {
  temperature: { min: 0, max: 2, step: 0.05 },
  topK: { min: 0, max: 200, step: 1 },
  topP: { min: 0.05, max: 1, step: 0.01 },
  maxTokens: { min: 1, max: 8192, step: 1 },
  seed: { min: 0, max: 2 ** 32 - 1, step: 1 },
} as const;

type NumericKey = keyof typeof LIMITS;

/** URL key of each setting: the OpenAI request names, so a link reads like the request it makes. */
const URL_KEYS = {
  temperature: 'temperature',
  topK: 'top_k',
  topP: 'top_p',
  maxTokens: 'max_tokens',
  seed: 'seed',
} as const satisfies Record<NumericKey, string>;

const clamp = (k: NumericKey, v: number) => {
  const { min, max } = LIMITS[k];
  const x = Math.min(max, Math.max(min, v));
  return LIMITS[k].step === 1 ? Math.round(x) : x;
};

export function samplingFromQuery(search: string): Sampling {
  const q = new URLSearchParams(search);
  const s: Sampling = { ...DEFAULT_SAMPLING, stop: [...DEFAULT_SAMPLING.stop] };
  for (const k of Object.keys(URL_KEYS) as NumericKey[]) {
    const raw = q.get(URL_KEYS[k]);
    if (raw === null || raw.trim() === '') continue;
    const v = Number(raw);
    if (Number.isFinite(v)) s[k] = clamp(k, v);
  }
  // A seed in the link pins it; without one, every request draws a fresh seed.
  s.randomSeed = !q.has(URL_KEYS.seed);
  const stops = q.getAll('stop').filter((x) => x.length > 0);
  if (stops.length) s.stop = stops;
  s.logprobs = q.get('logprobs') === 'true';
  return s;
}

export function samplingToQuery(s: Sampling, search: string): string {
  const q = new URLSearchParams(search);
  for (const k of Object.keys(URL_KEYS) as NumericKey[]) q.delete(URL_KEYS[k]);
  q.delete('stop');
  q.delete('logprobs');
  q.set(URL_KEYS.temperature, String(s.temperature));
  q.set(URL_KEYS.topK, String(s.topK));
  q.set(URL_KEYS.topP, String(s.topP));
  q.set(URL_KEYS.maxTokens, String(s.maxTokens));
  if (!s.randomSeed) q.set(URL_KEYS.seed, String(s.seed));
  for (const x of s.stop) q.append('stop', x);
  if (s.logprobs) q.set('logprobs', 'true');
  return q.toString();
}

// ---- Model and precision ----

export const MODEL_KEY = 'model';
export const PRECISION_KEY = 'precision';
export const CONTEXT_KEY = 'context';
export const THREADS_KEY = 'threads';
/** Fewest KV positions a link may ask for (a chat turn and its answer). */
export const MIN_CONTEXT = 64;

/** Where the model comes from, as a link can say it: a URL or a Hub id (`hf:`), or null for the embedded default. */
export function modelFromQuery(search: string): string | null {
  const v = new URLSearchParams(search).get(MODEL_KEY)?.trim();
  return v ? v : null;
}

/** The precision map as written in the link (decoded against the model's layer count once it is loaded). */
export function precisionFromQuery(search: string): string | null {
  const v = new URLSearchParams(search).get(PRECISION_KEY)?.trim();
  return v ? v : null;
}

/** KV-cache positions as the link says them: a whole number >= MIN_CONTEXT, else null (the engine's default). */
export function contextFromQuery(search: string): number | null {
  const raw = new URLSearchParams(search).get(CONTEXT_KEY)?.trim();
  if (!raw || !/^\d+$/.test(raw)) return null;
  const v = Number(raw);
  return Number.isSafeInteger(v) && v >= MIN_CONTEXT ? v : null;
}

/** CPU engine threads as the link says them: a whole number from 1 to MAX_THREADS, else null (the engine's default). */
export function threadsFromQuery(search: string): number | null {
  const raw = new URLSearchParams(search).get(THREADS_KEY)?.trim();
  if (!raw || !/^\d+$/.test(raw)) return null;
  const v = Number(raw);
  return v >= 1 && v <= MAX_THREADS ? v : null;
}

/** The Threads control's choices: 1 up to the cores (at least the count running now), at most MAX_THREADS; only 1 where threads cannot share memory. */
export function threadOptions(cores: number, current: number, isolated: boolean): number[] {
  if (!isolated) return [1];
  const top = Math.min(MAX_THREADS, Math.max(cores, current, 1));
  return Array.from({ length: top }, (_, i) => i + 1);
}

// ---- Pipeline-parallel settings (owned by the pipeline view) ----
// Reserved keys: `stages` (how many pipeline stages, one worker each) and `mb` (micro-batches per step). The pipeline
// view adds its fields to SettingsSlice, reads them in its own `...FromQuery` and writes them in settingsToQuery.
export const PIPELINE_URL_KEYS = { stages: 'stages', microBatches: 'mb' } as const;

interface SettingsSlice {
  sampling: Sampling;
  /** The model URL or Hub id of the link (null: the default model). Set on a successful load. */
  model: string | null;
  /** The precision map's URL form: what the link asks for until a model is loaded, then what the engine runs. */
  precision: string | null;
  /** KV-cache positions asked for (null: the engine's default). Sent with every load. */
  context: number | null;
  /** CPU engine threads asked for (null: the engine's default). Sent with every load. */
  threads: number | null;
  setNumber: (key: NumericKey, value: number) => void;
  setRandomSeed: (random: boolean) => void;
  setStop: (stop: string[]) => void;
  setLogprobs: (logprobs: boolean) => void;
  /** All of it at once (opening a saved conversation), each value clamped as a slider would. */
  setSampling: (sampling: Sampling) => void;
  reset: () => void;
}

const initialSearch = typeof location === 'undefined' ? '' : location.search;

export const useSettings = create<SettingsSlice>()((set) => ({
  sampling: samplingFromQuery(initialSearch),
  model: modelFromQuery(initialSearch),
  precision: precisionFromQuery(initialSearch),
  context: contextFromQuery(initialSearch),
  threads: threadsFromQuery(initialSearch),
  setNumber: (key, value) =>
    set((st) => (Number.isFinite(value) ? { sampling: { ...st.sampling, [key]: clamp(key, value) } } : st)),
  setRandomSeed: (randomSeed) => set((st) => ({ sampling: { ...st.sampling, randomSeed } })),
  setStop: (stop) => set((st) => ({ sampling: { ...st.sampling, stop } })),
  setLogprobs: (logprobs) => set((st) => ({ sampling: { ...st.sampling, logprobs } })),
  setSampling: (s) => set({ sampling: {
    ...(Object.fromEntries((Object.keys(LIMITS) as NumericKey[]).map((k) => [k, clamp(k, Number.isFinite(s[k]) ? s[k] : DEFAULT_SAMPLING[k])])) as Pick<Sampling, NumericKey>),
    randomSeed: s.randomSeed !== false,
    stop: Array.isArray(s.stop) ? s.stop.filter((x) => typeof x === 'string') : [],
    logprobs: s.logprobs === true,
  } }),
  reset: () => set({ sampling: { ...DEFAULT_SAMPLING, stop: [] } }),
}));

/** The query string for these settings: our keys rewritten in a fixed order, every other key kept. */
export function settingsToQuery(st: Pick<SettingsSlice, 'sampling' | 'model' | 'precision'> & { context?: number | null; threads?: number | null },
  search: string): string {
  const q = new URLSearchParams(search);
  q.delete(MODEL_KEY);
  q.delete(PRECISION_KEY);
  q.delete(CONTEXT_KEY);
  q.delete(THREADS_KEY);
  const rest = q.toString();
  const head = new URLSearchParams();
  if (st.model) head.set(MODEL_KEY, st.model);
  if (st.precision) head.set(PRECISION_KEY, st.precision);
  if (st.context != null) head.set(CONTEXT_KEY, String(st.context));
  if (st.threads != null) head.set(THREADS_KEY, String(st.threads));
  const sampling = samplingToQuery(st.sampling, rest);
  return [head.toString(), sampling].filter((x) => x !== '').join('&');
}

// Mirror the settings into the address bar now and on every change (replaceState: no history entry per
// slider step), so the page's URL is always a link to this exact configuration.
function writeUrl(st: SettingsSlice) {
  const query = settingsToQuery(st, location.search);
  history.replaceState(history.state, '', `${location.pathname}?${query}${location.hash}`);
}

if (typeof window !== 'undefined') {
  writeUrl(useSettings.getState());
  useSettings.subscribe((st) => writeUrl(st));
}
