// Presets as the spec's table defines them, overrides, the CLI parser and the URL encoding.
import { describe, expect, test } from 'vitest';
import { applyOverride, decodeMap, encodeMap, parsePrecision, presetMap } from '../../workers/quant/precision.ts';
import { LAYER_MATRICES } from '../../workers/model/weights.ts';
import { PRESETS, type LinearSpec } from '../../workers/quant/types.ts';

const bf16: LinearSpec = { dtype: 'bf16', scale: 'row', act: null, actBound: null, bf16Rounding: 'nearest' };
const fp8: LinearSpec = { dtype: 'fp8e4m3', scale: 'row', act: 'fp8e4m3', actBound: 1200, bf16Rounding: 'nearest' };

describe('presets', () => {
  test('f32 and bf16: every matrix, embedding and head included', () => {
    for (const p of ['f32', 'bf16'] as const) {
      const m = presetMap(5, p);
      expect(m.preset).toBe(p);
      expect(m.layers).toHaveLength(5);
      for (const s of [m.embedding, m.output, ...m.layers.flatMap((L) => LAYER_MATRICES.map((k) => L[k]))]) {
        expect(s).toEqual({ dtype: p, scale: 'row', act: null, actBound: null, bf16Rounding: 'nearest' });
      }
    }
  });

  test('fp8-llama3: w1/w3/w2 of layers 1..L-2 FP8 E4M3 row-wise with bounded FP8 activations; the rest BF16', () => {
    const m = presetMap(5, 'fp8-llama3');
    expect(m.embedding).toEqual(bf16);
    expect(m.output).toEqual(bf16);
    m.layers.forEach((L, l) => {
      for (const k of LAYER_MATRICES) {
        const ffn = k === 'w1' || k === 'w3' || k === 'w2';
        expect(L[k], `L${l}.${k}`).toEqual(ffn && l >= 1 && l <= 3 ? fp8 : bf16);
      }
    });
    expect(presetMap(2, 'fp8-llama3').layers.every((L) => L.w1.dtype === 'bf16')).toBe(true); // no middle layers
  });

  test('fp8-all: every block linear FP8; embedding and head BF16', () => {
    const m = presetMap(3, 'fp8-all');
    expect(m.embedding).toEqual(bf16);
    expect(m.output).toEqual(bf16);
    for (const L of m.layers) for (const k of LAYER_MATRICES) expect(L[k]).toEqual(fp8);
  });

  test('maps are independent copies', () => {
    const m = presetMap(3, 'bf16');
    m.layers[0].wq.dtype = 'f32';
    expect(m.layers[1].wq.dtype).toBe('bf16');
    expect(presetMap(3, 'bf16').layers[0].wq.dtype).toBe('bf16');
  });
});

