// The linear-layer formats every parity test covers, shared by the CPU twin's tests (tests/unit) and the GPU's
// (tests/gpu), so both always check the same cases.
import type { LinearSpec } from '../workers/quant/types.ts';

export const spec = (s: Partial<LinearSpec>): LinearSpec => ({ dtype: 'f32', scale: 'row', act: null, actBound: null, bf16Rounding: 'nearest', ...s });

export const LINEAR_SPECS: [string, LinearSpec][] = [
  ['f32', spec({})],
  ['bf16', spec({ dtype: 'bf16' })],
  ['bf16 truncate', spec({ dtype: 'bf16', bf16Rounding: 'truncate' })],
  ['e4m3 row', spec({ dtype: 'fp8e4m3' })],
  ['e4m3 tensor', spec({ dtype: 'fp8e4m3', scale: 'tensor' })],
  ['e5m2 row', spec({ dtype: 'fp8e5m2' })],
  ['e4m3 row, act e4m3 bound 1200 (Llama 3)', spec({ dtype: 'fp8e4m3', act: 'fp8e4m3', actBound: 1200 })],
  ['e4m3 tensor, act e4m3 unbounded', spec({ dtype: 'fp8e4m3', scale: 'tensor', act: 'fp8e4m3' })],
  ['e5m2 row, act e5m2', spec({ dtype: 'fp8e5m2', act: 'fp8e5m2' })],
];
