// The page the CLI drives in headless Chromium: loads the model into a WebGPU engine and runs one op.
import { Engine, oneLine } from '../../workers/engine.ts';
import type { ModelSource } from '../../workers/api.ts';
import { benchOp, evalOp, generateOp, type BenchArgs, type GenerateArgs } from './ops.ts';
import { createCopyBench } from '../../workers/gpu/linear-bench.ts';
import { createGpuContext } from '../../workers/gpu/context.ts';

type Source = { kind: 'url'; url: string } | { kind: 'files'; names: string[] };

async function run(op: string, args: unknown, src: Source): Promise<unknown> {
  const engine = new Engine({ engine: 'webgpu', baseUrl: `${location.origin}/` });
  let source: ModelSource;
  if (src.kind === 'url') source = { kind: 'url', url: src.url };
  else {
    const files = await Promise.all(src.names.map(async (name) => {
      const r = await fetch(`/__cli_model__/${encodeURIComponent(name)}`);
      if (!r.ok) throw new Error(`could not read ${name}`);
      return { name, bytes: await r.arrayBuffer() };
    }));
    source = { kind: 'files', files };
  }
  await engine.load(source);
  switch (op) {
    case 'generate': return generateOp(engine, args as GenerateArgs);
    case 'eval': { const a = args as { text: string; precision: string }; return evalOp(engine, a.text, a.precision); }
    case 'bench': return benchOp(engine, args as BenchArgs, async () => {
      const ctx = await createGpuContext();
      const bench = await createCopyBench(ctx, 64 << 20);
      try { return await bench.measure(); } finally { bench.destroy(); ctx.device.destroy(); }
    });
    default: throw new Error(`unknown op ${op}`);
  }
}

(window as unknown as { __cli: unknown }).__cli = (op: string, args: unknown, src: Source) =>
  run(op, args, src).then((value) => ({ ok: true, value }), (e) => ({ ok: false, error: oneLine(e) }));