describe('overrides', () => {
  const base = presetMap(4, 'bf16');

  test('a cell, a row, a column, the head', () => {
    const cell = applyOverride(base, { layer: 2, matrix: 'wq', spec: { dtype: 'fp8e4m3' } });
    expect(cell.preset).toBe('custom');
    expect(cell.layers[2].wq).toEqual({ ...bf16, dtype: 'fp8e4m3' });
    expect(cell.layers[1].wq).toEqual(bf16);
    expect(base.layers[2].wq).toEqual(bf16); // input untouched
    const row = applyOverride(base, { layer: 1, spec: { dtype: 'f32' } });
    expect(LAYER_MATRICES.every((k) => row.layers[1][k].dtype === 'f32' && row.layers[0][k].dtype === 'bf16')).toBe(true);
    const col = applyOverride(base, { matrix: 'w2', spec: { dtype: 'fp8e5m2', act: 'fp8e5m2' } });
    expect(col.layers.every((L) => L.w2.dtype === 'fp8e5m2' && L.w2.act === 'fp8e5m2' && L.w1.dtype === 'bf16')).toBe(true);
    const head = applyOverride(base, { matrix: 'output', spec: { dtype: 'f32' } });
    expect(head.output.dtype).toBe('f32');
    expect(head.layers[0].wq.dtype).toBe('bf16');
  });

  test('the embedding takes f32 or bf16 only', () => {
    expect(applyOverride(base, { matrix: 'embedding', spec: { dtype: 'f32' } }).embedding.dtype).toBe('f32');
    expect(() => applyOverride(base, { matrix: 'embedding', spec: { dtype: 'fp8e4m3' } })).toThrow(/embedding can be f32 or bf16/);
  });

  test('a map edited back into a preset is that preset again', () => {
    let m = applyOverride(presetMap(4, 'fp8-llama3'), { layer: 0, matrix: 'w1', spec: fp8 });
    expect(m.preset).toBe('custom');
    m = applyOverride(m, { layer: 0, matrix: 'w1', spec: { dtype: 'bf16' } });
    expect(m.preset).toBe('fp8-llama3');
    expect(applyOverride(presetMap(4, 'bf16'), { spec: fp8 }).layers.every((L) => L.wo.dtype === 'fp8e4m3')).toBe(true);
    const all = applyOverride(applyOverride(presetMap(4, 'bf16'), { spec: fp8 }), { matrix: 'embedding', spec: { dtype: 'bf16' } });
    expect(all.preset).toBe('fp8-all');
  });

  test('bad layer or matrix: clear errors', () => {
    expect(() => applyOverride(base, { layer: 4, spec: {} })).toThrow(/layers 0\.\.3/);
    expect(() => applyOverride(base, { matrix: 'wz' as never, spec: {} })).toThrow(/unknown matrix "wz"/);
    expect(() => applyOverride(base, { spec: { dtype: 'int4' as never } })).toThrow(/unknown weight format/);
  });
});

describe('text forms', () => {
  test('presets parse by name; anything else lists the valid names', () => {
    for (const p of PRESETS) expect(parsePrecision(p, 3)).toEqual(presetMap(3, p));
    expect(() => parsePrecision('fp16', 3)).toThrow(/unknown precision "fp16": use one of f32, bf16, fp8-llama3, fp8-all/);
  });

  test('encode/decode round-trips presets and custom maps, URL-safe and short', () => {
    for (const p of PRESETS) expect(encodeMap(presetMap(6, p))).toBe(p);
    let m = presetMap(6, 'fp8-llama3');
    m = applyOverride(m, { layer: 0, matrix: 'wq', spec: { dtype: 'fp8e5m2', scale: 'tensor', act: 'fp8e5m2', actBound: 12.5 } });
    m = applyOverride(m, { layer: 5, spec: { dtype: 'bf16', bf16Rounding: 'truncate' } });
    m = applyOverride(m, { matrix: 'output', spec: { dtype: 'f32' } });
    m = applyOverride(m, { layer: 3, matrix: 'w2', spec: { dtype: 'fp8e4m3', act: null } });
    m = applyOverride(m, { layer: 2, matrix: 'w1', spec: { actBound: 1e-7 } });
    const text = encodeMap(m);
    expect(text).toMatch(/^[A-Za-z0-9._~-]+$/);
    expect(text.length).toBeLessThan(60);
    expect(encodeURIComponent(text)).toBe(text);
    expect(decodeMap(text, 6)).toEqual(m);
    expect(parsePrecision(text, 6)).toEqual(m);
  });

  test('bad input: clear errors', () => {
    expect(() => decodeMap('b.a', 2)).toThrow(/1 cells, a 2-layer model needs 16/);
    expect(() => decodeMap('b.a16', 3)).toThrow(/needs 23/);
    expect(() => decodeMap('b.b16', 2)).toThrow(/names no spec/);
    expect(() => decodeMap('x.a16', 2)).toThrow(/bad precision spec "x"/);
    expect(() => decodeMap('ba4.a16', 2)).toThrow(/only FP8 weights/);
    expect(() => decodeMap('4-b.ab15', 2)).toThrow(/embedding can be f32 or bf16/);
    expect(() => decodeMap('b.a16!', 2)).toThrow(/unexpected "!"/);
    expect(() => decodeMap('nonsense', 2)).toThrow(/expected a preset/);
  });
});
