// `cli serve --engine webgpu`: the WebGPU engine in headless Chromium (scripts/cli/browser.ts, SwiftShader where
// there is no GPU), kept loaded for the server's life. Requests reach the page by evaluate(); its events and results
// come back through exposed functions, in order. The tokenizer (for logprobs' text) is read here from the model's
// headers, no weights.
import type { EngineEvent, GenerateRequest, GenerateResult, EngineFailure, LoadOptions } from '../../workers/api.ts';
import { EngineError } from '../../workers/errors.ts';
import { loadHeaders, modelFiles } from '../cli/files.ts';
import { openEnginePage, type PageRun } from '../cli/browser.ts';
import type { ServedEngine } from './engine.ts';

type Outcome = { ok: true; value: GenerateResult } | { ok: false; error: EngineFailure };
interface Pending { onEvents: (events: EngineEvent[]) => void; done: (r: Outcome) => void }

export async function servedBrowserEngine(model: string | undefined, load: LoadOptions, bindingLimit?: number): Promise<ServedEngine & { precision: string; close(): Promise<void> }> {
  const headers = await loadHeaders(model);
  const { page, modelUrl, close } = await openEnginePage(await modelFiles(model), { ownSignals: true });
  try {
    const pending = new Map<number, Pending>();
    await page.exposeFunction('__serveEvents', (id: number, events: EngineEvent[]) => pending.get(id)?.onEvents(events));
    await page.exposeFunction('__serveResult', (id: number, r: Outcome) => { pending.get(id)?.done(r); pending.delete(id); });
    const run: PageRun = { url: modelUrl, load, bindingLimit };
    type W = { __serveLoad: (r: PageRun) => Promise<{ name: string; context: number; kind: string; precision: string }> };
    const info = await page.evaluate((r) => (window as unknown as W).__serveLoad(r), run);
    let nextId = 0;
    return {
      modelId: info.name, context: info.context, kind: info.kind, precision: info.precision, close,
      tokenText: (id) => headers.tokenizer.decode([id]),
      stop: () => { void page.evaluate(() => (window as unknown as { __serveStop: () => void }).__serveStop()).catch(() => undefined); },
      generate: (request: GenerateRequest, onEvents) => new Promise<GenerateResult>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { onEvents, done: (r) => (r.ok ? resolve(r.value) : reject(new EngineError(r.error.code, r.error.message, r.error.detail))) });
        page.evaluate(([id, request]) => (window as unknown as { __serveGenerate: (i: number, q: unknown) => void }).__serveGenerate(id, request), [id, request] as const)
          .catch((e: unknown) => { pending.delete(id); reject(e); });
      }),
    };
  } catch (e) {
    await close();
    throw e;
  }
}
