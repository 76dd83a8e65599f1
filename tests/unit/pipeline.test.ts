// Pipeline stages on the real stories260K (5 layers), CPU stages in-process: whatever the cut (p = 1..5) and the
// number of micro-batches (m = 1..3), every sequence gets bit for bit the logits and tokens the single-engine
// generate loop gives it; and the engine's runPipeline as the UI calls it.
import { describe, expect, test } from 'vitest';
import { parseGguf } from '../../workers/loader/gguf.ts';
import { CpuForward } from '../../workers/reference/forward.ts';
import { presetMap } from '../../workers/quant/precision.ts';
import { emptyCache, runLoop } from '../../workers/model/generate.ts';
import type { Forward } from '../../workers/model/forward.ts';
import type { SamplingParams } from '../../workers/model/sampler.ts';
import type { PrecisionMap } from '../../workers/quant/types.ts';
import type { LoadedModel } from '../../workers/loader/types.ts';
import { Stage } from '../../workers/pipeline/stage.ts';
import { sliceWeights, splitLayers } from '../../workers/pipeline/split.ts';
import { runPipelined } from '../../workers/pipeline/coordinator.ts';
import { Engine } from '../../workers/engine.ts';
import type { PipelineEvent } from '../../workers/api.ts';
import { readShared, STORIES, type Golden } from './shared.ts';

const bytes = readShared(STORIES);
const golden = JSON.parse(readShared('golden/stories260K/greedy.json')?.toString() ?? '[]') as Golden[];

/** The bits of a float array, so -0 vs 0 or two NaNs are told apart. */
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

async function stages(model: LoadedModel, map: PrecisionMap, p: number, slots: number, maxSeq: number): Promise<Stage[]> {
  return Promise.all(splitLayers(model.config.nLayers, p).map(async ([l0, l1]) => {
    const s = new Stage();
    // copied as for a worker, so the stage holds only its own layers
    const { weights } = sliceWeights(model.config, model.weights, l0, l1, true);
    await s.load({ config: model.config, weights, precision: map, maxSeq, slots, engine: 'cpu' });
    return s;
  }));
}

/** The single-engine reference: generate's token loop on the whole model, and the logits each sample saw. */
async function reference(model: LoadedModel, map: PrecisionMap, prompt: number[], maxTokens: number, sampling: SamplingParams, seed: number) {
  const f = await CpuForward.create(model.config, model.weights, map, 512);
  const seen: Float32Array[] = [];
  const recording = Object.assign(Object.create(f) as Forward, {
    forward: async (t: number[], pos0: number, all?: boolean) => { const l = await f.forward(t, pos0, all); seen.push(l); return l; },
  });
  const r = await runLoop(recording, model.tokenizer, { promptTokens: prompt, maxTokens, sampling, seed, stop: [], topLogprobs: null },
    emptyCache(), () => {}, () => false);
  const chunks = Math.ceil(prompt.length / 128); // only the last prefill chunk's logits are sampled
  return { tokens: r.tokens, logits: seen.slice(chunks - 1) };
}

const model = bytes ? await parseGguf(bytes) : null!;

