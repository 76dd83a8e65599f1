// The one module of pure helpers the UI (src/) may import from workers/ besides the contract's types (api.ts): the
// math both threads draw or compute with (FP8/BF16 codecs and row scales, precision maps, matrix shapes, the sampler,
// RoPE frequencies, byte-level token text), Hub ids, the CPU engine's thread bounds and the failure type. Nothing here touches a device, a file or
// a worker; eslint.config.js keeps every other workers/ import out of src/.
export { EngineError, asEngineError, failureOf, oneLine } from './errors.ts';
export { formatHubId, isHubId, parseHubId } from './hub/id.ts';
export { LAYER_MATRICES, matrixShape, type LayerMatrix } from './model/weights.ts';
export { PRESETS } from './quant/types.ts';
export { applyOverride, encodeMap, parsePrecision, presetMap, sameSpec } from './quant/precision.ts';
export { packedBytes } from './quant/pack.ts';
export { Sampler, argmax, mulberry32, type SamplingParams } from './model/sampler.ts';
export { ropeFrequencies } from './model/rope.ts';
export { bf16ToF32, f32ToBf16 } from './quant/bf16.ts';
export { FP8, FP8_TABLE, decodeFp8, encodeFp8, type Fp8Format } from './quant/fp8.ts';
export { absMax, clampAmax, countRow, dequantFactor, encodeRow } from './quant/scale.ts';
export { BYTE_TO_CHAR } from './tokenizer/bytelevel.ts';
export { DEFAULT_MAX_THREADS, MAX_THREADS } from './cpu-pool/limits.ts';

/** A CPU implementation of the GPU (SwiftShader, llvmpipe, lavapipe): timings there say little about a real GPU. */
export const isCpuAdapter = (name: string) => /swiftshader|llvmpipe|lavapipe/i.test(name);

/** A decoded value as `cli quant` writes it in JSON: NaN is null, +-Infinity the strings "inf" / "-inf" (JSON has neither). */
export const jsonNumber = (v: number): number | string | null => (Number.isNaN(v) ? null : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v);
