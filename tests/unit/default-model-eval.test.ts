// Quality of the embedded default model, measured by our engine on the held-out sets that training wrote:
// held-out addition (the last number of the greedy chat reply must be A + B) and perplexity on held-out text.
// Fixed thresholds catch a worse model; agreement with the numbers training measured in PyTorch catches an
// engine that computes something else (the two implementations share no code).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CpuForward } from '../../workers/reference/forward.ts';
import { presetMap } from '../../workers/quant/precision.ts';
import { argmax } from '../../workers/model/sampler.ts';
import { evaluate } from '../../workers/model/eval.ts';
import { defaultModelDir, loadDefault } from './default-model.ts';

const MIN_ADDITION_ACCURACY = 0.95; // the model card reports 98.5%
const MAX_HELDOUT_PERPLEXITY = 1.55; // the model card reports 1.463

interface Pair { a: number; b: number; sum: number; prompt: string }
const pairs = readFileSync(`${defaultModelDir}eval/addition.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Pair);
const heldout = readFileSync(`${defaultModelDir}eval/heldout.txt`, 'utf8');
const recorded = JSON.parse(readFileSync(`${defaultModelDir}eval/results.json`, 'utf8')) as { addition_accuracy: number; heldout_perplexity: number };

const model = await loadDefault();

describe('the default model on held-out data (CPU engine, f32)', () => {
  const t = model.tokenizer;
  const map = presetMap(model.config.nLayers, 'f32');

  test(`answers held-out "What is A + B?" with the right sum (>= ${MIN_ADDITION_ACCURACY * 100}%)`, async () => {
    const forward = await CpuForward.create(model.config, model.weights, map, 128);
    let right = 0;
    for (const p of pairs) {
      const prompt = t.encode(p.prompt, { bos: false, specials: true });
      let logits = forward.forwardSync(prompt, 0);
      const reply: number[] = [];
      for (let i = 0; i < 48; i++) {
        const next = argmax(logits);
        if (t.eosIds.includes(next)) break;
        reply.push(next);
        logits = forward.forwardSync([next], prompt.length + i);
      }
      const numbers = t.decode(reply).match(/\d+/g);
      if (numbers && Number(numbers.at(-1)) === p.sum) right++;
    }
    const accuracy = right / pairs.length;
    console.log(`held-out addition: ${right}/${pairs.length} = ${(accuracy * 100).toFixed(1)}% (training measured ${(recorded.addition_accuracy * 100).toFixed(1)}%)`);
    expect(accuracy).toBeGreaterThanOrEqual(MIN_ADDITION_ACCURACY);
    expect(Math.abs(accuracy - recorded.addition_accuracy)).toBeLessThanOrEqual(0.03);
  }, 240_000); // 200 greedy chat replies: ~15 s on a quiet 2-core machine, several times that under load

  test(`has perplexity <= ${MAX_HELDOUT_PERPLEXITY} on held-out text, as PyTorch measured it`, async () => {
    const tokens = t.encode(heldout, { bos: false, specials: true });
    const ctx = model.config.contextLength;
    let nll = 0, n = 0;
    const forward = await CpuForward.create(model.config, model.weights, map, ctx);
    for (let i = 0; i + 1 < tokens.length; i += ctx) { // windows of the context length, as training evaluated
      const w = tokens.slice(i, i + ctx);
      if (w.length < 2) break;
      const logits = forward.forwardSync(w, 0, true);
      const q = evaluate(logits, logits, w, model.config.vocabSize);
      nll += Math.log(q.reference_perplexity) * q.tokens;
      n += q.tokens;
    }
    const perplexity = Math.exp(nll / n);
    console.log(`held-out perplexity ${perplexity.toFixed(4)} over ${n} predictions (training measured ${recorded.heldout_perplexity.toFixed(4)})`);
    expect(perplexity).toBeLessThanOrEqual(MAX_HELDOUT_PERPLEXITY);
    expect(Math.abs(perplexity / recorded.heldout_perplexity - 1)).toBeLessThan(0.01);
  }, 120_000);
});
