// `cli quant` as a student runs it: JSON has no NaN or Infinity, so NaN is written null and +-Infinity the strings
// "inf" / "-inf" (they used to print null too, and could not be told from NaN).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeFp8 } from '../../workers/quant/fp8.ts';
import { jsonNumber } from '../../workers/shared.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function cli(args: string[], stdin = ''): Promise<string> {
  return new Promise((ok, ko) => {
    const child = execFile(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'quant', ...args], { cwd: ROOT }, (e, stdout, stderr) => (e ? ko(new Error(stderr)) : ok(stdout)));
    child.stdin!.end(stdin);
  });
}

describe('cli quant --json', () => {
  it('writes the 256 E5M2 codes with "inf" / "-inf" for 0x7c / 0xfc and null for the NaNs', async () => {
    const { codes, decoded } = JSON.parse(await cli(['--format', 'e5m2', '--table', '--json'])) as { codes: number[]; decoded: (number | string | null)[] };
    expect(codes).toEqual(Array.from({ length: 256 }, (_, i) => i));
    expect(decoded[0x7c]).toBe('inf');
    expect(decoded[0xfc]).toBe('-inf');
    for (const c of [0x7d, 0x7e, 0x7f, 0xfd, 0xfe, 0xff]) expect(decoded[c], `0x${c.toString(16)}`).toBeNull();
    // every other code is its finite value, as the decoder gives it (JSON writes -0 as 0)
    for (let c = 0; c < 256; c++) if ((c & 0x7f) < 0x7c) expect(decoded[c] === decodeFp8(c, 'fp8e5m2'), `0x${c.toString(16)}`).toBe(true);
  });

  it('writes a BF16 infinity and NaN read from stdin the same way', async () => {
    expect(JSON.parse(await cli(['--format', 'bf16'], 'inf -inf nan 1'))).toEqual({ codes: [0x7f80, 0xff80, 0x7fc0, 0x3f80], decoded: ['inf', '-inf', null, 1] });
  });

  it('the lesson uses the same rule', () => {
    expect([Infinity, -Infinity, NaN, -0, 448].map(jsonNumber)).toEqual(['inf', '-inf', null, -0, 448]);
  });
});
