// Llama 3.1 RoPE frequency scaling, as the per-frequency divisors llama.cpp stores in `rope_freqs.weight`.
// Reference: meta-llama/llama-models reference_impl/model.py apply_scaling (arXiv:2407.21783 §3.3 long context).
import type { RopeScaling } from '../model/config.ts';

/** Divisor of each RoPE frequency theta^(-2i/headDim), i < headDim/2: 1 at high frequencies, `factor` at low. */
export function llama3Factors(s: RopeScaling, headDim: number, theta: number): Float64Array {
  const lowWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositions / s.highFreqFactor;
  const out = new Float64Array(headDim / 2);
  for (let i = 0; i < headDim / 2; i++) {
    const wavelen = (2 * Math.PI) / theta ** (-(2 * i) / headDim);
    if (wavelen < highWavelen) out[i] = 1;
    else if (wavelen > lowWavelen) out[i] = s.factor;
    else { // in between, blend the scaled and unscaled frequency smoothly
      const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
      out[i] = 1 / ((1 - smooth) / s.factor + smooth);
    }
  }
  return out;
}
