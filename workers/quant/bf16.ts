// BF16 ("brain float"): the top 16 bits of an IEEE f32 — same sign and 8-bit exponent, 7 mantissa bits.
// Encode by rounding to nearest, ties to even: (u + 0x7FFF + ((u >> 16) & 1)) >> 16 on the f32 bits u; or, for
// teaching, by truncating the low 16 bits. NaN -> 0x7FC0 either way. Decode is exact: bits << 16.
// BF16 is not saturating: values that round above the largest finite BF16 become +/-Inf, as in IEEE.
// See docs/precision.md.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The canonical BF16 quiet NaN. */
export const BF16_NAN = 0x7fc0;

/** f32 bits -> BF16 bits, round to nearest even. */
export function bf16FromBits(u: number, truncate = false): number {
  if ((u & 0x7fffffff) > 0x7f800000) return BF16_NAN;
  if (truncate) return u >>> 16;
  return ((u >>> 0) + 0x7fff + ((u >>> 16) & 1)) >>> 16;
}

/** Encodes a number (first rounded to f32) as a 16-bit BF16 code. */
export function f32ToBf16(x: number, truncate = false): number {
  f32[0] = x;
  return bf16FromBits(u32[0], truncate);
}

/** Decodes a 16-bit BF16 code to its exact value. */
export function bf16ToF32(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0];
}

/** The value x takes after a round trip through BF16. */
export function roundBf16(x: number, truncate = false): number {
  return bf16ToF32(f32ToBf16(x, truncate));
}

/** Rounds every element of w through BF16 into out (may be w itself). */
export function roundBf16Array(w: Float32Array, truncate = false, out = new Float32Array(w.length)): Float32Array {
  const bits = new Uint32Array(w.buffer, w.byteOffset, w.length);
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < w.length; i++) outBits[i] = bf16FromBits(bits[i], truncate) << 16;
  return out;
}

let table: Float32Array | null = null;

/** The value of every BF16 code (256 KB, built once): the CPU engine multiplies BF16 weights by looking them up. */
export function bf16Table(): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    const bits = new Uint32Array(table.buffer);
    for (let h = 0; h < 65536; h++) bits[h] = h << 16;
  }
  return table;
}
