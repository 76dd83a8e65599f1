// The trace on the CPU engine against independent computations, on the default model and on stories260K (when
// ../shared is present): attention rows are probability rows, causal, equal to softmax(q·k/√d) recomputed from the
// q and K cache of the run, and are the weights attention() multiplies V by; the last layer's logit lens is the
// model's logits bit for bit; residual norms are ||x||; the FFN's act is silu(gate) * up of w1 and w3 recomputed.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { Engine } from '../../workers/engine.ts';
import { parseGguf } from '../../workers/loader/gguf.ts';
import type { LoadedModel } from '../../workers/loader/types.ts';
import { kvDim, qDim } from '../../workers/model/config.ts';
import { lastLayerNeeded, planTrace, topTokens, type TracePlan } from '../../workers/model/trace.ts';
import { CpuForward, type ForwardProbe } from '../../workers/reference/forward.ts';
import { loadCpuLinear } from '../../workers/reference/linear.ts';
import { rmsnorm } from '../../workers/reference/ops.ts';
import { traceCpu } from '../../workers/reference/trace.ts';
import { presetMap } from '../../workers/quant/precision.ts';
import { DEFAULT_MODEL, storedPreset } from '../../workers/engine.ts';
import { defaultModelDir, loadDefault } from './default-model.ts';
import { readShared, STORIES } from './shared.ts';

const TEXT = 'Once upon a time, a little cat sat on the warm mat and looked at the sun.';
const stories = readShared(STORIES);
const MODELS: { name: string; load: () => Promise<LoadedModel> }[] = [
  { name: DEFAULT_MODEL, load: loadDefault },
  ...(stories ? [{ name: 'stories260K', load: () => parseGguf(stories) }] : []),
];
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const silu = (g: number) => g / (1 + Math.exp(-g));

