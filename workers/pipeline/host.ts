// The engine's side of pipeline-parallel inference: cut the loaded model into stages, spawn one stage per cut
// (weights copied once and transferred), keep them while the model, precision and cut stay the same, then run
// the prompts as micro-batches through the coordinator and sum up what was measured (bubble, Fig. 24 figures).
import type { EngineKind, PipelineEvent, PipelineRequest, PipelineResult, PipelineSequence } from '../api.ts';
import type { LoadedModel } from '../loader/types.ts';
import type { PrecisionMap } from '../quant/types.ts';
import { TokenTextStream } from '../tokenizer/stream.ts';
import { decodeBubble, measureBubble, predictedBubble, throughput } from './bubble.ts';
import { runPipelined } from './coordinator.ts';
import { defaultSpawner, type SpawnedStage } from '../spawn.ts';
import { maxStages, sliceWeights, splitLayers } from './split.ts';
import type { StageInfo } from './stage.ts';

/** Most micro-batches in flight; every stage keeps a KV-cache slot for each. */
export const MAX_MICRO_BATCHES = 8;
const SEQ_STEP = 256; // stages' KV caches grow in steps of this many positions

interface Built {
  model: LoadedModel;
  precision: PrecisionMap;
  engine: EngineKind;
  layers: [number, number][];
  maxSeq: number;
  stages: SpawnedStage[];
  infos: StageInfo[];
}

export class PipelineHost {
  private built: Built | null = null;

  constructor(private readonly spawn: (index: number) => SpawnedStage = defaultSpawner()) {}

  /**
   * Runs the request's prompts through `stages` stages. `limit` is the longest sequence the engine allows;
   * `engine` is where the stages should run ('webgpu' falls back to the CPU per stage, with a notice).
   */
  async run(model: LoadedModel, precision: PrecisionMap, engine: EngineKind, limit: number, req: PipelineRequest,
    onEvents: ((events: PipelineEvent[]) => void) | undefined, aborted: () => boolean): Promise<PipelineResult> {
    const c = model.config, tok = model.tokenizer;
    const m = req.prompts.length, p = req.stages;
    if (!(Number.isInteger(m) && m >= 1 && m <= MAX_MICRO_BATCHES)) throw new Error(`${m} prompts: a pipeline run takes 1 to ${MAX_MICRO_BATCHES} micro-batches`);
    if (!(Number.isInteger(p) && p >= 1 && p <= maxStages(c.nLayers))) throw new Error(`${p} stages: this model's ${c.nLayers} layers split into 1 to ${maxStages(c.nLayers)} stages`);
    const prompts = req.prompts.map((text) => tok.encode(text, { bos: true }));
    if (prompts.some((t) => t.length === 0)) throw new Error('a prompt is empty: type something, or load a model whose tokenizer adds BOS');
    const longest = Math.max(...prompts.map((t) => t.length));
    if (longest + 1 > limit) throw new Error(`a prompt is ${longest} tokens; this model's context holds ${limit}: shorten it`);
    const maxTokens = Math.max(1, Math.min(req.max_tokens ?? 32, limit - longest));

    const t0 = performance.now();
    const built = await this.build(model, precision, engine, p, Math.min(limit, Math.ceil((longest + maxTokens) / SEQ_STEP) * SEQ_STEP));
    const setupMs = performance.now() - t0;

    const batch = new Batcher(onEvents);
    const emit = (e: PipelineEvent) => batch.push(e);
    emit({ type: 'start', layers: built.layers, setupMs });
    const decoders = prompts.map((t) => { const d = new TokenTextStream(tok); d.reset(t[t.length - 1]); return d; });
    const texts = prompts.map(() => '');
    let r;
    try {
      r = await runPipelined(built.stages, {
        prompts,
        maxTokens,
        sampling: { temperature: req.temperature ?? 0, topK: req.top_k ?? 0, topP: req.top_p ?? 1 },
        seed: req.seed ?? 0,
        eosIds: tok.eosIds,
      }, {
        onSpan: (span) => emit({ type: 'span', span }),
        onToken: (j, id) => {
          const text = decoders[j].push(id);
          texts[j] += text;
          emit({ type: 'token', microBatch: j, id, text });
        },
        aborted,
      });
    } catch (e) {
      this.dispose(); // a stage may be broken (a lost device): the next run starts fresh ones
      throw e;
    } finally {
      batch.flush();
    }

    const sequences: PipelineSequence[] = r.sequences.map((s, j) => ({
      prompt: req.prompts[j],
      promptTokens: prompts[j],
      tokens: s.tokens,
      text: texts[j] + decoders[j].flush(),
      finish: s.finish,
      ttftMs: s.firstTokenMs,
      tpotMs: s.tokens.length >= 2 ? (s.lastTokenMs! - s.firstTokenMs!) / (s.tokens.length - 1) : null,
    }));
    const { makespanMs, busyMs, bubble } = measureBubble(r.timeline, p);
    const rates = throughput(r.sequences.map((s, j) => ({ ...s, promptTokens: prompts[j].length, tokens: s.tokens.length })), r.wallMs);
    return {
      sequences,
      timeline: r.timeline,
      summary: {
        stages: p,
        microBatches: m,
        layers: built.layers,
        engine: built.infos.every((i) => i.engine === 'webgpu') ? 'webgpu' : 'cpu',
        timing: built.infos.every((i) => i.gpuTimestamps) ? 'gpu' : 'host',
        setupMs,
        wallMs: r.wallMs,
        makespanMs,
        busyMs,
        bubbleMeasured: bubble,
        bubblePredicted: predictedBubble(p, m),
        bubbleDecode: decodeBubble(p, m),
        ...rates,
        notice: built.infos.find((i) => i.notice)?.notice ?? null,
      },
    };
  }

  /** The stages for this cut, reused while model, precision, engine and cut are the same and the caches are long enough. */
  private async build(model: LoadedModel, precision: PrecisionMap, engine: EngineKind, p: number, maxSeq: number): Promise<Built> {
    const b = this.built;
    if (b && b.model === model && b.precision === precision && b.engine === engine && b.stages.length === p && b.maxSeq >= maxSeq) return b;
    this.dispose();
    const c = model.config, layers = splitLayers(c.nLayers, p);
    const stages = layers.map((_, s) => this.spawn(s));
    try {
      const infos = await Promise.all(stages.map((stage, s) => {
        const { weights, buffers } = sliceWeights(c, model.weights, layers[s][0], layers[s][1], stage.ownsWeights);
        return stage.load({ config: c, weights, precision, maxSeq, slots: MAX_MICRO_BATCHES, engine }, buffers);
      }));
      this.built = { model, precision, engine, layers, maxSeq, stages, infos };
      return this.built;
    } catch (e) {
      for (const s of stages) s.dispose();
      throw e;
    }
  }

  dispose(): void {
    for (const s of this.built?.stages ?? []) s.dispose();
    this.built = null;
  }
}

/** Events to the UI about once per animation frame (16 ms), as the engine's EventBatcher does for generate. */
class Batcher<T> {
  private pending: T[] = [];
  private last = 0;
  constructor(private readonly sink?: (events: T[]) => void) {}
  push(e: T): void {
    if (!this.sink) return;
    this.pending.push(e);
    if (performance.now() - this.last >= 16) this.flush();
  }
  flush(): void {
    if (!this.sink || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.last = performance.now();
    this.sink(batch);
  }
}
