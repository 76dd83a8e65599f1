// The PyTorch reference for the generated Llama-3.2-1B-geometry checkpoint (training/reference_logits.py), and the
// checks both engines' real-size tests run against it: greedy tokens equal, log-probabilities within 2e-3.
import { expect } from 'vitest';
import reference from './fixtures/llama32-1b-2l-reference.json' with { type: 'json' };
import type { Forward } from '../workers/model/forward.ts';
import { logSoftmax } from '../workers/model/eval.ts';

export interface ReferenceCase {
  name: string;
  text: string;
  ids: number[];
  prompt_logprobs: number[]; // position p predicts ids[p + 1]
  greedy: { id: number; logprob: number; margin: number; top5: [number, number][] }[];
}

export const REFERENCE = reference as unknown as { checkpoint: { layers: number; shards: Record<string, { sha256: string }> }; cases: ReferenceCase[] };
export const LOGPROB_TOLERANCE = 2e-3;

const argmax = (x: Float64Array) => x.reduce((b, v, i) => (v > x[b] ? i : b), 0);

/** Teacher-forced log-probabilities of the prompt's own tokens: every row's logits in one pass. */
export async function checkPromptLogprobs(f: Forward, c: ReferenceCase): Promise<number> {
  const vocab = f.config.vocabSize;
  const logits = await f.forward(c.ids, 0, true);
  let worst = 0;
  for (let p = 0; p + 1 < c.ids.length; p++) {
    const lp = logSoftmax(logits.subarray(p * vocab, (p + 1) * vocab));
    worst = Math.max(worst, Math.abs(lp[c.ids[p + 1]] - c.prompt_logprobs[p]));
  }
  expect(worst, `${c.name}: prompt log-probabilities`).toBeLessThan(LOGPROB_TOLERANCE);
  return worst;
}

/** Greedy decoding from the prompt: the same tokens, and the chosen token's and the top-5's log-probabilities. */
export async function checkGreedy(f: Forward, c: ReferenceCase): Promise<number> {
  let logits = await f.forward(c.ids, 0);
  let worst = 0;
  for (let i = 0; i < c.greedy.length; i++) {
    const want = c.greedy[i];
    const lp = logSoftmax(logits);
    expect(argmax(lp), `${c.name}: greedy token ${i}`).toBe(want.id);
    for (const [id, logprob] of [[want.id, want.logprob], ...want.top5]) worst = Math.max(worst, Math.abs(lp[id] - logprob));
    logits = await f.forward([want.id], c.ids.length + i);
  }
  expect(worst, `${c.name}: greedy log-probabilities`).toBeLessThan(LOGPROB_TOLERANCE);
  return worst;
}
