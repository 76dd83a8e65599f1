// `cli quant`: a classroom tool. Numbers on stdin -> their FP8/BF16 codes and decoded values; --table lists
// all 256 codes of an FP8 format. JSON has no NaN or Infinity: NaN is written null, +-Infinity "inf" / "-inf".
import { readFileSync } from 'node:fs';
import { bf16ToF32, f32ToBf16 } from '../../workers/quant/bf16.ts';
import { decodeFp8, encodeFp8, type Fp8Format } from '../../workers/quant/fp8.ts';
import { jsonNumber } from '../../workers/shared.ts';
import { str, type Flags } from './args.ts';

const FORMATS = { e4m3: 'fp8e4m3', e5m2: 'fp8e5m2', bf16: 'bf16' } as const;

export async function quantCommand(f: Flags): Promise<void> {
  const name = str(f, 'format') ?? 'e4m3';
  const format = FORMATS[name as keyof typeof FORMATS];
  if (!format) throw new Error(`--format must be e4m3, e5m2 or bf16, got "${name}"`);
  if (f.table) {
    if (format === 'bf16') throw new Error('--table lists the 256 codes of an FP8 format: use --format e4m3 or e5m2');
    const codes = Array.from({ length: 256 }, (_, i) => i);
    const decoded = codes.map((c) => jsonNumber(decodeFp8(c, format)));
    if (f.json) console.log(JSON.stringify({ codes, decoded }));
    else for (const c of codes) console.log(`0x${c.toString(16).padStart(2, '0')}  ${c.toString(2).padStart(8, '0')}  ${decoded[c]}`);
    return;
  }
  const words = readFileSync(0, 'utf8').split(/\s+/).filter(Boolean);
  const values = words.map((w) => {
    if (/^[+-]?inf(inity)?$/i.test(w)) return w.startsWith('-') ? -Infinity : Infinity;
    if (/^[+-]?nan$/i.test(w)) return NaN;
    const v = Number(w);
    if (Number.isNaN(v)) throw new Error(`not a number on stdin: "${w}"`);
    return v;
  });
  const codes = values.map((v) => (format === 'bf16' ? f32ToBf16(v) : encodeFp8(v, format as Fp8Format)));
  const decoded = codes.map((c) => jsonNumber(format === 'bf16' ? bf16ToF32(c) : decodeFp8(c, format as Fp8Format)));
  console.log(JSON.stringify({ codes, decoded }));
}