describe.each(MODELS)('the trace on the CPU engine: $name', async ({ load }) => {
  const model = await load();
  const c = model.config, n0 = model.tokenizer.encode(TEXT, { bos: true }).length;
  const map = presetMap(c.nLayers, storedPreset(model));
  const forward = await CpuForward.create(c, model.weights, map, 128);
  const plan = (r: Parameters<typeof planTrace>[0]) => planTrace({ text: TEXT, ...r }, model.tokenizer, c, forward.maxSeq);
  /** One plain run of the text with a probe, as the tests' independent view of the buffers. */
  const probed = (probe: ForwardProbe) => forward.run(0, plan({}).tokens, 0, false, probe);

  test('attention rows sum to 1, are causal, equal softmax(q·k/√d) and are what attention() multiplies V by', () => {
    const n = n0, hd = c.headDim, group = c.nHeads / c.nKvHeads, kv = kvDim(c), qd = qDim(c);
    for (let l = 0; l < c.nLayers; l++) {
      let q = new Float32Array(0), k = q, v = q, out = q;
      probed({ attention(layer, q_, k_, v_, out_) { if (layer === l) [q, k, v, out] = [q_.slice(0, n * qd), k_.slice(0, n * kv), v_.slice(0, n * kv), out_.slice(0, n * qd)]; } });
      const probs = traceCpu(forward, plan({ attention: { layer: l } })).attention!;
      expect(probs).toHaveLength(c.nHeads);
      for (let h = 0; h < c.nHeads; h++) {
        const kvo = Math.floor(h / group) * hd;
        for (let i = 0; i < n; i++) {
          const row = probs[h].subarray(i * n, (i + 1) * n);
          expect(Math.abs(row.reduce((s, p) => s + p, 0) - 1)).toBeLessThan(1e-6);
          for (let j = i + 1; j < n; j++) expect(row[j]).toBe(0);
          // independent: scores q·k/sqrt(headDim) in double, softmax over keys 0..i
          const scores = Array.from({ length: i + 1 }, (_, j) => {
            let s = 0;
            for (let d = 0; d < hd; d++) s += q[(i * c.nHeads + h) * hd + d] * k[j * kv + kvo + d];
            return s / Math.sqrt(hd);
          });
          const max = Math.max(...scores), e = scores.map((s) => Math.exp(s - max)), sum = e.reduce((a, b) => a + b, 0);
          for (let j = 0; j <= i; j++) expect(Math.abs(row[j] - e[j] / sum)).toBeLessThan(1e-6);
          // the weights of V: attention's output row is sum_j p_j v_j
          for (let d = 0; d < hd; d++) {
            let o = 0, scale = 0;
            for (let j = 0; j <= i; j++) { o += row[j] * v[j * kv + kvo + d]; scale = Math.max(scale, Math.abs(v[j * kv + kvo + d])); }
            expect(Math.abs(out[(i * c.nHeads + h) * hd + d] - o)).toBeLessThanOrEqual(1e-6 * Math.max(1, scale));
          }
        }
      }
    }
  });

  test('the logit lens of the last layer is the model\'s logits bit for bit, at the last position and another', () => {
    const tokens = plan({}).tokens;
    const last = traceCpu(forward, plan({ logitLens: { topK: 5 }, logits: true }));
    expect(last.lens).toHaveLength(c.nLayers);
    const logits = forward.forwardSync(tokens, 0);
    expect(bits(last.lens!.at(-1)!)).toEqual(bits(logits));
    expect(bits(last.logits!)).toEqual(bits(logits));
    const pos = 3;
    const mid = traceCpu(forward, plan({ logitLens: { topK: 5, position: pos } }));
    expect(bits(mid.lens!.at(-1)!)).toEqual(bits(forward.forwardSync(tokens.slice(0, pos + 1), 0)));
    // an earlier layer's lens differs: it reads another residual stream
    expect(bits(last.lens![0])).not.toEqual(bits(logits));
  });

  test('residual norms are ||x|| after the embedding and after every layer; the embedding row is E[token]', async () => {
    const n = n0, xs: Float32Array[] = [];
    probed({ afterEmbedding: (x) => xs.push(x.slice(0, n * c.dim)), afterLayer: (_l, x) => xs.push(x.slice(0, n * c.dim)) });
    const cap = traceCpu(forward, plan({ residualNorms: true, embedding: { position: 2 } }));
    expect(cap.norms).toHaveLength(c.nLayers + 1);
    cap.norms!.forEach((norms, s) => {
      expect(norms).toHaveLength(n);
      for (let r = 0; r < n; r++) expect(norms[r]).toBe(Math.fround(Math.hypot(...xs[s].subarray(r * c.dim, (r + 1) * c.dim))));
    });
    const E = await loadCpuLinear(model.weights.tokenEmbedding, map.embedding), row = new Float32Array(c.dim);
    E.row(plan({}).tokens[2], row);
    expect(bits(cap.embedding!)).toEqual(bits(row));
  });

  test('the FFN\'s gate and up are w1 and w3 of the normed stream, and act = silu(gate) * up', async () => {
    const l = c.nLayers - 1, pos = 4, n = n0;
    let before = new Float32Array(0), attn = before;
    probed({
      afterLayer: (layer, x) => { if (layer === l - 1) before = x.slice(0, n * c.dim); },
      attention: (layer, _q, _k, _v, out) => { if (layer === l) attn = out.slice(0, n * qDim(c)); },
    });
    // the layer's FFN input recomputed with its own weights: x + wo·attn, then ffnNorm, then w1 and w3
    const [wo, w1, w3] = await Promise.all((['wo', 'w1', 'w3'] as const).map((m) => loadCpuLinear(model.weights.layers[l][m], map.layers[l][m])));
    const x = before.slice(), xb = new Float32Array(n * c.dim), gate = new Float32Array(n * c.hiddenDim), up = gate.slice();
    wo.apply(attn, n, x, true);
    rmsnorm(xb, x, model.weights.layers[l].ffnNorm, n, c.dim, c.normEps);
    w1.apply(xb, n, gate);
    w3.apply(xb, n, up);
    const ffn = traceCpu(forward, plan({ ffn: { layer: l, position: pos } })).ffn!;
    const at = (a: Float32Array) => a.subarray(pos * c.hiddenDim, (pos + 1) * c.hiddenDim);
    expect(bits(ffn.gate)).toEqual(bits(at(gate)));
    expect(bits(ffn.up)).toEqual(bits(at(up)));
    expect(Array.from(ffn.act)).toEqual(Array.from(ffn.gate, (g, i) => Math.fround(silu(g) * ffn.up[i])));
  });

  test('runs only the layers a plan needs, and nothing for the tokens alone', () => {
    const layers: number[] = [];
    forward.run(0, plan({}).tokens, 0, false, { lastLayer: lastLayerNeeded(plan({ attention: { layer: 1 } }))!, afterLayer: (l) => layers.push(l) });
    expect(layers).toEqual([0, 1]);
    expect(lastLayerNeeded(plan({}))).toBe(-1);
    expect(lastLayerNeeded(plan({ ffn: { layer: 2, position: 0 }, attention: { layer: 1 } }))).toBe(2);
    expect(lastLayerNeeded(plan({ attention: { layer: 0 }, residualNorms: true }))).toBeNull();
    expect(traceCpu(forward, plan({}))).toEqual({});
  });
});

