// The sampling settings, mirrored in the URL query string so a configuration is a shareable link
// (TensorFlow Playground). Only our own keys are written; other views' keys in the URL are left alone.
import { create } from 'zustand';

export interface Sampling {
  temperature: number; // 0 = greedy
  topK: number; // 0 = off
  topP: number; // 1 = off
  maxTokens: number;
  seed: number;
  randomSeed: boolean; // a fresh seed per request (shown under each answer)
  stop: string[];
}

export const DEFAULT_SAMPLING: Sampling = {
  temperature: 0.8,
  topK: 40,
  topP: 0.9,
  maxTokens: 256,
  seed: 42,
  randomSeed: true,
  stop: [],
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
  return s;
}

export function samplingToQuery(s: Sampling, search: string): string {
  const q = new URLSearchParams(search);
  for (const k of Object.keys(URL_KEYS) as NumericKey[]) q.delete(URL_KEYS[k]);
  q.delete('stop');
  q.set(URL_KEYS.temperature, String(s.temperature));
  q.set(URL_KEYS.topK, String(s.topK));
  q.set(URL_KEYS.topP, String(s.topP));
  q.set(URL_KEYS.maxTokens, String(s.maxTokens));
  if (!s.randomSeed) q.set(URL_KEYS.seed, String(s.seed));
  for (const x of s.stop) q.append('stop', x);
  return q.toString();
}

interface SettingsSlice {
  sampling: Sampling;
  setNumber: (key: NumericKey, value: number) => void;
  setRandomSeed: (random: boolean) => void;
  setStop: (stop: string[]) => void;
  reset: () => void;
}

export const useSettings = create<SettingsSlice>()((set) => ({
  sampling: samplingFromQuery(typeof location === 'undefined' ? '' : location.search),
  setNumber: (key, value) =>
    set((st) => (Number.isFinite(value) ? { sampling: { ...st.sampling, [key]: clamp(key, value) } } : st)),
  setRandomSeed: (randomSeed) => set((st) => ({ sampling: { ...st.sampling, randomSeed } })),
  setStop: (stop) => set((st) => ({ sampling: { ...st.sampling, stop } })),
  reset: () => set({ sampling: { ...DEFAULT_SAMPLING, stop: [] } }),
}));

// Mirror the settings into the address bar now and on every change (replaceState: no history entry per
// slider step), so the page's URL is always a link to this exact configuration.
function writeUrl(sampling: Sampling) {
  const query = samplingToQuery(sampling, location.search);
  history.replaceState(history.state, '', `${location.pathname}?${query}${location.hash}`);
}

if (typeof window !== 'undefined') {
  writeUrl(useSettings.getState().sampling);
  useSettings.subscribe((st) => writeUrl(st.sampling));
}
