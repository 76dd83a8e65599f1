// The CPU twins of the GPU kernels: plain f32 loops in the style of llama2.c's run.c. They are the oracle of the
// kernel parity tests and the body of the CPU engine. Shapes are row-major; `rows` counts token rows.
import type { RopeStyle } from '../model/config.ts';

/** out[r,:] = w * x[r,:] / sqrt(mean(x[r,:]^2) + eps) */
export function rmsnorm(out: Float32Array, x: Float32Array, w: Float32Array, rows: number, dim: number, eps: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let ss = 0;
    for (let j = 0; j < dim; j++) ss += x[o + j] * x[o + j];
    const inv = 1 / Math.sqrt(ss / dim + eps);
    for (let j = 0; j < dim; j++) out[o + j] = w[j] * (x[o + j] * inv);
  }
}

/**
 * Rotates each head of v[r, nHeads*headDim] by the angle of position pos0 + r, reading cos/sin from the table
 * built by ropeTable ([position, headDim/2, 2]).
 */
export function rope(v: Float32Array, rows: number, nHeads: number, headDim: number, pos0: number, table: Float32Array, style: RopeStyle): void {
  const half = headDim / 2;
  const step = style === 'interleaved' ? 2 : 1; // where pair i starts: 2i (adjacent pairs) or i (halves)
  const partner = style === 'interleaved' ? 1 : half; // and how far its partner is
  for (let r = 0; r < rows; r++) {
    const t = (pos0 + r) * half * 2;
    for (let h = 0; h < nHeads; h++) {
      const base = (r * nHeads + h) * headDim;
      for (let i = 0; i < half; i++) {
        const cos = table[t + 2 * i], sin = table[t + 2 * i + 1];
        const a = base + step * i, b = a + partner;
        const x0 = v[a], x1 = v[b];
        v[a] = x0 * cos - x1 * sin;
        v[b] = x0 * sin + x1 * cos;
      }
    }
  }
}

export interface AttentionShape { nHeads: number; nKvHeads: number; headDim: number; maxSeq: number }

/**
 * Causal grouped-query attention for rows at positions pos0..pos0+rows-1 (Ainslie et al. 2023, GQA).
 * q: [rows, nHeads*headDim]; kCache/vCache: [maxSeq, nKvHeads*headDim] (one layer, already holding those rows);
 * out: [rows, nHeads*headDim]; att: scratch of at least pos0+rows floats. probs (the trace only): per head, [rows,
 * pos0+rows] zero-filled, receives the weight each V row is multiplied by, e_t · (1 / Σe) (zeros stay above the diagonal).
 */
export function attention(out: Float32Array, q: Float32Array, kCache: Float32Array, vCache: Float32Array, rows: number, pos0: number, s: AttentionShape, att: Float32Array,
  probs?: Float32Array[]): void {
  const { nHeads, nKvHeads, headDim } = s;
  const kvDim = nKvHeads * headDim;
  const group = nHeads / nKvHeads;
  const scale = 1 / Math.sqrt(headDim);
  for (let r = 0; r < rows; r++) {
    const pos = pos0 + r;
    for (let h = 0; h < nHeads; h++) {
      const qo = (r * nHeads + h) * headDim;
      const kvo = Math.floor(h / group) * headDim;
      // scores, their max, then unnormalized softmax weights; the 1/sum is applied once to the output
      let max = -Infinity;
      for (let t = 0; t <= pos; t++) {
        const ko = t * kvDim + kvo;
        let score = 0;
        for (let i = 0; i < headDim; i++) score += q[qo + i] * kCache[ko + i];
        score *= scale;
        att[t] = score;
        if (score > max) max = score;
      }
      let sum = 0;
      for (let t = 0; t <= pos; t++) { const e = Math.exp(att[t] - max); att[t] = e; sum += e; }
      out.fill(0, qo, qo + headDim);
      for (let t = 0; t <= pos; t++) {
        const vo = t * kvDim + kvo, a = att[t];
        for (let i = 0; i < headDim; i++) out[qo + i] += a * vCache[vo + i];
      }
      const inv = 1 / sum;
      for (let i = 0; i < headDim; i++) out[qo + i] *= inv;
      if (probs) { const row = probs[h], o = r * (pos0 + rows); for (let t = 0; t <= pos; t++) row[o + t] = att[t] * inv; }
    }
  }
}

/** SwiGLU gate (Shazeer 2020): h1[i] = silu(h1[i]) * h3[i], silu(x) = x / (1 + e^-x). */
export function swiglu(h1: Float32Array, h3: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) { const g = h1[i]; h1[i] = (g / (1 + Math.exp(-g))) * h3[i]; }
}
