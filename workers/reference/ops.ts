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

/** q · k_t for every t of one head, in double: attention()'s scratch, grown to the longest sequence seen. */
let dots = new Float64Array(0);

/**
 * Causal grouped-query attention for rows at positions pos0..pos0+rows-1 (Ainslie et al. 2023, GQA).
 * q: [rows, nHeads*headDim]; kCache/vCache: [maxSeq, nKvHeads*headDim] (one layer, already holding those rows);
 * out: [rows, nHeads*headDim]; att: scratch of at least pos0+rows floats. probs (the trace only): per head, [rows,
 * pos0+rows] zero-filled, receives the weight each V row is multiplied by, e_t · (1 / Σe) (zeros stay above the diagonal).
 *
 * What it computes, per head, is the plain loop
 *   score_t = (Σ_i q[i]·k_t[i]) · scale   a double sum, i in order, kept in att as f32
 *   e_t = exp(att[t] - max score)         kept in att as f32; Σ e_t in double
 *   out[i] = Σ_t e_t · v_t[i]             t in order, rounded to f32 after every step; then out[i] *= 1 / Σ e_t
 * with the loops turned inside out for speed: 8 dimensions at a time over every t, that block of q (scores) or of
 * the output (values) held in locals. Each sum still adds the same terms in the same order, so the result is the
 * same to the bit (tests/unit/ops-order.test.ts checks it against the plain loop).
 */
export function attention(out: Float32Array, q: Float32Array, kCache: Float32Array, vCache: Float32Array, rows: number, pos0: number, s: AttentionShape, att: Float32Array,
  probs?: Float32Array[]): void {
  const { nHeads, nKvHeads, headDim } = s;
  const kvDim = nKvHeads * headDim;
  const group = nHeads / nKvHeads;
  const scale = 1 / Math.sqrt(headDim);
  if (dots.length < att.length) dots = new Float64Array(att.length);
  const d = dots;
  for (let r = 0; r < rows; r++) {
    const pos = pos0 + r, len = pos + 1;
    for (let h = 0; h < nHeads; h++) {
      const qo = (r * nHeads + h) * headDim;
      const kvo = Math.floor(h / group) * headDim;
      // d[t] = q · k_t, i in order: the first block starts each sum at 0, the next ones go on from d[t]
      // (dimensions 8 at a time, then the rest one by one)
      if (headDim < 8) d.fill(0, 0, len);
      let i = 0;
      for (; i + 8 <= headDim; i += 8) {
        const q0 = q[qo + i], q1 = q[qo + i + 1], q2 = q[qo + i + 2], q3 = q[qo + i + 3];
        const q4 = q[qo + i + 4], q5 = q[qo + i + 5], q6 = q[qo + i + 6], q7 = q[qo + i + 7];
        if (i === 0) {
          for (let t = 0, ko = kvo; t < len; t++, ko += kvDim) {
            let sum = 0;
            sum += q0 * kCache[ko]; sum += q1 * kCache[ko + 1]; sum += q2 * kCache[ko + 2]; sum += q3 * kCache[ko + 3];
            sum += q4 * kCache[ko + 4]; sum += q5 * kCache[ko + 5]; sum += q6 * kCache[ko + 6]; sum += q7 * kCache[ko + 7];
            d[t] = sum;
          }
        } else {
          for (let t = 0, ko = kvo + i; t < len; t++, ko += kvDim) {
            let sum = d[t];
            sum += q0 * kCache[ko]; sum += q1 * kCache[ko + 1]; sum += q2 * kCache[ko + 2]; sum += q3 * kCache[ko + 3];
            sum += q4 * kCache[ko + 4]; sum += q5 * kCache[ko + 5]; sum += q6 * kCache[ko + 6]; sum += q7 * kCache[ko + 7];
            d[t] = sum;
          }
        }
      }
      for (; i < headDim; i++) {
        const qi = q[qo + i];
        for (let t = 0, ko = kvo + i; t < len; t++, ko += kvDim) d[t] += qi * kCache[ko];
      }
      // scaled scores, their max, then unnormalized softmax weights; the 1/sum is applied once to the output
      let max = -Infinity;
      for (let t = 0; t < len; t++) { const score = d[t] * scale; att[t] = score; if (score > max) max = score; }
      let sum = 0;
      for (let t = 0; t < len; t++) { const e = Math.exp(att[t] - max); att[t] = e; sum += e; }
      // out[i] = Σ_t att[t] · v_t[i], t in order, rounded to f32 at every step as a Float32Array element would be
      i = 0;
      for (; i + 8 <= headDim; i += 8) {
        let o0 = 0, o1 = 0, o2 = 0, o3 = 0, o4 = 0, o5 = 0, o6 = 0, o7 = 0;
        for (let t = 0, vo = kvo + i; t < len; t++, vo += kvDim) {
          const a = att[t];
          o0 = Math.fround(o0 + a * vCache[vo]); o1 = Math.fround(o1 + a * vCache[vo + 1]);
          o2 = Math.fround(o2 + a * vCache[vo + 2]); o3 = Math.fround(o3 + a * vCache[vo + 3]);
          o4 = Math.fround(o4 + a * vCache[vo + 4]); o5 = Math.fround(o5 + a * vCache[vo + 5]);
          o6 = Math.fround(o6 + a * vCache[vo + 6]); o7 = Math.fround(o7 + a * vCache[vo + 7]);
        }
        out[qo + i] = o0; out[qo + i + 1] = o1; out[qo + i + 2] = o2; out[qo + i + 3] = o3;
        out[qo + i + 4] = o4; out[qo + i + 5] = o5; out[qo + i + 6] = o6; out[qo + i + 7] = o7;
      }
      for (; i < headDim; i++) {
        let o = 0;
        for (let t = 0, vo = kvo + i; t < len; t++, vo += kvDim) o = Math.fround(o + att[t] * vCache[vo]);
        out[qo + i] = o;
      }
      const inv = 1 / sum;
      for (let j = 0; j < headDim; j++) out[qo + j] *= inv;
      if (probs) { const row = probs[h], o = r * (pos0 + rows); for (let t = 0; t <= pos; t++) row[o + t] = att[t] * inv; }
    }
  }
}

/**
 * The same attention as the plain loop it was written as first (scores, softmax and values one t at a time):
 * kept as the definition attention() is checked against, to the bit (tests/unit/ops-order.test.ts).
 */
export function attentionPlain(out: Float32Array, q: Float32Array, kCache: Float32Array, vCache: Float32Array, rows: number, pos0: number, s: AttentionShape, att: Float32Array): void {
  const { nHeads, nKvHeads, headDim } = s;
  const kvDim = nKvHeads * headDim;
  const group = nHeads / nKvHeads;
  const scale = 1 / Math.sqrt(headDim);
  for (let r = 0; r < rows; r++) {
    const pos = pos0 + r;
    for (let h = 0; h < nHeads; h++) {
      const qo = (r * nHeads + h) * headDim;
      const kvo = Math.floor(h / group) * headDim;
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
    }
  }
}

/** SwiGLU gate (Shazeer 2020): h1[i] = silu(h1[i]) * h3[i], silu(x) = x / (1 + e^-x). */
export function swiglu(h1: Float32Array, h3: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) { const g = h1[i]; h1[i] = (g / (1 + Math.exp(-g))) * h3[i]; }
}
