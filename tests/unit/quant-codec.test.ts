// The BF16 and FP8 codecs against an independent oracle written here with exact integer arithmetic (BigInt):
// every value is an integer count of 2^-SHIFT, so nearest-even rounding is decided by exact comparisons.
import { describe, expect, test } from 'vitest';
import { FP8, FP8_TABLE, encodeFp8, decodeFp8, type Fp8Format } from '../../workers/quant/fp8.ts';
import { bf16ToF32, f32ToBf16, roundBf16Array } from '../../workers/quant/bf16.ts';
import { rng } from '../gpu/harness.ts';

const SHIFT = 200n; // every f32 is an integer multiple of 2^-149, so of 2^-200

/** 2^e for integer e >= 0 as a BigInt, by repeated multiplication (memoised). */
const powers: bigint[] = [1n];
function pow2(e: number): bigint {
  while (powers.length <= e) powers.push(powers[powers.length - 1] * 2n);
  return powers[e];
}

/** Exact value of an f32 (given by its bits) in units of 2^-SHIFT, as a signed BigInt; null for Inf/NaN. */
function f32Units(bits: number): bigint | null {
  const sign = bits >>> 31 ? -1n : 1n;
  const e = (bits >>> 23) & 0xff;
  const m = bits & 0x7fffff;
  if (e === 255) return null;
  const sig = BigInt(e === 0 ? m : m | 0x800000);
  const exp = (e === 0 ? 1 : e) - 150; // value = sig * 2^exp
  return sign * sig * pow2(Number(SHIFT) + exp);
}

const bitsOf = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0];
const f32Of = (u: number) => new Float32Array(new Uint32Array([u]).buffer)[0];

/** Independent FP8 field decoding to a rational num / 2^SHIFT; 'nan' / 'inf' for the special codes. */
function fp8Units(code: number, fmt: Fp8Format): bigint | 'nan' | 'inf' {
  const [eb, mb, bias] = fmt === 'fp8e4m3' ? [4, 3, 7] : [5, 2, 15];
  const e = (code >> mb) & ((1 << eb) - 1);
  const m = code & ((1 << mb) - 1);
  if (fmt === 'fp8e4m3' && (code & 0x7f) === 0x7f) return 'nan';
  if (fmt === 'fp8e5m2' && e === 31) return m === 0 ? 'inf' : 'nan';
  const sig = BigInt(e === 0 ? m : m + (1 << mb));
  const exp = (e === 0 ? 1 : e) - bias - mb;
  const v = sig * pow2(Number(SHIFT) + exp);
  return code & 0x80 ? -v : v;
}

/** Rational -> number: num and 2^SHIFT are both exact doubles here, so the division is exact. */
const unitsToNumber = (u: bigint) => (u === 0n ? 0 : Number(u) / 2 ** Number(SHIFT));

/** Reference encoder: the nearest finite code by exhaustive search, ties to the even code; saturates. */
function refEncodeFp8(x: number, fmt: Fp8Format): number {
  const bits = bitsOf(x);
  const sign = bits >>> 31 ? 0x80 : 0;
  if (Number.isNaN(x)) return sign | (fmt === 'fp8e4m3' ? 0x7f : 0x7e);
  const xu = f32Units(bits);
  const maxCode = fmt === 'fp8e4m3' ? 0x7e : 0x7b;
  if (xu === null) return sign | maxCode; // +/-Inf saturate
  const ax = xu < 0n ? -xu : xu;
  let best = 0, bestD = -1n;
  for (let c = 0; c <= maxCode; c++) {
    const v = fp8Units(c, fmt) as bigint;
    const d = v > ax ? v - ax : ax - v;
    if (bestD < 0n || d < bestD || (d === bestD && c % 2 === 0)) { best = c; bestD = d; }
  }
  return sign | best;
}

/** Reference BF16 encoder: the two neighbours of the truncated code, compared exactly; ties to even; IEEE overflow. */
function refEncodeBf16(x: number): number {
  if (Number.isNaN(x)) return 0x7fc0;
  const bits = bitsOf(x);
  const sign = bits >>> 31 ? 0x8000 : 0;
  const t = (bits >>> 16) & 0x7fff;
  if (t === 0x7f80) return sign | t; // infinity
  const units = (h: number) => (h === 0x7f80 ? pow2(128 + Number(SHIFT)) : f32Units(h << 16)!);
  const ax = f32Units(bits & 0x7fffffff)!;
  const lo = units(t), hi = units(t + 1);
  const dl = ax - lo, dh = hi - ax;
  return sign | (dl < dh || (dl === dh && t % 2 === 0) ? t : t + 1);
}

