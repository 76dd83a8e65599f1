// The memory-fit calculator against the numbers of the Llama 3 paper (arXiv:2407.21783 §6).
import { describe, expect, it } from 'vitest';
import { H100, LLAMA31, NODE_BYTES, kvCacheBytes, memoryFit, weightBytes } from '../../src/viz/memoryFit.ts';

const GB = 1e9;

describe('memory fit', () => {
  it('counts the parameters of Llama 3.1 8B, 70B and 405B', () => {
    expect(weightBytes(LLAMA31['8B'], 'bf16').params / 1e9).toBeCloseTo(8.03, 2);
    expect(weightBytes(LLAMA31['70B'], 'bf16').params / 1e9).toBeCloseTo(70.55, 1);
    expect(weightBytes(LLAMA31['405B'], 'bf16').params / 1e9).toBeCloseTo(405.85, 1);
  });

  it('405B in BF16 is ~810 GB: two H100 nodes', () => {
    const fit = memoryFit(LLAMA31['405B'], 'bf16', 8192, 1);
    expect(fit.weights.total / GB).toBeCloseTo(811.7, 0);
    expect(fit.weights.total).toBeGreaterThan(NODE_BYTES);
    expect(fit.nodes).toBe(2);
  });

  it('405B under the FP8 recipe fits one node, even with a 128K context', () => {
    const fit = memoryFit(LLAMA31['405B'], 'fp8', 131_072, 1);
    expect(fit.nodes).toBe(1);
    expect(fit.total).toBeLessThan(NODE_BYTES);
    // Only the FFN of layers 1..124 is FP8: 124 * 3 * 53248 * 16384 parameters.
    expect(fit.weights.fp8Params).toBe(124 * 3 * 53_248 * 16_384);
  });

  it('FP8 weights: one byte per FFN weight plus one f32 scale per row, first and last layer in BF16', () => {
    const m = { dim: 4, hiddenDim: 8, nLayers: 3, nHeads: 2, nKvHeads: 1, headDim: 2, vocabSize: 10, tiedEmbeddings: true };
    const bf16 = weightBytes(m, 'bf16');
    const fp8 = weightBytes(m, 'fp8');
    const ffnPerLayer = 3 * 8 * 4;
    expect(bf16.ffn).toBe(3 * ffnPerLayer * 2);
    expect(fp8.ffn).toBe(2 * ffnPerLayer * 2 + 1 * (ffnPerLayer + (8 + 8 + 4) * 4));
    expect(fp8.attention).toBe(bf16.attention);
    expect(fp8.embeddings).toBe(10 * 4 * 2); // tied: one table
    expect(fp8.norms).toBe((3 * 2 * 4 + 4) * 2);
  });

  it('a model of one or two layers has nothing in FP8', () => {
    const m = { ...LLAMA31['8B'], nLayers: 2 };
    expect(weightBytes(m, 'fp8').total).toBe(weightBytes(m, 'bf16').total);
  });

  it('KV cache = 2 * layers * kvHeads * headDim * context * batch * bytes', () => {
    // 8B at 128K context, batch 1, BF16: 2 * 32 * 8 * 128 * 131072 * 2 bytes = 17.18 GB.
    expect(kvCacheBytes(LLAMA31['8B'], 131_072, 1)).toBe(2 * 32 * 8 * 128 * 131_072 * 2);
    expect(kvCacheBytes(LLAMA31['8B'], 1000, 4, 1)).toBe(2 * 32 * 8 * 128 * 1000 * 4);
  });

  it('counts whole GPUs and nodes', () => {
    const fit = memoryFit(LLAMA31['8B'], 'bf16', 8192, 1);
    expect(fit.gpus).toBe(1);
    expect(fit.nodes).toBe(1);
    expect(H100.perNode * H100.bytes).toBe(NODE_BYTES);
  });
});
