// ggml block quantization -> f32, bit for bit like llama.cpp: the block types of Q8_0, Q4_0, Q5_0 and of the
// Q4_K_M / Q5_K_M / Q6_K files people download. Every block is an f16 scale (K-quants: a super-block of 256
// with 6- or 8-bit sub-block scales) and packed small integers q, and x = scale * q (- min).
// References: ggml/src/ggml-common.h (block_q4_0 ... block_q6_K layouts); ggml/src/ggml-quants.c
// (dequantize_row_*, get_scale_min_k4); llama.cpp gguf-py/gguf/quants.py (the numpy twin the tests compare to).
// Rounding: every product here is exact in f32 (f16 scale: 11 significant bits, sub-block scale: at most 7, q: at
// most 6), so the only rounding in ggml's f32 math is the K-quants' final `- min`. Computing it in double and letting
// the Float32Array store round gives the same f32 (true for any f32 +-), so no Math.fround is needed, and an FMA
// in a C build of ggml cannot change a result either.
import { GGML_BLOCK, halfTable } from './dtypes.ts';

export const QUANT_DTYPES = ['Q8_0', 'Q4_0', 'Q5_0', 'Q4_K', 'Q5_K', 'Q6_K'] as const;
export type QuantDtype = (typeof QUANT_DTYPES)[number];

/** Number of blocks in n elements, after checking n, src and out; one-line errors name the type. */
function blockCount(dtype: QuantDtype, src: Uint8Array, n: number, out: Float32Array): number {
  const [size, bytes] = GGML_BLOCK[dtype];
  if (!Number.isInteger(n / size) || n < 0) throw new Error(`${dtype}: ${n} elements is not a whole number of ${size}-element blocks`);
  const blocks = n / size;
  if (src.length < blocks * bytes) throw new Error(`${dtype}: ${blocks} blocks need ${blocks * bytes} bytes, got ${src.length}`);
  if (out.length < n) throw new Error(`${dtype}: output holds ${out.length} values, ${n} needed`);
  return blocks;
}

/** Q8_0, 34 bytes: f16 d, int8 q[32]; x[j] = d * q[j]. */
export function dequantizeQ8_0(src: Uint8Array, n: number, out: Float32Array): void {
  const half = halfTable();
  const blocks = blockCount('Q8_0', src, n, out);
  for (let b = 0, o = 0, y = 0; b < blocks; b++, o += 34, y += 32) {
    const d = half[src[o] | (src[o + 1] << 8)];
    for (let j = 0; j < 32; j++) out[y + j] = d * ((src[o + 2 + j] << 24) >> 24); // sign-extend the byte
  }
}

/** Q4_0, 18 bytes: f16 d, qs[16]; low nibbles are x[0..16), high nibbles x[16..32); x = d * (q - 8). */
export function dequantizeQ4_0(src: Uint8Array, n: number, out: Float32Array): void {
  const half = halfTable();
  const blocks = blockCount('Q4_0', src, n, out);
  for (let b = 0, o = 0, y = 0; b < blocks; b++, o += 18, y += 32) {
    const d = half[src[o] | (src[o + 1] << 8)];
    for (let j = 0; j < 16; j++) {
      const q = src[o + 2 + j];
      out[y + j] = d * ((q & 15) - 8);
      out[y + j + 16] = d * ((q >> 4) - 8);
    }
  }
}

/** Q5_0, 22 bytes: f16 d, u32 qh (bit j = 5th bit of x[j]), qs[16] as Q4_0; x = d * (q - 16). */
export function dequantizeQ5_0(src: Uint8Array, n: number, out: Float32Array): void {
  const half = halfTable();
  const blocks = blockCount('Q5_0', src, n, out);
  for (let b = 0, o = 0, y = 0; b < blocks; b++, o += 22, y += 32) {
    const d = half[src[o] | (src[o + 1] << 8)];
    const qh = src[o + 2] | (src[o + 3] << 8) | (src[o + 4] << 16) | (src[o + 5] << 24);
    for (let j = 0; j < 16; j++) {
      const q = src[o + 6 + j];
      out[y + j] = d * ((q & 15) + (((qh >>> j) & 1) << 4) - 16);
      out[y + j + 16] = d * ((q >> 4) + (((qh >>> (j + 16)) & 1) << 4) - 16);
    }
  }
}

// Per-block scratch for the 8 unpacked sub-block scales and mins of Q4_K / Q5_K (allocated once).
const sc = new Uint8Array(8);
const mn = new Uint8Array(8);

/**
 * The 12 scale bytes at src[s..s+12) of a Q4_K / Q5_K block -> 8 six-bit scales and 8 six-bit mins
 * (ggml get_scale_min_k4). Bytes 0-3 hold sc[0..4) in their low 6 bits, bytes 4-7 mn[0..4); sub-blocks 4..7
 * keep their low 4 bits in bytes 8-11 (sc low nibble, mn high nibble) and their top 2 bits in the spare
 * top 2 bits of bytes 0-3 (sc) and 4-7 (mn).
 */
export function unpackScaleMinK4(src: Uint8Array, s: number, scales: Uint8Array, mins: Uint8Array): void {
  for (let j = 0; j < 4; j++) {
    const a = src[s + j], m = src[s + 4 + j], lo = src[s + 8 + j];
    scales[j] = a & 63;
    mins[j] = m & 63;
    scales[j + 4] = (lo & 15) | ((a >> 6) << 4);
    mins[j + 4] = (lo >> 4) | ((m >> 6) << 4);
  }
}