const sameNumber = (a: number, b: number) => (Number.isNaN(a) && Number.isNaN(b)) || Object.is(a, b);

describe.each(['fp8e4m3', 'fp8e5m2'] as const)('%s', (fmt) => {
  test('all 256 codes decode to the exact value', () => {
    for (let c = 0; c < 256; c++) {
      const r = fp8Units(c, fmt);
      const want = r === 'nan' ? NaN : r === 'inf' ? (c & 0x80 ? -Infinity : Infinity) : unitsToNumber(r);
      const wantSigned = r === 0n && c & 0x80 ? -0 : want;
      expect(sameNumber(FP8_TABLE[fmt][c], wantSigned), `code 0x${c.toString(16)}`).toBe(true);
      expect(sameNumber(decodeFp8(c, fmt), wantSigned)).toBe(true);
    }
  });

  test('every finite value encodes to its own code', () => {
    for (let c = 0; c < 256; c++) {
      const v = FP8_TABLE[fmt][c];
      if (!Number.isFinite(v)) continue;
      expect(encodeFp8(v, fmt), `value ${v}`).toBe(c);
    }
  });

  test('midpoints between neighbours round to even; one f32 ulp either side rounds to the nearer', () => {
    const t = FP8_TABLE[fmt];
    for (const sign of [0, 0x80]) {
      for (let c = 0; c < FP8[fmt].maxCode; c++) {
        const a = t[sign | c], b = t[sign | (c + 1)];
        const mid = (a + b) / 2; // at most 5 significant bits: exact in f32
        expect(Math.fround(mid)).toBe(mid);
        const even = c % 2 === 0 ? c : c + 1;
        expect(encodeFp8(mid, fmt), `mid ${mid}`).toBe(sign | even);
        expect(encodeFp8(mid, fmt)).toBe(refEncodeFp8(mid, fmt));
        const u = bitsOf(mid);
        const toward0 = f32Of(u - 1), away = f32Of(u + 1);
        expect(encodeFp8(toward0, fmt), `below ${mid}`).toBe(sign | c);
        expect(encodeFp8(away, fmt), `above ${mid}`).toBe(sign | (c + 1));
      }
    }
  });

  test('seeded random f32 values across every binade match the reference encoder', () => {
    const r = rng(fmt === 'fp8e4m3' ? 1 : 2);
    for (let e = -30; e <= 20; e++) {
      for (let i = 0; i < 60; i++) {
        const mant = Math.floor(r() * 0x800000);
        const sign = r() < 0.5 ? 0x80000000 : 0;
        const bits = (sign | ((e + 127) << 23) | mant) >>> 0;
        const x = f32Of(bits);
        expect(encodeFp8(x, fmt), `x = ${x}`).toBe(refEncodeFp8(x, fmt));
      }
    }
    for (let i = 0; i < 200; i++) {
      const x = f32Of(Math.floor(r() * 0x800000)); // f32 subnormals: far below the FP8 range
      expect(encodeFp8(x, fmt)).toBe(0);
      expect(encodeFp8(-x, fmt)).toBe(0x80);
    }
  });

  test('saturation, NaN and signed zero', () => {
    const { max, maxCode, nanCode, minSubnormal } = FP8[fmt];
    for (const x of [max, max * 1.01, max * 2, 1e30, Infinity, 3.4e38]) {
      expect(encodeFp8(x, fmt)).toBe(maxCode);
      expect(encodeFp8(-x, fmt)).toBe(0x80 | maxCode);
    }
    expect(encodeFp8(NaN, fmt)).toBe(nanCode);
    expect(encodeFp8(f32Of(0xffc00000), fmt)).toBe(0x80 | nanCode);
    expect(encodeFp8(minSubnormal / 2, fmt)).toBe(0); // a tie with zero: to even
    expect(encodeFp8(-minSubnormal / 2, fmt)).toBe(0x80);
    expect(encodeFp8(minSubnormal * 0.51, fmt)).toBe(1);
    expect(encodeFp8(-0, fmt)).toBe(0x80);
  });
});