describe('Engine.trace (CPU engine, the default model)', async () => {
  const files = readdirSync(defaultModelDir).filter((f) => /\.(json|safetensors)$/.test(f));
  const engine = new Engine({ engine: 'cpu', baseUrl: 'http://localhost/' });
  const bytes = (f: string) => { const b = readFileSync(defaultModelDir + f); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer; };
  const info = await engine.load({ kind: 'files', files: files.map((f) => ({ name: `${DEFAULT_MODEL}/${f}`, bytes: bytes(f) })) });
  const c = info.config;

  test('returns what was asked, shaped as the API says', async () => {
    const r = await engine.trace({ text: TEXT, attention: { layer: 1 }, residualNorms: true, logitLens: { topK: 4 }, ffn: { layer: 2, position: 1 }, embedding: { position: 0 }, logits: true });
    const n = r.tokens.length;
    expect(r.engine).toBe('cpu');
    expect(r.tokens[0].text).toBe('<|begin_of_text|>');
    expect(r.attention).toMatchObject({ layer: 1, nHeads: c.nHeads, nKvHeads: c.nKvHeads });
    expect(r.attention!.probs.map((p) => p.length)).toEqual(Array(c.nHeads).fill(n * n));
    expect(r.residualNorms!.map((x) => x.length)).toEqual(Array(c.nLayers + 1).fill(n));
    expect(r.logitLens!.map((e) => e.layer)).toEqual([...Array(c.nLayers).keys()]);
    const top = topTokens(r.logits!, 4);
    expect(r.logitLens!.at(-1)!.top).toEqual(top.map((t) => ({ id: t.id, text: expect.any(String), prob: t.prob })));
    for (const e of r.logitLens!) for (let i = 1; i < e.top.length; i++) expect(e.top[i].prob).toBeLessThanOrEqual(e.top[i - 1].prob);
    expect(r.ffn).toMatchObject({ layer: 2, position: 1 });
    expect([r.ffn!.gate.length, r.ffn!.up.length, r.ffn!.act.length]).toEqual([c.hiddenDim, c.hiddenDim, c.hiddenDim]);
    expect(r.embedding).toMatchObject({ position: 0, id: r.tokens[0].id });
    expect(r.logits).toHaveLength(c.vocabSize);
    // every array owns its buffer (transferred to the UI, none twice)
    const arrays = [...r.attention!.probs, ...r.residualNorms!, r.ffn!.gate, r.ffn!.up, r.ffn!.act, r.embedding!.row, r.logits!];
    expect(new Set(arrays.map((a) => a.buffer)).size).toBe(arrays.length);
    expect(arrays.every((a) => a.byteLength === a.buffer.byteLength)).toBe(true);
  });

  test('a generation after a trace runs its prompt in full and gives what a fresh engine gives', async () => {
    const ask = { prompt: 'Once upon a time', temperature: 0, max_tokens: 8 };
    await engine.generate(ask);
    await engine.trace({ text: 'A different text entirely.', logits: true });
    const after = await engine.generate(ask);
    expect(after.usage.prefill_tokens).toBe(after.usage.prompt_tokens);
    expect(after.tokens).toEqual((await engine.generate(ask)).tokens);
  });

  test('rejects bad requests with one line saying what to change', async () => {
    const bad: [TracePlan | object, RegExp][] = [
      [{}, /either a text or token ids/],
      [{ text: 'a', tokens: [1] }, /not both/],
      [{ tokens: [] }, /at least one token/],
      [{ tokens: Array(129).fill(1) }, /at most 128 tokens/],
      [{ tokens: [c.vocabSize] }, /outside the vocabulary/],
      [{ text: 'hi', attention: { layer: c.nLayers } }, /not a layer of this model/],
      [{ text: 'hi', ffn: { layer: 0, position: 9 } }, /not a position of the/],
      [{ text: 'hi', logitLens: { topK: 51 } }, /topK must be a whole number from 1 to 50/],
      [{ text: 'hi', logitLens: { topK: 3, position: -1 } }, /logitLens.position -1/],
      [{ text: 'hi', embedding: { position: 2.5 } }, /embedding.position 2.5/],
    ];
    for (const [request, message] of bad) {
      const e = await engine.trace(request as never).then(() => null, (x: Error) => x);
      expect(e?.message, JSON.stringify(request)).toMatch(message);
      expect(e!.message).not.toContain('\n');
    }
  });
});
