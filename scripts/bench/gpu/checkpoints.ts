// The generated checkpoints: written shard by shard in worker threads (the bundle is its own worker script), opened
// as the engine loads them, and the bytes and predicted seconds that size the 8B cut to the time budget.
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort, Worker } from 'node:worker_threads';
import {
  checkpointPlan, DEFAULT_SEED, finishCheckpoint, GEOMETRIES, readStamp, writeShard,
  type Geometry, type ShardStamp, type TensorSpec,
} from '../../fixtures/llama-checkpoint.ts';
import { fileSource } from '../../cli/node-source.ts';
import { loadModel } from '../../../workers/loader/index.ts';
import type { LoadedModel } from '../../../workers/loader/types.ts';
import { gb, log, type Args } from './args.ts';

export interface ShardJob { kind: 'gpu-bench-shard'; path: string; specs: TensorSpec[]; layers: number; seed: number }

/** Worker thread: writes one shard (the bundle is its own worker script). */
export function shardWorker(job: ShardJob): void {
  parentPort!.postMessage(writeShard(job.path, job.specs, job.layers, job.seed));
}

/** Threads only from the bundle (a .mjs file runs as a worker as it is; a .ts one would need tsx's loader). */
export const canThread = () => fileURLToPath(import.meta.url).endsWith('.mjs');

function writeShardInWorker(job: ShardJob): Promise<ShardStamp> {
  return new Promise((ok, fail) => {
    const w = new Worker(fileURLToPath(import.meta.url), { workerData: job });
    w.once('message', ok);
    w.once('error', fail);
    w.once('exit', (code) => { if (code !== 0) fail(new Error(`shard writer for ${job.path} exited with ${code}`)); });
  });
}

/** The checkpoint's folder under a.dir, generated (shards in parallel threads) unless its stamp matches. */
export async function ensureModel(a: Args, geometry: Geometry, layers: number): Promise<{ dir: string; generateS: number | null; bytes: number; threads: number }> {
  const dir = join(a.dir, `${GEOMETRIES[geometry].folder}-${layers}l`);
  const plan = checkpointPlan(layers, geometry);
  const bytes = plan.reduce((t, p) => t + p.specs.reduce((s, x) => s + x.shape.reduce((u, v) => u * v, 2), 0), 0);
  if (readStamp(dir, layers, DEFAULT_SEED, geometry)) return { dir, generateS: null, bytes, threads: 0 };
  const s0 = performance.now();
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const threads = canThread() ? Math.min(plan.length, cpus().length) : 1;
  log(`generating ${GEOMETRIES[geometry].model} geometry, ${layers} layers (${gb(bytes).toFixed(2)} GB, ${plan.length} shards, ${threads} thread${threads > 1 ? 's' : ''}) in ${dir}`);
  const shards: Record<string, ShardStamp> = {};
  if (threads > 1) {
    const stamps = await Promise.all(plan.map((p) => writeShardInWorker({ kind: 'gpu-bench-shard', path: join(tmp, p.file), specs: p.specs, layers, seed: DEFAULT_SEED })));
    plan.forEach((p, i) => { shards[p.file] = stamps[i]; });
  } else {
    for (const p of plan) shards[p.file] = writeShard(join(tmp, p.file), p.specs, layers, DEFAULT_SEED);
  }
  finishCheckpoint(tmp, layers, DEFAULT_SEED, shards, { geometry, tokenizerDir: a.tokenizerDir });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  const generateS = (performance.now() - s0) / 1000;
  log(`  wrote ${gb(bytes).toFixed(2)} GB in ${generateS.toFixed(1)} s (${(gb(bytes) / generateS).toFixed(2)} GB/s)`);
  return { dir, generateS, bytes, threads };
}

export async function openModel(dir: string): Promise<LoadedModel> {
  const name = dir.split('/').pop()!;
  return loadModel(readdirSync(dir).map((f) => ({ name: `${name}/${f}`, source: fileSource(join(dir, f)) })));
}

// ---------------------------------------------------------------- planning the 8B cut

export interface Rates { genSPerGB: number; bf16SPerGB: number; fp8SPerGB: number; measureS: number }

/** Bytes of the matrices each precision re-packs as FP8, for a geometry and layer count (BF16 bytes read). */
export function planBytes(geometry: Geometry, layers: number) {
  const g = GEOMETRIES[geometry], d = g.dim, q = g.nHeads * g.headDim, kv = g.nKvHeads * g.headDim;
  const attn = 2 * (2 * d * q + 2 * d * kv), ffn = 2 * 3 * d * g.hiddenDim;
  const plan = checkpointPlan(layers, geometry);
  const shardBytes = plan.map((p) => p.specs.reduce((s, x) => s + x.shape.reduce((u, v) => u * v, 2), 0));
  return {
    total: shardBytes.reduce((a, b) => a + b, 0), maxShard: Math.max(...shardBytes), shards: plan.length,
    fp8Llama3: Math.max(0, layers - 2) * ffn, fp8All: layers * attn + Math.min(layers, 2) * ffn,
  };
}

/** Predicted seconds for a model of `layers` layers, from the rates the previous model ran at. */
export function predictS(r: Rates, geometry: Geometry, layers: number, threads: number): number {
  const b = planBytes(geometry, layers);
  const gen = r.genSPerGB * gb(threads > 1 ? b.maxShard : b.total);
  return gen + r.bf16SPerGB * gb(b.total) + r.fp8SPerGB * gb(b.fp8Llama3 + b.fp8All) + r.measureS * (gb(b.total) / 2.5 + 1);
}
