// One number in FP8 (E4M3, E5M2) and BF16, exactly as `cli quant` computes it (scripts/cli/quant.ts: the same
// encoders, workers/quant/fp8.ts and bf16.ts): the code, its sign / exponent / mantissa bits, the value it decodes
// to and the relative error; and the representable values around it, for the number line.
import { bf16ToF32, f32ToBf16, FP8, decodeFp8, encodeFp8, jsonNumber, type Fp8Format } from '../../../workers/shared.ts';

export type NumberFormat = Fp8Format | 'bf16';
export const NUMBER_FORMATS: { format: NumberFormat; cli: 'e4m3' | 'e5m2' | 'bf16'; name: string }[] = [
  { format: 'fp8e4m3', cli: 'e4m3', name: 'FP8 E4M3' },
  { format: 'fp8e5m2', cli: 'e5m2', name: 'FP8 E5M2' },
  { format: 'bf16', cli: 'bf16', name: 'BF16' },
];

const FIELDS: Record<NumberFormat, { exp: number; man: number; bias: number }> = {
  fp8e4m3: { exp: FP8.fp8e4m3.expBits, man: FP8.fp8e4m3.manBits, bias: FP8.fp8e4m3.bias },
  fp8e5m2: { exp: FP8.fp8e5m2.expBits, man: FP8.fp8e5m2.manBits, bias: FP8.fp8e5m2.bias },
  bf16: { exp: 8, man: 7, bias: 127 },
};

/** The value a word on stdin means to `cli quant`: inf / -inf / nan spelled out, else Number(word); null if not a number. */
export function parseValue(word: string): number | null {
  const w = word.trim();
  if (/^[+-]?inf(inity)?$/i.test(w)) return w.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(w)) return NaN;
  if (w === '' || /\s/.test(w)) return null;
  const v = Number(w);
  return Number.isNaN(v) ? null : v;
}

export const encode = (v: number, f: NumberFormat) => (f === 'bf16' ? f32ToBf16(v) : encodeFp8(v, f));
export const decode = (code: number, f: NumberFormat) => (f === 'bf16' ? bf16ToF32(code) : decodeFp8(code, f));

export interface Encoding {
  format: NumberFormat;
  code: number;
  hex: string;
  sign: string;
  exponent: string;
  mantissa: string;
  bias: number;
  decoded: number;
  /** |decoded - v| / |v| (0 for v = 0; NaN when either is not finite). */
  relError: number;
  /** What `cli quant --format <f>` prints for this one value (NaN and ±Inf print as null, as JSON does). */
  cliLine: string;
}

export function encodeValue(v: number, format: NumberFormat): Encoding {
  const { exp, man, bias } = FIELDS[format];
  const code = encode(v, format);
  const bits = code.toString(2).padStart(1 + exp + man, '0');
  const decoded = decode(code, format);
  const relError = !Number.isFinite(v) || !Number.isFinite(decoded) ? NaN : v === 0 ? Math.abs(decoded) : Math.abs(decoded - v) / Math.abs(v);
  return {
    format,
    code,
    hex: `0x${code.toString(16).toUpperCase().padStart((1 + exp + man) / 4, '0')}`,
    sign: bits[0],
    exponent: bits.slice(1, 1 + exp),
    mantissa: bits.slice(1 + exp),
    bias,
    decoded,
    relError,
    cliLine: JSON.stringify({ codes: [code], decoded: [jsonNumber(decoded)] }),
  };
}

/** Finite representable values of a format in [lo, hi], ascending (at most `limit`; null if there are more). */
export function gridBetween(lo: number, hi: number, format: NumberFormat, limit = 400): number[] | null {
  const out: number[] = [];
  if (format !== 'bf16') {
    for (let c = 0; c < 256; c++) {
      const x = decodeFp8(c, format);
      if (Number.isFinite(x) && x >= lo && x <= hi && !(x === 0 && c === 0x80)) out.push(x);
    }
    out.sort((a, b) => a - b);
    return out.length > limit ? null : out;
  }
  // BF16: walk the codes from lo's to hi's (codes order magnitudes within a sign)
  const start = f32ToBf16(lo), end = f32ToBf16(hi);
  const step = (c: number) => (c & 0x8000 ? (c === 0x8000 ? 0x0001 : c - 1) : c + 1);
  for (let c = start, i = 0; i <= limit + 2; c = step(c), i++) {
    const x = bf16ToF32(c);
    if (Number.isFinite(x) && x >= lo && x <= hi) out.push(x);
    if (c === end || x > hi) break;
    if (i > limit) return null;
  }
  return out;
}
