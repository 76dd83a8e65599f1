// The CPU linear (the GPU's twin) against a slow, obviously-right version written here. Its speed against a plain
// loop is a benchmark: scripts/bench/cpu-linear.ts.
import { describe, expect, test } from 'vitest';
import { createCpuLinear } from '../../workers/reference/linear.ts';
import { encodeFp8, decodeFp8, FP8 } from '../../workers/quant/fp8.ts';
import { roundBf16 } from '../../workers/quant/bf16.ts';
import { LINEAR_SPECS, spec } from '../linear-specs.ts';
import type { LinearSpec } from '../../workers/quant/types.ts';
import { randomArray } from '../gpu/harness.ts';

/** Slow reference: dequantize W and x explicitly, sum in double, no unrolling. */
function slowLinear(w: Float32Array, n: number, k: number, s: LinearSpec, x: Float32Array, m: number): Float64Array {
  const f = Math.fround;
  const wd = new Float64Array(n * k), ws = new Float64Array(n).fill(1);
  if (s.dtype === 'f32' || s.dtype === 'bf16') {
    for (let i = 0; i < n * k; i++) wd[i] = s.dtype === 'bf16' ? roundBf16(w[i], s.bf16Rounding === 'truncate') : w[i];
  } else {
    const fmt = s.dtype, max = FP8[fmt].max;
    const tensorAmax = Math.max(1e-12, ...w.map(Math.abs));
    for (let r = 0; r < n; r++) {
      const amax = f(s.scale === 'tensor' ? tensorAmax : Math.max(f(1e-12), ...w.subarray(r * k, r * k + k).map(Math.abs)));
      ws[r] = f(amax / max);
      for (let c = 0; c < k; c++) wd[r * k + c] = decodeFp8(encodeFp8(f(w[r * k + c] * f(max / amax)), fmt), fmt);
    }
  }
  const y = new Float64Array(m * n);
  for (let r = 0; r < m; r++) {
    let xr = Array.from(x.subarray(r * k, r * k + k)), sx = 1;
    if (s.act && s.dtype.startsWith('fp8')) {
      const max = FP8[s.act].max;
      const amax = f(Math.min(Math.max(...xr.map(Math.abs), f(1e-12)), s.actBound ?? 3.4028234663852886e38));
      sx = f(amax / max);
      xr = xr.map((v) => decodeFp8(encodeFp8(f(v * f(max / amax)), s.act!), s.act!));
    }
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let c = 0; c < k; c++) acc += wd[i * k + c] * xr[c];
      y[r * n + i] = s.dtype.startsWith('fp8') ? f(f(acc) * (s.act ? f(sx * ws[i]) : ws[i])) : acc;
    }
  }
  return y;
}

describe.each(LINEAR_SPECS)('%s', (_name, s) => {
  test.each([[1, 3, 1], [5, 67, 2], [17, 129, 7], [64, 64, 3]])('n=%i k=%i m=%i, and accumulate', (n, k, m) => {
    const w = randomArray(n * k, n * 1000 + k, 0.5);
    const x = randomArray(m * k, k * 7 + m, 2);
    x[0] = 5000; // an outlier: clipped by the 1200 bound, and it squeezes the rest of row 0 when unbounded
    const lin = createCpuLinear(w, n, k, s);
    const want = slowLinear(w, n, k, s, x, m);
    const y = new Float32Array(m * n);
    lin.apply(x, m, y);
    for (let i = 0; i < m * n; i++) expect(Math.abs(y[i] - want[i]), `y[${i}]`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(want[i])));
    const y2 = Float32Array.from(y, (v) => v + 1);
    lin.apply(x, m, y2, true);
    for (let i = 0; i < m * n; i++) expect(Math.abs(y2[i] - (y[i] + 1 + y[i])), `acc y[${i}]`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(y[i])));
  });
});

test('an all-zero activation row gives zeros, not NaN', () => {
  const lin = createCpuLinear(randomArray(12, 1), 3, 4, spec({ dtype: 'fp8e4m3', act: 'fp8e4m3', actBound: 1200 }));
  const y = new Float32Array(3);
  lin.apply(new Float32Array(4), 1, y);
  expect([...y]).toEqual([0, 0, 0]);
});

test('bytes: packed rows plus scales', () => {
  expect(createCpuLinear(new Float32Array(10 * 67), 10, 67, spec({})).bytes).toBe(10 * 68 * 4);
  expect(createCpuLinear(new Float32Array(10 * 67), 10, 67, spec({ dtype: 'bf16' })).bytes).toBe(10 * 36 * 4);
  expect(createCpuLinear(new Float32Array(10 * 67), 10, 67, spec({ dtype: 'fp8e4m3' })).bytes).toBe(10 * 20 * 4 + 40);
});
