// Quality of each precision preset against f32 on stories260K, teacher-forced on a story: the magnitudes must
// match the independent reference of docs/precision.md, so FP8 measurably differs from BF16 (nothing silently
// falls back to a wider format).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseGguf } from '../../workers/loader/gguf.ts';
import { CpuForward } from '../../workers/reference/forward.ts';
import { presetMap } from '../../workers/quant/precision.ts';
import { evaluate } from '../../workers/model/eval.ts';
import { tensorNumerics } from '../../workers/model/numerics.ts';
import { readShared, STORIES } from './shared.ts';

const bytes = readShared(STORIES);
const story = readFileSync(new URL('./fixtures/story.txt', import.meta.url), 'utf8');

const model = bytes ? await parseGguf(bytes) : null!;

describe.runIf(bytes)('precision quality on stories260K', () => {
  const tokens = model.tokenizer.encode(story, { bos: true });
  const forward = (preset: Parameters<typeof presetMap>[1]) =>
    CpuForward.create(model.config, model.weights, presetMap(model.config.nLayers, preset), tokens.length);
  const logits = async (preset: Parameters<typeof presetMap>[1]) => (await forward(preset)).forwardSync(tokens, 0, true);
  const quality = async (preset: Parameters<typeof presetMap>[1]) => evaluate(await logits('f32'), await logits(preset), tokens, model.config.vocabSize);

  test('KL magnitudes: bf16 ~4e-5 < fp8-llama3 ~3.5e-3 < fp8-all ~9e-3', async () => {
    const bf16 = await quality('bf16'), llama3 = await quality('fp8-llama3'), all = await quality('fp8-all');
    expect(bf16.kl_mean).toBeGreaterThan(1e-5);
    expect(bf16.kl_mean).toBeLessThan(2e-4);
    expect(llama3.kl_mean).toBeGreaterThan(1e-3);
    expect(llama3.kl_mean).toBeLessThan(1e-2);
    expect(all.kl_mean).toBeGreaterThan(3e-3);
    expect(all.kl_mean).toBeLessThan(3e-2);
    expect(llama3.kl_mean).toBeGreaterThan(10 * bf16.kl_mean);
    expect(all.kl_mean).toBeGreaterThan(llama3.kl_mean);
    expect(bf16.top1_agreement).toBeGreaterThan(0.99);
    expect(llama3.top1_agreement).toBeGreaterThan(0.93);
    expect(all.top1_agreement).toBeGreaterThan(0.9);
    expect(all.perplexity).toBeGreaterThan(all.reference_perplexity);
  });

  test('numerics name every quantized tensor with its scale, and fp8-llama3 keeps the first and last layer in BF16', async () => {
    const t = tensorNumerics(await forward('fp8-llama3'));
    const byLabel = new Map(t.map((x) => [x.label, x]));
    expect(byLabel.get('L0.w1')!.dtype).toBe('bf16');
    expect(byLabel.get('L4.w2')!.dtype).toBe('bf16');
    expect(byLabel.get('L2.wq')!.dtype).toBe('bf16');
    const w1 = byLabel.get('L2.w1')!;
    expect(w1.dtype).toBe('fp8e4m3');
    expect(w1.amax).toBeGreaterThan(0);
    expect(w1.scale).toBeCloseTo(w1.amax / 448, 6);
    expect(w1.nan).toBe(0);
  });
});
