// The real-GPU benchmark's flags (parse), what it measures (precisions, matmul kinds), and its stderr log.
import { join, resolve } from 'node:path';
import { GEOMETRIES, type Geometry } from '../../fixtures/llama-checkpoint.ts';
import { num, parseArgs, str } from '../../cli/args.ts';
import type { PresetName } from '../../../workers/quant/types.ts';

export const PRECISIONS = ['bf16', 'fp8-llama3', 'fp8-all'] as const satisfies readonly PresetName[];
export type Precision = (typeof PRECISIONS)[number];
export const MATMULS = ['wq', 'wk', 'wv', 'wo', 'w1', 'w3', 'w2', 'head'] as const;
/** Dawn options: Vulkan, and raw timestamps (Dawn rounds them to 2^16 ns by default, longer than a decode matmul on a GPU). */
const DAWN_DEFAULT = ['backend=vulkan', 'disable-dawn-features=timestamp_quantization'];

export interface Args {
  webgpu: string; dir: string; tokenizerDir?: string; json: string | null; small: boolean;
  models: { geometry: Geometry; layers: number | 'auto' }[];
  parityLayers: number; promptTokens: number; genTokens: number; repeats: number; budgetS: number; copyMiB: number;
  dawn: string[];
}

const t0 = performance.now();
export const elapsed = () => (performance.now() - t0) / 1000;
export const log = (msg: string) => process.stderr.write(`[${elapsed().toFixed(1).padStart(6)} s] ${msg}\n`);
export const gb = (bytes: number) => bytes / 1e9;

export function parse(argv: string[]): Args {
  const f = parseArgs(argv, {
    webgpu: 'string', dir: 'string', tokenizer: 'string', json: 'string', small: 'bool', models: 'string',
    'parity-layers': 'string', 'prompt-tokens': 'string', 'gen-tokens': 'string', repeats: 'string', 'budget-s': 'string',
    'copy-mib': 'string', dawn: 'string',
  });
  const small = f.small === true;
  const models = (str(f, 'models') ?? (small ? '1b:1,8b:1' : '1b:16,8b:auto')).split(',').map((m) => {
    const [g, l = 'auto'] = m.trim().split(':');
    if (!(g in GEOMETRIES)) throw new Error(`--models: unknown geometry "${g}" in "${m}": use 1b or 8b, e.g. 1b:16,8b:auto`);
    const layers: number | 'auto' = l === 'auto' ? 'auto' : Number(l);
    if (layers !== 'auto' && !(Number.isInteger(layers) && layers >= 1 && layers <= 64)) throw new Error(`--models: bad layer count in "${m}"`);
    return { geometry: g as Geometry, layers };
  });
  const out = process.env.OUT;
  return {
    webgpu: resolve(str(f, 'webgpu') ?? process.env.GPU_BENCH_WEBGPU ?? '.gpu-bench/webgpu/index.js'),
    dir: resolve(str(f, 'dir') ?? '.cache/gpu-bench'),
    tokenizerDir: str(f, 'tokenizer'),
    json: str(f, 'json') ?? (out ? join(out, 'gpu-bench.json') : null),
    small,
    models,
    parityLayers: num(f, 'parity-layers', small ? 1 : 3, { int: true, min: 0, max: 16 }),
    promptTokens: num(f, 'prompt-tokens', small ? 8 : 128, { int: true, min: 2, max: 1024 }),
    genTokens: num(f, 'gen-tokens', small ? 2 : 64, { int: true, min: 1, max: 1024 }),
    repeats: num(f, 'repeats', small ? 1 : 3, { int: true, min: 1, max: 20 }),
    budgetS: num(f, 'budget-s', 480, { min: 30 }),
    copyMiB: num(f, 'copy-mib', small ? 16 : 256, { int: true, min: 1, max: 4096 }),
    dawn: [...DAWN_DEFAULT, ...(str(f, 'dawn') ?? process.env.GPU_BENCH_DAWN ?? '').split(/\s+/).filter(Boolean)],
  };
}
