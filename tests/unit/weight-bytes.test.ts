// The views' byte counts (src/viz/weightBytes.ts) against the packer itself (workers/quant/pack.ts) and against
// the engine's own ModelInfo.weightBytes on stories260K under every preset.
import { describe, expect, it } from 'vitest';
import { mapBytes, matrixBytes, presetBytes } from '../../src/viz/weightBytes.ts';
import { packMatrix } from '../../workers/quant/pack.ts';
import { presetMap } from '../../workers/quant/precision.ts';
import { PRESETS, WEIGHT_DTYPES } from '../../workers/quant/types.ts';
import type { LlamaConfig } from '../../workers/model/config.ts';
import { Engine } from '../../workers/engine.ts';
import { readShared, STORIES } from './shared.ts';

const spec = (dtype: (typeof WEIGHT_DTYPES)[number]) => ({ dtype, scale: 'row' as const, act: null, actBound: null, bf16Rounding: 'nearest' as const });

describe('weight bytes from the packing math', () => {
  it('f32 4 B, bf16 2 B, fp8 1 B per element + a 4 B scale per row, rows padded to 16 B', () => {
    expect(matrixBytes('f32', 3, 8)).toBe(3 * 8 * 4);
    expect(matrixBytes('bf16', 3, 8)).toBe(3 * 16); // 8 halves = 4 words = one vec4
    expect(matrixBytes('fp8e4m3', 3, 16)).toBe(3 * 16 + 3 * 4);
    expect(matrixBytes('fp8e5m2', 2, 17)).toBe(2 * 32 + 2 * 4); // 17 codes: 5 words, padded to 8
    expect(matrixBytes('bf16', 1, 9)).toBe(32); // 9 halves: 5 words, padded to 8
    expect(matrixBytes('f32', 1, 5)).toBe(32);
  });

  it('agrees with packMatrix on awkward shapes', () => {
    for (const [n, k] of [[1, 1], [3, 5], [7, 17], [4, 64], [5, 172], [9, 33]]) {
      const w = Float32Array.from({ length: n * k }, (_, i) => Math.sin(i) * 3);
      for (const d of WEIGHT_DTYPES) expect(matrixBytes(d, n, k), `${d} [${n}, ${k}]`).toBe(packMatrix(w, n, k, spec(d)).bytes);
    }
  });

  it('a tied head stored like the embedding shares its rows; stored differently, it has its own', () => {
    const c = { dim: 64, hiddenDim: 176, nLayers: 3, nHeads: 4, nKvHeads: 2, headDim: 16, vocabSize: 10, tiedEmbeddings: true } as LlamaConfig;
    const bf16 = mapBytes(c, presetMap(3, 'bf16'));
    expect(bf16).toMatchObject({ output: 0, outputShared: true, embedding: 10 * 64 * 2 });
    const fp8Head = presetMap(3, 'bf16');
    fp8Head.output = { ...fp8Head.output, dtype: 'fp8e4m3' };
    expect(mapBytes(c, fp8Head)).toMatchObject({ output: 10 * 64 + 10 * 4, outputShared: false });
  });

  it('sums a map: fp8-llama3 puts only the FFN of the middle layers in FP8', () => {
    const c = { dim: 64, hiddenDim: 176, nLayers: 3, nHeads: 4, nKvHeads: 2, headDim: 16, vocabSize: 10 } as LlamaConfig;
    const b = mapBytes(c, presetMap(3, 'fp8-llama3'));
    expect(b.layers[1].w1).toBe(176 * 64 + 176 * 4);
    expect(b.layers[1].w2).toBe(64 * 176 + 64 * 4);
    expect(b.layers[0].w1).toBe(176 * 64 * 2);
    expect(b.layers[1].wk).toBe(32 * 64 * 2);
    expect(b.embedding).toBe(10 * 64 * 2);
    const sum = b.embedding + b.output + b.layers.flatMap((r) => Object.values(r)).reduce((s, x) => s + x, 0);
    expect(b.total).toBe(sum);
    expect(presetBytes(c, 'f32')).toBeGreaterThan(presetBytes(c, 'bf16'));
    expect(presetBytes(c, 'bf16')).toBeGreaterThan(presetBytes(c, 'fp8-llama3'));
    expect(presetBytes(c, 'fp8-llama3')).toBeGreaterThan(presetBytes(c, 'fp8-all'));
  });

  it('on tiny rows the 16-byte padding and the row scale can make FP8 bigger than BF16', () => {
    expect(matrixBytes('fp8e4m3', 3, 8)).toBe(3 * 16 + 3 * 4); // 8 codes = 2 words, padded to 4
    expect(matrixBytes('bf16', 3, 8)).toBe(3 * 16);
  });
});

const bytes = readShared(STORIES);

describe.runIf(bytes)('weight bytes on stories260K', () => {
  it('equal the engine\'s ModelInfo.weightBytes under every preset', async () => {
    const e = new Engine({ engine: 'cpu', baseUrl: 'http://localhost/' }); // an F32 file: the CPU stores f32 as f32
    const info = await e.load({ kind: 'file', name: 'stories260K.gguf', bytes: bytes!.buffer.slice(bytes!.byteOffset, bytes!.byteOffset + bytes!.byteLength) as ArrayBuffer });
    expect(mapBytes(info.config, info.precision).total).toBe(info.weightBytes);
    for (const p of PRESETS) {
      const next = await e.setPrecision(p);
      expect(presetBytes(next.config, p), p).toBe(next.weightBytes);
      const numerics = await e.numerics();
      const b = mapBytes(next.config, next.precision);
      for (const t of numerics) {
        const [, l, m] = /^L(\d+)\.(\w+)$/.exec(t.label) ?? [];
        expect(t.label === 'output' ? b.output : t.label === 'embedding' ? b.embedding : b.layers[Number(l)][m as 'wq'], `${p} ${t.label}`).toBe(t.bytes);
      }
    }
  });
});
