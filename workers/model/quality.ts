// Quality of the current precision map against a reference map on the same engine, teacher-forced on a token
// sequence (the measures of docs/precision.md: KL(reference || current), top-1 agreement, perplexities).
// No second copy of the model: the engine runs the sequence under the current map, switches to the reference
// (re-reading only the tensors the maps disagree on), runs it again, and switches back. Logits are kept for the
// last positions only, as many as fit LOGIT_BUDGET (128K-token vocabularies make a row 0.5 MB).
import type { PrecisionMap } from '../quant/types.ts';
import { encodeMap } from '../quant/precision.ts';
import { Cancelled, type Forward } from './forward.ts';
import { evaluate, type QualityMetrics } from './eval.ts';

/** Bytes of f32 logits one run may keep (two runs are compared). */
export const LOGIT_BUDGET = 64 << 20;

export type QualityProgress = (p: { step: string; done: number; total: number }) => void;

/**
 * Logits of positions p0 .. n-1 (each predicting the next token) under the forward's current map: the prefix runs
 * without keeping its logits, then the measured tail with every row.
 */
async function tailLogits(forward: Forward, tokens: number[], p0: number): Promise<Float32Array> {
  if (p0 > 0) await forward.forward(tokens.slice(0, p0), 0);
  return forward.forward(tokens.slice(p0), p0, true);
}

export async function compareMaps(forward: Forward, tokens: number[], reference: PrecisionMap, cancelled: () => boolean,
  onProgress?: QualityProgress): Promise<QualityMetrics> {
  const vocab = forward.config.vocabSize;
  const keep = Math.max(2, Math.min(tokens.length, Math.floor(LOGIT_BUDGET / (vocab * 4))));
  const p0 = tokens.length - keep; // measured positions p0 .. n-2 predict tokens p0+1 .. n-1
  const tail = tokens.slice(p0);
  const current = forward.precision;
  const check = () => { if (cancelled()) throw new Cancelled(); };
  const same = encodeMap(current) === encodeMap(reference);
  const total = same ? 1 : 4;
  onProgress?.({ step: 'running the current precision', done: 0, total });
  const quantized = await tailLogits(forward, tokens, p0);
  if (same) return evaluate(quantized, quantized, tail, vocab);
  check();
  try {
    onProgress?.({ step: 'loading the reference precision', done: 1, total });
    await forward.setPrecision(reference, undefined, cancelled);
    check();
    onProgress?.({ step: 'running the reference precision', done: 2, total });
    const ref = await tailLogits(forward, tokens, p0);
    check();
    return evaluate(ref, quantized, tail, vocab);
  } finally {
    onProgress?.({ step: 'restoring the current precision', done: 3, total });
    await forward.setPrecision(current); // never left half-switched, whatever happened above
  }
}
