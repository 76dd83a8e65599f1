// Storage types a loader meets in files, and their conversion to f32 (row slabs, as the engines pack them).
// References: ggml.h / ggml.c (type ids, block sizes); IEEE 754 binary16; bfloat16 = top half of f32.
// The block-quantized types (Q8_0, Q4_0, Q5_0, Q4_K, Q5_K, Q6_K) are decoded in ggml-quants.ts.
import { dequantize, dequantizeQ8_0 } from './ggml-quants.ts';

/** ggml type ids as written in GGUF tensor infos (ggml.h `enum ggml_type`). */
export const GGML_TYPE_NAMES: Record<number, string> = {
  0: 'F32', 1: 'F16', 2: 'Q4_0', 3: 'Q4_1', 6: 'Q5_0', 7: 'Q5_1', 8: 'Q8_0', 9: 'Q8_1', 10: 'Q2_K', 11: 'Q3_K',
  12: 'Q4_K', 13: 'Q5_K', 14: 'Q6_K', 15: 'Q8_K', 16: 'IQ2_XXS', 17: 'IQ2_XS', 18: 'IQ3_XXS', 19: 'IQ1_S', 20: 'IQ4_NL',
  21: 'IQ3_S', 22: 'IQ2_S', 23: 'IQ4_XS', 24: 'I8', 25: 'I16', 26: 'I32', 27: 'I64', 28: 'F64', 29: 'IQ1_M', 30: 'BF16',
  34: 'TQ1_0', 35: 'TQ2_0', 39: 'MXFP4',
};

/** [elements per block, bytes per block] for the ggml types whose size we can compute (ggml.c type_traits). */
export const GGML_BLOCK: Record<string, [number, number]> = {
  F32: [1, 4], F16: [1, 2], BF16: [1, 2], F64: [1, 8], I8: [1, 1], I16: [1, 2], I32: [1, 4], I64: [1, 8],
  Q4_0: [32, 18], Q4_1: [32, 20], Q5_0: [32, 22], Q5_1: [32, 24], Q8_0: [32, 34], Q8_1: [32, 36],
  Q2_K: [256, 84], Q3_K: [256, 110], Q4_K: [256, 144], Q5_K: [256, 176], Q6_K: [256, 210], Q8_K: [256, 292],
  IQ4_NL: [32, 18], IQ4_XS: [256, 136],
};

/** The storage types this playground converts to f32 at load (the quantized ones: ggml-quants.ts QUANT_DTYPES). */
export const SUPPORTED_DTYPES = ['F32', 'F16', 'BF16', 'Q8_0', 'Q4_0', 'Q5_0', 'Q4_K', 'Q5_K', 'Q6_K'] as const;

let f16Table: Float32Array | null = null;

/** IEEE binary16 bits -> f32: sign, 5-bit exponent (bias 15), 10-bit mantissa; subnormals and inf/NaN included. */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const man = h & 0x3ff;
  if (exp === 0) return sign * man * 2 ** -24; // subnormal: man / 1024 * 2^-14
  if (exp === 31) return man ? NaN : sign * Infinity;
  return sign * (1 + man / 1024) * 2 ** (exp - 15);
}

/** All 65536 half values, built once: conversion is then one table read per element. */
export function halfTable(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16ToF32(h);
  }
  return f16Table;
}

/** Copies little-endian f32 bytes out of the file (any byte alignment). */
export function decodeF32(src: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(n);
  new Uint8Array(out.buffer).set(src.subarray(0, n * 4));
  return out;
}

export function decodeF16(src: Uint8Array, n: number): Float32Array {
  const table = halfTable();
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = table[src[2 * i] | (src[2 * i + 1] << 8)];
  return out;
}

/** bfloat16 is the high 16 bits of an f32, so widening is a shift. */
export function decodeBF16(src: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) bits[i] = ((src[2 * i] | (src[2 * i + 1] << 8)) << 16) >>> 0;
  return out;
}

/** Q8_0: blocks of 34 bytes = f16 scale d, then 32 int8 q; x = d * q (ggml dequantize_row_q8_0). */
export function decodeQ8_0(src: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(n);
  dequantizeQ8_0(src, n, out);
  return out;
}

/** Bytes that n elements of `dtype` occupy, or null when the type's layout is unknown. */
export function dtypeBytes(dtype: string, n: number): number | null {
  const block = GGML_BLOCK[dtype];
  if (!block) return null;
  return Math.ceil(n / block[0]) * block[1];
}

/** f32 copy of n elements stored as `dtype`; the caller has checked the byte range and the dtype is supported. */
export function toF32(dtype: string, src: Uint8Array, n: number): Float32Array {
  switch (dtype) {
    case 'F32': return decodeF32(src, n);
    case 'F16': return decodeF16(src, n);
    case 'BF16': return decodeBF16(src, n);
    case 'Q8_0': case 'Q4_0': case 'Q5_0': case 'Q4_K': case 'Q5_K': case 'Q6_K': {
      const out = new Float32Array(n);
      dequantize(dtype, src, n, out);
      return out;
    }
    default: throw new Error(`unsupported tensor type ${dtype}: supported ${SUPPORTED_DTYPES.join(', ')}`);
  }
}