describe.runIf(bytes)('pipeline stages on stories260K (CPU, in-process)', () => {
  const map = presetMap(model.config.nLayers, 'f32');
  const long = Array.from({ length: 140 }, (_, i) => golden[i % golden.length].greedy_continuation[i % 20]);
  const prompts = [golden[0].prompt_tokens, [1, ...long], golden[1 % golden.length].prompt_tokens];
  const maxTokens = 10;

  for (const sampling of [{ temperature: 0, topK: 0, topP: 1 }, { temperature: 0.9, topK: 40, topP: 0.9 }]) {
    const what = sampling.temperature === 0 ? 'greedy' : 'seeded sampling';
    test(`${what}: identical tokens and logits for p = 1..5 stages and m = 1..3 micro-batches`, async () => {
      const want = await Promise.all(prompts.map((t, j) => reference(model, map, t, maxTokens, sampling, 7 + j)));
      for (let p = 1; p <= model.config.nLayers; p++) {
        const pipeline = await stages(model, map, p, 3, 256);
        for (let m = 1; m <= 3; m++) {
          const got = prompts.slice(0, m).map(() => [] as Float32Array[]);
          const r = await runPipelined(pipeline, { prompts: prompts.slice(0, m), maxTokens, sampling, seed: 7, eosIds: model.tokenizer.eosIds },
            { onLogits: (j, i, logits) => { got[j][i] = logits; } });
          for (let j = 0; j < m; j++) {
            expect(r.sequences[j].tokens, `p=${p} m=${m} sequence ${j}`).toEqual(want[j].tokens);
            expect(got[j].map(bits), `p=${p} m=${m} sequence ${j} logits`).toEqual(want[j].logits.map(bits));
          }
          // every forward crosses every stage in order; a stage runs one thing at a time
          const forwards = r.sequences.reduce((a, s, j) => a + Math.ceil(prompts[j].length / 128) + Math.max(0, s.tokens.length - 1), 0);
          expect(r.timeline).toHaveLength(forwards * p);
          for (let s = 0; s < p; s++) {
            const spans = r.timeline.filter((x) => x.stage === s);
            for (let i = 1; i < spans.length; i++) expect(spans[i].start).toBeGreaterThanOrEqual(spans[i - 1].end);
          }
        }
        for (const s of pipeline) s.dispose();
      }
    });
  }

  test('under the Llama 3 FP8 recipe (first and last layers kept in BF16) every cut still gives the same logits', async () => {
    const fp8 = presetMap(model.config.nLayers, 'fp8-llama3');
    const greedy = { temperature: 0, topK: 0, topP: 1 };
    const want = await Promise.all(prompts.slice(0, 2).map((t) => reference(model, fp8, t, 6, greedy, 0)));
    for (let p = 1; p <= model.config.nLayers; p++) {
      const got = [[], []] as Float32Array[][];
      const r = await runPipelined(await stages(model, fp8, p, 2, 256), { prompts: prompts.slice(0, 2), maxTokens: 6, sampling: greedy, seed: 0, eosIds: model.tokenizer.eosIds },
        { onLogits: (j, i, logits) => { got[j][i] = logits; } });
      expect(r.sequences.map((q) => q.tokens), `p=${p}`).toEqual(want.map((w) => w.tokens));
      expect(got.map((g) => g.map(bits)), `p=${p}`).toEqual(want.map((w) => w.logits.map(bits)));
    }
  });

  test('a stage takes x, not tokens, after the first; and only its own slots', async () => {
    const [first, second] = await stages(model, map, 2, 1, 64);
    await expect(second.run(0, [1, 2], 0)).rejects.toThrow(/residual stream/);
    await expect(first.run(1, [1, 2], 0)).rejects.toThrow(/slot 1/);
    const x = await first.run(0, [1, 2], 0);
    expect(x.out).toHaveLength(2 * model.config.dim);
    expect(x.end).toBeGreaterThanOrEqual(x.start);
    expect((await second.run(0, x.out, 0)).out).toHaveLength(model.config.vocabSize);
  });
});

describe.runIf(bytes)('runPipeline on the engine (CPU, in-process stages)', () => {
  async function engine(): Promise<Engine> {
    const e = new Engine({ engine: 'cpu', baseUrl: 'http://localhost/' });
    await e.load({ kind: 'file', name: 'stories260K.gguf', bytes: bytes!.buffer.slice(bytes!.byteOffset, bytes!.byteOffset + bytes!.byteLength) as ArrayBuffer });
    return e;
  }
  const prompts = ['Once upon a time', 'Lily went to the park', 'Tom had a big red ball'];

  test('texts match generate for every cut; the summary and timeline describe the run', async () => {
    const e = await engine();
    const single = await Promise.all(prompts.map((prompt) => e.generate({ prompt, temperature: 0, max_tokens: 16 })));
    for (const stages of [1, 3, 5]) {
      const events: PipelineEvent[] = [];
      const r = await e.runPipeline({ prompts, stages, max_tokens: 16 }, (ev) => events.push(...ev));
      expect(r.sequences.map((s) => s.tokens)).toEqual(single.map((s) => s.tokens));
      expect(r.sequences.map((s) => s.text)).toEqual(single.map((s) => s.text));
      const s = r.summary;
      expect(s.layers).toEqual(splitLayers(5, stages));
      expect(s.engine).toBe('cpu');
      expect(s.timing).toBe('host');
      expect(s.bubblePredicted).toBeCloseTo((stages - 1) / (3 + stages - 1));
      expect(s.busyMs).toHaveLength(stages);
      expect(s.bubbleMeasured).toBeGreaterThanOrEqual(0);
      expect(s.bubbleMeasured).toBeLessThanOrEqual(1);
      expect(s.totalTokS).toBeGreaterThan(0);
      expect(s.ttftMs).toBeGreaterThan(0);
      expect(s.tpotMs).toBeGreaterThan(0);
      expect(events.filter((x) => x.type === 'span')).toHaveLength(r.timeline.length);
      for (let j = 0; j < 3; j++) {
        const streamed = events.filter((x) => x.type === 'token' && x.microBatch === j).map((x) => (x as { text: string }).text).join('');
        expect(r.sequences[j].text.startsWith(streamed)).toBe(true);
      }
    }
  });

  test('bad requests fail with one line, and the engine keeps working', async () => {
    const e = await engine();
    await expect(e.runPipeline({ prompts: ['a'], stages: 6 })).rejects.toThrow(/1 to 5 stages/);
    await expect(e.runPipeline({ prompts: [], stages: 1 })).rejects.toThrow(/1 to 8 micro-batches/);
    await expect(e.runPipeline({ prompts: Array(9).fill('a'), stages: 1 })).rejects.toThrow(/1 to 8 micro-batches/);
    const r = await e.runPipeline({ prompts: ['Once upon a time'], stages: 2, max_tokens: 4 });
    expect(r.sequences[0].tokens).toHaveLength(4);
  });
});
