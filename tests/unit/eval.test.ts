// Quality of each precision preset on stories260K, measured against an independent reference: llama2.c's own f32
// logits (../shared/golden, 64 positions of "Once upon a time" and its greedy continuation). Our f32 engine must
// agree with them to float rounding, and each preset's KL must have the magnitude of docs/precision.md, so FP8
// measurably differs from BF16 (nothing silently falls back to a wider format).
import { describe, expect, test } from 'vitest';
import { parseGguf } from '../../workers/loader/gguf.ts';
import { CpuForward } from '../../workers/reference/forward.ts';
import { presetMap } from '../../workers/quant/precision.ts';
import { evaluate } from '../../workers/model/eval.ts';
import { tensorNumerics } from '../../workers/model/numerics.ts';
import { readShared, STORIES, type Golden } from './shared.ts';

const bytes = readShared(STORIES);
const refBytes = readShared('golden/stories260K/logits-once-upon-a-time.f32');
const goldenBytes = readShared('golden/stories260K/greedy.json');

const model = bytes ? await parseGguf(bytes) : null!;

describe.runIf(bytes && refBytes && goldenBytes)('precision quality on stories260K against llama2.c', () => {
  const golden = (JSON.parse(goldenBytes!.toString('utf8')) as Golden[]).find((g) => g.prompt === 'Once upon a time')!;
  const VOCAB = 512, POSITIONS = 64; // the reference file: 64 x 512 f32
  const llama2c = new Float32Array(refBytes!.buffer.slice(refBytes!.byteOffset, refBytes!.byteOffset + POSITIONS * VOCAB * 4));
  const tokens = [...golden.prompt_tokens, ...golden.greedy_continuation].slice(0, POSITIONS);
  const forward = (preset: Parameters<typeof presetMap>[1]) =>
    CpuForward.create(model.config, model.weights, presetMap(model.config.nLayers, preset), tokens.length);
  const quality = async (preset: Parameters<typeof presetMap>[1]) =>
    evaluate(llama2c, (await forward(preset)).forwardSync(tokens, 0, true), tokens, VOCAB);

  test('f32 agrees with llama2.c to float rounding: KL ~1e-12, every top-1 the same', async () => {
    const f32 = await quality('f32');
    expect(f32.tokens).toBe(POSITIONS - 1);
    expect(f32.kl_max).toBeLessThan(1e-9);
    expect(f32.top1_agreement).toBe(1);
    expect(f32.perplexity).toBeCloseTo(f32.reference_perplexity, 6);
  });

  // measured: bf16 2.8e-5, fp8-llama3 1.6e-3, fp8-all 3.6e-3 (top-1 1, 1, 0.95); the bounds are 3-5x either side
  test('KL magnitudes: bf16 ~3e-5 < fp8-llama3 ~1.6e-3 < fp8-all ~3.6e-3', async () => {
    const bf16 = await quality('bf16'), llama3 = await quality('fp8-llama3'), all = await quality('fp8-all');
    expect(bf16.kl_mean).toBeGreaterThan(5e-6);
    expect(bf16.kl_mean).toBeLessThan(2e-4);
    expect(llama3.kl_mean).toBeGreaterThan(4e-4);
    expect(llama3.kl_mean).toBeLessThan(8e-3);
    expect(all.kl_mean).toBeGreaterThan(1e-3);
    expect(all.kl_mean).toBeLessThan(2e-2);
    expect(llama3.kl_mean).toBeGreaterThan(10 * bf16.kl_mean);
    expect(all.kl_mean).toBeGreaterThan(llama3.kl_mean);
    expect(bf16.top1_agreement).toBeGreaterThan(0.98);
    expect(all.top1_agreement).toBeGreaterThan(0.9);
    expect(all.perplexity).toBeGreaterThan(llama3.perplexity);
    expect(llama3.perplexity).toBeGreaterThan(bf16.perplexity);
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
