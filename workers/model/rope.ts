// Rotary position embedding frequencies (Su et al. 2021, arXiv:2104.09864), with Llama 3.1's "llama3" scaling
// of the low frequencies for long context (arXiv:2407.21783; meta-llama/llama-models `apply_scaling`).
// Shared by the CPU engine and the GPU engine (which uploads a cos/sin table built from these).
import type { LlamaConfig } from './config.ts';
import { llama3Factors } from '../loader/rope-scaling.ts';

/** freq[i] = 1 / theta^(2i/headDim) for i < headDim/2, then llama3-scaled when the config says so. */
export function ropeFrequencies(c: LlamaConfig): Float64Array {
  const half = c.headDim / 2;
  const freqs = new Float64Array(half);
  for (let i = 0; i < half; i++) freqs[i] = 1 / Math.pow(c.ropeTheta, (2 * i) / c.headDim);
  if (c.ropeScaling) {
    const divisors = llama3Factors(c.ropeScaling, c.headDim, c.ropeTheta); // 1 at high frequencies, `factor` at low
    for (let i = 0; i < half; i++) freqs[i] /= divisors[i];
  }
  return freqs;
}

/**
 * cos/sin of pos * freq[i] for every position < nPositions: Float32Array [nPositions, headDim/2, 2] (cos, sin).
 * A table, not shader trigonometry: WGSL's cos/sin are only accurate in [-pi, pi] and angles reach thousands.
 */
export function ropeTable(c: LlamaConfig, nPositions: number): Float32Array {
  const freqs = ropeFrequencies(c);
  const half = freqs.length;
  const table = new Float32Array(nPositions * half * 2);
  for (let p = 0; p < nPositions; p++) {
    for (let i = 0; i < half; i++) {
      // llama2.c computes the angle in f32; round it the same way so both agree on long sequences
      const angle = Math.fround(p * Math.fround(freqs[i]));
      table[(p * half + i) * 2] = Math.cos(angle);
      table[(p * half + i) * 2 + 1] = Math.sin(angle);
    }
  }
  return table;
}