test('golden vectors from the spec', () => {
  const e4 = (c: number) => decodeFp8(c, 'fp8e4m3');
  const e5 = (c: number) => decodeFp8(c, 'fp8e5m2');
  expect(e4(0x00)).toBe(0);
  expect(e4(0x38)).toBe(1);
  expect(e4(0xb8)).toBe(-1);
  expect(e4(0x3c)).toBe(1.5);
  expect(e4(0x40)).toBe(2);
  expect(e4(0x48)).toBe(4);
  expect(e4(0x7e)).toBe(448);
  expect(e4(0xfe)).toBe(-448);
  expect(e4(0x08)).toBe(2 ** -6);
  expect(e4(0x07)).toBe(7 * 2 ** -9);
  expect(e4(0x01)).toBe(2 ** -9);
  expect(e4(0x7f)).toBeNaN();
  expect(e4(0xff)).toBeNaN();
  expect(e5(0x7b)).toBe(57344);
  expect(e5(0x7c)).toBe(Infinity);
  expect(e5(0x7d)).toBeNaN();
  expect(e5(0x04)).toBe(2 ** -14);
  expect(e5(0x01)).toBe(2 ** -16);
  expect(encodeFp8(1.0625, 'fp8e4m3')).toBe(0x38);
  expect(encodeFp8(1.1875, 'fp8e4m3')).toBe(0x3a);
  expect(encodeFp8(464, 'fp8e4m3')).toBe(0x7e);
  expect(encodeFp8(1e6, 'fp8e4m3')).toBe(0x7e);
  expect(f32ToBf16(1 + 2 ** -8)).toBe(0x3f80);
  expect(f32ToBf16(1 + 3 * 2 ** -8)).toBe(0x3f82);
});

describe('bf16', () => {
  const edges = [0, -0, Infinity, -Infinity, 1, -1, 3.4028234663852886e38, -3.4028234663852886e38, 1.1754943508222875e-38,
    1e-45, -1e-45, 5.877e-39, 2 ** -133, 2 ** -134, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -23, 65504, 0.1, -0.1];

  test('rounding matches the exact reference on edges, ties and seeded random bits', () => {
    for (const x of edges) expect(f32ToBf16(x), `x = ${x}`).toBe(refEncodeBf16(x));
    const r = rng(3);
    for (let i = 0; i < 20000; i++) {
      const bits = Math.floor(r() * 2 ** 32);
      if ((bits & 0x7f800000) === 0x7f800000) continue;
      const x = f32Of(bits);
      expect(f32ToBf16(x)).toBe(refEncodeBf16(x));
    }
    for (let h = 0; h < 0x7f80; h += 37) { // exact ties: the half-way point between h and h+1
      const x = f32Of(((h << 16) | 0x8000) >>> 0);
      expect(f32ToBf16(x)).toBe(h % 2 === 0 ? h : h + 1);
    }
  });

  test('NaN, infinities, zeros, subnormals, max, overflow', () => {
    expect(f32ToBf16(NaN)).toBe(0x7fc0);
    expect(f32ToBf16(f32Of(0x7f800001))).toBe(0x7fc0); // a NaN whose payload is only in the low bits
    expect(f32ToBf16(f32Of(0x7f800001), true)).toBe(0x7fc0);
    expect(f32ToBf16(Infinity)).toBe(0x7f80);
    expect(f32ToBf16(-Infinity)).toBe(0xff80);
    expect(f32ToBf16(0)).toBe(0);
    expect(f32ToBf16(-0)).toBe(0x8000);
    expect(f32ToBf16(3.4028234663852886e38)).toBe(0x7f80); // rounds past the largest BF16 (0x7F7F): Inf, as IEEE
    expect(f32ToBf16(3.4028234663852886e38, true)).toBe(0x7f7f);
    expect(bf16ToF32(0x0001)).toBe(2 ** -133); // smallest subnormal, exact
    expect(bf16ToF32(0x7fc0)).toBeNaN();
    expect(bf16ToF32(0xff80)).toBe(-Infinity);
  });

  test('truncation keeps the high half', () => {
    const r = rng(4);
    for (let i = 0; i < 2000; i++) {
      const bits = Math.floor(r() * 2 ** 32);
      if ((bits & 0x7f800000) === 0x7f800000) continue;
      expect(f32ToBf16(f32Of(bits), true)).toBe(bits >>> 16);
    }
  });

  test('the array round trip equals the scalar one', () => {
    const r = rng(5);
    const w = Float32Array.from({ length: 1000 }, () => (r() - 0.5) * 10);
    const out = roundBf16Array(w);
    for (let i = 0; i < w.length; i++) expect(out[i]).toBe(bf16ToF32(f32ToBf16(w[i])));
  });
});
