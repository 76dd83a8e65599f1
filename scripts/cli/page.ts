// The page the CLI drives in headless Chromium: loads the model into a WebGPU engine and runs one op.
import { Engine, oneLine } from '../../workers/engine.ts';
import type { EngineEvent, EngineFailure, GenerateRequest, GenerateResult, ModelSource } from '../../workers/api.ts';
import { failureOf } from '../../workers/errors.ts';
import { benchOp, evalOp, generateOp, type BenchArgs, type GenerateArgs } from './ops.ts';
import { createCopyBench } from '../../workers/gpu/linear-bench.ts';
import { createGpuContext } from '../../workers/gpu/context.ts';
import type { PageRun } from './browser.ts';

async function run(op: string, args: unknown, r: PageRun): Promise<unknown> {
  const engine = new Engine({ engine: 'webgpu', baseUrl: `${location.origin}/`, bindingLimit: r.bindingLimit });
  const source: ModelSource = { kind: 'url', url: r.url }; // read by range from the CLI's local server
  const t0 = performance.now();
  await engine.load(source, undefined, r.load);
  const loadMs = performance.now() - t0;
  switch (op) {
    case 'generate': return generateOp(engine, args as GenerateArgs);
    case 'eval': { const a = args as { text: string; precision: string }; return evalOp(engine, a.text, a.precision); }
    case 'bench': return benchOp(engine, args as BenchArgs, loadMs, async () => {
      const ctx = await createGpuContext();
      const bench = await createCopyBench(ctx, 64 << 20);
      try { return await bench.measure(); } finally { bench.destroy(); ctx.device.destroy(); }
    });
    default: throw new Error(`unknown op ${op}`);
  }
}

(window as unknown as { __cli: unknown }).__cli = (op: string, args: unknown, r: PageRun) =>
  run(op, args, r).then((value) => ({ ok: true, value }), (e) => ({ ok: false, error: oneLine(e) }));

// `cli serve --engine webgpu` (scripts/serve/browser-engine.ts): one engine kept for the server's life. Events and
// results go back through functions the server exposed on the page, in the order they happen.
interface ServeWindow {
  __serveLoad: (r: PageRun) => Promise<{ name: string; context: number; kind: string; precision: string; adapter: string | null }>;
  __serveGenerate: (id: number, request: GenerateRequest) => void;
  __serveStop: () => void;
  __serveEvents: (id: number, events: EngineEvent[]) => Promise<void>;
  __serveResult: (id: number, r: { ok: true; value: GenerateResult } | { ok: false; error: EngineFailure }) => Promise<void>;
}
const sw = window as unknown as ServeWindow;
let served: Engine | null = null;
sw.__serveLoad = async (r) => {
  served = new Engine({ engine: 'webgpu', baseUrl: `${location.origin}/`, bindingLimit: r.bindingLimit });
  const info = await served.load({ kind: 'url', url: r.url }, undefined, r.load);
  return { name: info.name, context: info.context, kind: info.engine, precision: info.precision.preset, adapter: info.adapter };
};
sw.__serveGenerate = (id, request) => {
  served!.generate(request, (events) => { void sw.__serveEvents(id, events); }).then(
    (value) => sw.__serveResult(id, { ok: true, value }),
    (e) => sw.__serveResult(id, { ok: false, error: failureOf(e) }),
  );
};
sw.__serveStop = () => served?.stop();
