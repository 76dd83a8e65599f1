// Quality of a precision against the f32 reference on the same text, teacher-forced: per-token
// KL(reference || quantized), top-1 agreement and the perplexity of both — the measures of docs/precision.md.

export interface QualityMetrics {
  tokens: number; // predicted positions (sequence length - 1)
  kl_mean: number;
  kl_max: number;
  top1_agreement: number;
  perplexity: number;
  reference_perplexity: number;
}

/** log-softmax of row r of logits [rows, vocab] into out (default: the only row, a new array). */
export function logSoftmax(logits: Float32Array, r = 0, vocab = logits.length, out = new Float64Array(vocab)): Float64Array {
  const o = r * vocab;
  let max = -Infinity;
  for (let i = 0; i < vocab; i++) if (logits[o + i] > max) max = logits[o + i];
  let sum = 0;
  for (let i = 0; i < vocab; i++) sum += Math.exp(logits[o + i] - max);
  const lse = max + Math.log(sum);
  for (let i = 0; i < vocab; i++) out[i] = logits[o + i] - lse;
  return out;
}

function argmaxRow(x: Float64Array): number {
  let b = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[b]) b = i;
  return b;
}

/** reference, quantized: logits [n, vocab] for tokens[0..n); position p predicts tokens[p+1]. */
export function evaluate(reference: Float32Array, quantized: Float32Array, tokens: number[], vocab: number): QualityMetrics {
  const n = tokens.length - 1;
  const lp = new Float64Array(vocab), lq = new Float64Array(vocab);
  let klSum = 0, klMax = 0, agree = 0, nllRef = 0, nllQ = 0;
  for (let p = 0; p < n; p++) {
    logSoftmax(reference, p, vocab, lp);
    logSoftmax(quantized, p, vocab, lq);
    let kl = 0;
    for (let i = 0; i < vocab; i++) kl += Math.exp(lp[i]) * (lp[i] - lq[i]);
    kl = Math.max(0, kl);
    klSum += kl;
    klMax = Math.max(klMax, kl);
    if (argmaxRow(lp) === argmaxRow(lq)) agree++;
    nllRef -= lp[tokens[p + 1]];
    nllQ -= lq[tokens[p + 1]];
  }
  return {
    tokens: n,
    kl_mean: klSum / n,
    kl_max: klMax,
    top1_agreement: agree / n,
    perplexity: Math.exp(nllQ / n),
    reference_perplexity: Math.exp(nllRef / n),
  };
}
