// RoPE as the lesson draws it: the loaded model's rotation frequencies with and without Llama 3.1's `llama3`
// scaling (the engine's own ropeFrequencies, workers/model/rope.ts), which pairs fall in the kept / stretched /
// blended bands, and what rotating a vector by position does to its dot product with itself at another position.
import type { LlamaConfig } from '../../../workers/api.ts';
import { ropeFrequencies } from '../../../workers/shared.ts';

export interface RopeBands {
  /** Pair indices [from, to) whose wavelength is short enough to keep their frequency. */
  high: [number, number];
  /** Pair indices in the smooth middle. */
  middle: [number, number];
  /** Pair indices whose frequency is divided by `factor`. */
  low: [number, number];
}

export function ropeCurves(c: LlamaConfig) {
  const scaled = ropeFrequencies(c);
  const plain = ropeFrequencies({ ...c, ropeScaling: null });
  const wave = (f: Float64Array) => Array.from(f, (x) => (2 * Math.PI) / x);
  let bands: RopeBands | null = null;
  const s = c.ropeScaling;
  if (s) {
    const w = wave(plain);
    const highEnd = w.findIndex((x) => x >= s.originalMaxPositions / s.highFreqFactor);
    const lowStart = w.findIndex((x) => x > s.originalMaxPositions / s.lowFreqFactor);
    const h = highEnd < 0 ? w.length : highEnd, l = lowStart < 0 ? w.length : lowStart;
    bands = { high: [0, h], middle: [h, l], low: [l, w.length] };
  }
  return { scaled, plain, scaledWave: wave(scaled), plainWave: wave(plain), bands };
}

/** The pairs RoPE rotates together in a head vector, as [x, y] per pair (interleaved or halves, as the model does). */
export function pairsOf(v: ArrayLike<number>, headDim: number, style: LlamaConfig['ropeStyle']): [number, number][] {
  const half = headDim / 2;
  return Array.from({ length: half }, (_, i) => (style === 'halves' ? [v[i], v[i + half]] : [v[2 * i], v[2 * i + 1]]));
}

/**
 * q(m) · q(m + d) / |q|^2 for the same vector q at two positions d apart: sum over pairs of |pair|^2 cos(d freq).
 * 1 at d = 0; how fast it falls is how fast position changes what attention sees.
 */
export function selfSimilarity(pairs: [number, number][], freqs: Float64Array, d: number): number {
  let num = 0, den = 0;
  for (let i = 0; i < pairs.length; i++) {
    const e = pairs[i][0] ** 2 + pairs[i][1] ** 2;
    num += e * Math.cos(d * freqs[i]);
    den += e;
  }
  return den > 0 ? num / den : 0;
}
