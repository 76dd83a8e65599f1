// FP8 codecs: E4M3 ("fn": no infinities, one NaN per sign) and E5M2 (IEEE-like, the top byte of an f16).
// Source: OCP 8-bit Floating Point Specification rev 1.0; Micikevicius et al. 2022, arXiv:2209.05433.
// A code is a byte 0..255: sign in bit 7, then exponent, then mantissa.
// Encoding rounds the f32 value to nearest, ties to even, and saturates: |x| > max and +/-Inf -> +/-max,
// NaN -> the format's NaN code with the sign, values at or below half the smallest subnormal -> signed zero.
// It works on the f32 bits with integers only, so it is exact (no Math.log2, no double rounding beyond the f32).

export type Fp8Format = 'fp8e4m3' | 'fp8e5m2';
export const FP8_FORMATS: readonly Fp8Format[] = ['fp8e4m3', 'fp8e5m2'];

export interface Fp8Info {
  format: Fp8Format;
  expBits: number;
  manBits: number;
  bias: number;
  /** Largest finite magnitude and its code (without the sign bit). */
  max: number;
  maxCode: number;
  /** NaN code produced by the encoder (without the sign bit). */
  nanCode: number;
  minNormal: number;
  minSubnormal: number;
}

export const FP8: Record<Fp8Format, Fp8Info> = {
  fp8e4m3: { format: 'fp8e4m3', expBits: 4, manBits: 3, bias: 7, max: 448, maxCode: 0x7e, nanCode: 0x7f, minNormal: 2 ** -6, minSubnormal: 2 ** -9 },
  fp8e5m2: { format: 'fp8e5m2', expBits: 5, manBits: 2, bias: 15, max: 57344, maxCode: 0x7b, nanCode: 0x7e, minNormal: 2 ** -14, minSubnormal: 2 ** -16 },
};

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The value of a code, from the bit fields (used once, to build the tables). */
function decodeFields(code: number, f: Fp8Info): number {
  const sign = code & 0x80 ? -1 : 1;
  const e = (code >> f.manBits) & ((1 << f.expBits) - 1);
  const m = code & ((1 << f.manBits) - 1);
  if (f.format === 'fp8e4m3' && (code & 0x7f) === 0x7f) return NaN;
  if (f.format === 'fp8e5m2' && e === 31) return m === 0 ? sign * Infinity : NaN;
  if (e === 0) return sign * m * 2 ** (1 - f.bias - f.manBits); // subnormal: m * 2^(1-bias-manBits)
  return sign * ((1 << f.manBits) + m) * 2 ** (e - f.bias - f.manBits);
}

function buildTable(f: Fp8Info): Float32Array {
  const t = new Float32Array(256);
  for (let c = 0; c < 256; c++) t[c] = decodeFields(c, f);
  return t;
}

/** Decode tables: FP8_TABLE[format][code] is the exact value of the code. */
export const FP8_TABLE: Record<Fp8Format, Float32Array> = {
  fp8e4m3: buildTable(FP8.fp8e4m3),
  fp8e5m2: buildTable(FP8.fp8e5m2),
};

export function decodeFp8(code: number, format: Fp8Format): number {
  return FP8_TABLE[format][code & 0xff];
}

/**
 * Encodes f32 bits u as an FP8 code (nearest even, saturating). Normal targets round the f32 bits in place and
 * rebias the exponent; subnormal targets round the 24-bit significand shifted to the subnormal quantum.
 */
export function fp8FromBits(u: number, f: Fp8Info): number {
  const sign = (u >>> 24) & 0x80;
  const a = u & 0x7fffffff;
  if (a > 0x7f800000) return sign | f.nanCode;
  const e = a >>> 23; // biased f32 exponent
  if (e >= 128 - f.bias) {
    // Normal in the target: keep manBits of mantissa, round half to even, carry into the exponent.
    const shift = 23 - f.manBits;
    const r = (a + ((1 << (shift - 1)) - 1) + ((a >>> shift) & 1)) >>> shift;
    return sign | Math.min(r - ((127 - f.bias) << f.manBits), f.maxCode);
  }
  // Subnormal in the target: a = M * 2^(E-150); in units of the smallest subnormal that is M / 2^s.
  const M = e === 0 ? a : (a & 0x7fffff) | 0x800000;
  const s = 151 - f.bias - f.manBits - Math.max(e, 1);
  if (s > 24) return sign; // below half the smallest subnormal
  const q = M >>> s;
  const rem = M - q * 2 ** s;
  const half = 2 ** (s - 1);
  return sign | (rem > half || (rem === half && (q & 1) === 1) ? q + 1 : q);
}

/** Encodes a number (first rounded to f32) as an FP8 code. */
export function encodeFp8(x: number, format: Fp8Format): number {
  f32[0] = x;
  return fp8FromBits(u32[0], FP8[format]);
}

/** The value x takes after a round trip through the format. */
export function roundFp8(x: number, format: Fp8Format): number {
  return FP8_TABLE[format][encodeFp8(x, format)];
}
