// The printed report: one table with the GPU's name on every figure, per-matmul shares of copy, and the targets.
import { fmt, pct, sig } from '../format.ts';
import { gb, MATMULS } from './args.ts';
import type { ModelResult } from './measure.ts';
import type { ParityResult } from './parity.ts';

export const TARGETS = { fp8OverBf16Decode: 1.6, matmulShareOfCopy: 0.7 };

export function table(gpuName: string, parityResult: ParityResult | null, models: ModelResult[]): string {
  const lines: string[] = [];
  lines.push(`Real-GPU benchmark on ${gpuName} (WebGPU through Dawn for Node, Vulkan); every figure below is on this GPU`);
  const features = models[0]?.gpu_features ?? parityResult?.gpu_features;
  if (features) lines.push(`GPU features: ${features}${parityResult ? `; parity checked the ${parityResult.reductions.join(' and the ')} reductions` : ''}`);
  if (parityResult) {
    lines.push(`parity vs the CPU engine (${parityResult.model} geometry, ${parityResult.layers} layer(s), ${parityResult.prompt.length}-token prompt + ${parityResult.steps} greedy steps): ` +
      parityResult.rows.map((r) => `${r.check} (${r.reduction}) ${r.worst_dlogprob.toExponential(1)} ${r.ok ? 'ok' : 'FAILED'}`).join(', ') +
      `; W8A8 linears on equal inputs ${Math.max(...parityResult.linears.map((l) => l.worst_rel)).toExponential(1)} of max |y| ${parityResult.linears.every((l) => l.ok) ? 'ok' : 'FAILED'}`);
  }
  const short = gpuName.replace(/\s*\(.*\)$/, '');
  const head = ['gpu', 'model', 'precision', 'GB/token', 'prefill tok/s', 'decode tok/s', 'GPU-time tok/s', 'weight GB/s', 'of copy', 'matmuls of copy', 'FP8/BF16', 'bytes ratio', 'parity'];
  const rows: string[][] = [];
  for (const m of models) {
    for (const r of m.results) {
      rows.push([short, `${m.geometry.toUpperCase()} ${m.layers}/${m.full_layers}L`, r.precision, fmt(gb(r.bytes_per_token), 3), sig(r.prefill_tok_s), sig(r.decode_tok_s),
        sig(r.decode_gpu_tok_s), sig(r.decode_weight_gb_s), pct(r.decode_share_of_copy), pct(r.matmuls_decode_all?.share_of_copy),
        r.fp8_over_bf16_decode === null ? '-' : `${r.fp8_over_bf16_decode.toFixed(2)}x`, r.fp8_over_bf16_bytes === null ? '-' : `${r.fp8_over_bf16_bytes.toFixed(2)}x`,
        r.parity_ok === null ? '-' : r.parity_ok ? 'ok' : 'FAILED']);
    }
  }
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  lines.push(line(head), ...rows.map(line));
  for (const m of models) {
    lines.push(`${m.geometry.toUpperCase()} ${m.layers}/${m.full_layers}L on ${gpuName}: copy kernel ${sig(m.copy.gb_s)} GB/s (read + write; ${m.copy.method}), ` +
      `checkpoint ${gb(m.checkpoint.bytes).toFixed(2)} GB${m.checkpoint.generate_s === null ? ' (cached)' : ` generated in ${m.checkpoint.generate_s.toFixed(0)} s`}, load ${m.load_s.toFixed(0)} s` +
      (m.note ? `; ${m.note}` : ''));
    const kinds = MATMULS.filter((k) => m.results.some((r) => r.matmuls_decode?.[k]));
    if (kinds.length) {
      lines.push(`  decode matmuls on ${short}, weight bytes / GPU time (timestamps) as a share of copy; prefill matmuls' TFLOP/s:`);
      lines.push(`  ${'precision'.padEnd(10)} ${kinds.map((k) => k.padStart(5)).join(' ')}   all  prefill TFLOP/s`);
      for (const r of m.results) {
        lines.push(`  ${r.precision.padEnd(10)} ${kinds.map((k) => pct(r.matmuls_decode?.[k]?.share_of_copy).padStart(5)).join(' ')} ${pct(r.matmuls_decode_all?.share_of_copy).padStart(5)}  ${sig(r.matmuls_prefill_tflops).padStart(15)}`);
      }
    }
  }
  return lines.join('\n');
}

export function targets(models: ModelResult[]) {
  const rows = models.flatMap((m) => m.results.map((r) => ({ ...r, geometry: m.geometry })));
  const fp8 = rows.filter((r) => r.precision === 'fp8-all' && r.fp8_over_bf16_decode !== null);
  const best = (xs: (number | null)[]) => xs.reduce<number | null>((b, x) => (x === null || !Number.isFinite(x) ? b : b === null ? x : Math.max(b, x)), null);
  const ratio = best(fp8.map((r) => r.fp8_over_bf16_decode));
  const share = best(rows.map((r) => r.matmuls_decode_all?.share_of_copy ?? null));
  return {
    fp8_decode_over_bf16: { want: TARGETS.fp8OverBf16Decode, have: ratio, met: ratio === null ? null : ratio >= TARGETS.fp8OverBf16Decode, of: 'fp8-all vs bf16 decode tok/s (wall), best model' },
    decode_matmuls_share_of_copy: { want: TARGETS.matmulShareOfCopy, have: share, met: share === null ? null : share >= TARGETS.matmulShareOfCopy, of: 'all decode matmuls, weight bytes / GPU time / copy bandwidth, best row' },
  };
}