/**
 * Q4_K, 144 bytes: f16 d, f16 dmin, 12 scale bytes, qs[128]. Eight sub-blocks of 32; each 32-byte run of qs
 * holds two sub-blocks: low nibbles are sub-block 2c, high nibbles 2c+1. x = (d*sc) * q - (dmin*mn).
 */
export function dequantizeQ4_K(src: Uint8Array, n: number, out: Float32Array): void {
  const half = halfTable();
  const blocks = blockCount('Q4_K', src, n, out);
  for (let b = 0, o = 0, y = 0; b < blocks; b++, o += 144) {
    const d = half[src[o] | (src[o + 1] << 8)];
    const dmin = half[src[o + 2] | (src[o + 3] << 8)];
    unpackScaleMinK4(src, o + 4, sc, mn);
    for (let c = 0; c < 4; c++, y += 64) {
      const q = o + 16 + 32 * c;
      const d1 = d * sc[2 * c], m1 = dmin * mn[2 * c];
      const d2 = d * sc[2 * c + 1], m2 = dmin * mn[2 * c + 1];
      for (let l = 0; l < 32; l++) {
        const v = src[q + l];
        out[y + l] = d1 * (v & 15) - m1;
        out[y + l + 32] = d2 * (v >> 4) - m2;
      }
    }
  }
}

/**
 * Q5_K, 176 bytes: f16 d, f16 dmin, 12 scale bytes, qh[32], qs[128]. As Q4_K, plus a 5th bit: bit k of qh[l]
 * belongs to element l of sub-block k. x = (d*sc) * q - (dmin*mn).
 */
export function dequantizeQ5_K(src: Uint8Array, n: number, out: Float32Array): void {
  const half = halfTable();
  const blocks = blockCount('Q5_K', src, n, out);
  for (let b = 0, o = 0, y = 0; b < blocks; b++, o += 176) {
    const d = half[src[o] | (src[o + 1] << 8)];
    const dmin = half[src[o + 2] | (src[o + 3] << 8)];
    unpackScaleMinK4(src, o + 4, sc, mn);
    const h = o + 16;
    for (let c = 0; c < 4; c++, y += 64) {
      const q = o + 48 + 32 * c;
      const d1 = d * sc[2 * c], m1 = dmin * mn[2 * c];
      const d2 = d * sc[2 * c + 1], m2 = dmin * mn[2 * c + 1];
      for (let l = 0; l < 32; l++) {
        const v = src[q + l], hi = src[h + l] >> (2 * c);
        out[y + l] = d1 * ((v & 15) | ((hi & 1) << 4)) - m1;
        out[y + l + 32] = d2 * ((v >> 4) | ((hi & 2) << 3)) - m2;
      }
    }
  }
}

// Per-block scratch for the 16 scaled sub-block factors d * scales[k] of Q6_K.
const dl = new Float32Array(16);

/**
 * Q6_K, 210 bytes: ql[128] (low 4 bits), qh[64] (high 2 bits), int8 scales[16], f16 d. Two halves of 128;
 * in half h, element l of group g (g = 0..3, l = 0..31) takes the low (g < 2) or high nibble of
 * ql[64h + 32(g & 1) + l] and bits 2g..2g+1 of qh[32h + l]. Element i uses scales[i >> 4]; x = (d*sc) * (q - 32).
 */
export function dequantizeQ6_K(src: Uint8Array, n: number, out: Float32Array): void {
  const half = halfTable();
  const blocks = blockCount('Q6_K', src, n, out);
  for (let b = 0, o = 0, y = 0; b < blocks; b++, o += 210) {
    const d = half[src[o + 208] | (src[o + 209] << 8)];
    for (let k = 0; k < 16; k++) dl[k] = d * ((src[o + 192 + k] << 24) >> 24); // int8 scale
    for (let hf = 0; hf < 2; hf++, y += 128) {
      const ql = o + 64 * hf, qh = o + 128 + 32 * hf, s = 8 * hf;
      for (let l = 0; l < 32; l++) {
        const a = src[ql + l], c = src[ql + l + 32], hi = src[qh + l], k = s + (l >> 4);
        out[y + l] = dl[k] * (((a & 15) | ((hi & 3) << 4)) - 32);
        out[y + l + 32] = dl[k + 2] * (((c & 15) | (((hi >> 2) & 3) << 4)) - 32);
        out[y + l + 64] = dl[k + 4] * (((a >> 4) | (((hi >> 4) & 3) << 4)) - 32);
        out[y + l + 96] = dl[k + 6] * (((c >> 4) | ((hi >> 6) << 4)) - 32);
      }
    }
  }
}

const DEQUANTIZE: Record<QuantDtype, (src: Uint8Array, n: number, out: Float32Array) => void> = {
  Q8_0: dequantizeQ8_0, Q4_0: dequantizeQ4_0, Q5_0: dequantizeQ5_0,
  Q4_K: dequantizeQ4_K, Q5_K: dequantizeQ5_K, Q6_K: dequantizeQ6_K,
};

/** Dequantizes `n` elements (a whole number of blocks) of ggml type `dtype` from `src` into out[0..n). */
export function dequantize(dtype: QuantDtype, src: Uint8Array, n: number, out: Float32Array): void {
  const f = DEQUANTIZE[dtype];
  if (!f) throw new Error(`no dequantizer for ggml type ${dtype}: supported ${QUANT_DTYPES.join(', ')}`);
  f(src, n, out);
}
