// What the CLI's generate / bench / eval commands do with a loaded engine. Runs unchanged in Node (CPU engine)
// and inside headless Chromium (WebGPU engine), so both engines are measured by the same code.
import type { Engine } from '../../workers/engine.ts';
import type { GenerateRequest } from '../../workers/api.ts';
import { encodeMap, parsePrecision } from '../../workers/quant/precision.ts';
import { compareMaps } from '../../workers/model/quality.ts';
import { tensorNumerics } from '../../workers/model/numerics.ts';
import { packedWords } from '../../workers/quant/pack.ts';

export interface GenerateArgs {
  prompt: string;
  chat: boolean;
  maxTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
  precision: string | null; // null: as the model was loaded (its stored precision, or --precision at load)
  logprobs: number; // 0: none
}

/** Switches to a precision (re-packing only the tensors it changes; nothing when it is the current map). */
export async function setPrecisionText(engine: Engine, text: string | null): Promise<void> {
  if (text === null) return;
  const map = parsePrecision(text, engine.loaded().model.config.nLayers);
  if (encodeMap(map) !== encodeMap(engine.loaded().forward.precision)) await engine.applyPrecisionMap(map);
}

export async function generateOp(engine: Engine, a: GenerateArgs) {
  await setPrecisionText(engine, a.precision);
  const request: GenerateRequest = {
    max_tokens: a.maxTokens, temperature: a.temperature, top_k: a.topK, top_p: a.topP, seed: a.seed,
    logprobs: a.logprobs > 0, top_logprobs: a.logprobs,
    ...(a.chat ? { messages: [{ role: 'user' as const, content: a.prompt }] } : { prompt: a.prompt }),
  };
  const r = await engine.generate(request);
  const u = r.usage;
  return {
    prompt_tokens: r.promptTokens,
    tokens: r.tokens,
    text: r.text,
    finish_reason: r.finish,
    ...(r.logprobs ? { logprobs: r.logprobs.map((l) => ({ token: l.token, logprob: l.logprob, top: l.top.map((t) => ({ token: t.token, logprob: t.logprob })) })) } : {}),
    stats: {
      prefill_tokens: u.prefill_tokens, prefill_ms: u.prefill_ms, ttft_ms: u.ttft_ms, decode_tokens: u.decode_tokens,
      decode_ms: u.decode_ms, prefill_tok_s: u.prefill_tok_s, decode_tok_s: u.decode_tok_s,
    },
    engine: engine.loaded().forward.kind,
    precision: engine.loaded().forward.precision.preset,
    memory: engine.memory(),
  };
}

export interface BenchArgs { promptTokens: number; genTokens: number; precisions: string[]; repeats: number }

/** Prefill and decode speed per precision, with the weight bytes each decoded token reads. */
export async function benchOp(engine: Engine, a: BenchArgs, loadMs: number, copyBandwidth?: () => Promise<number>) {
  const { model, forward } = engine.loaded();
  const c = model.config;
  const prompt = Array.from({ length: a.promptTokens }, (_, i) => (i * 7919 + 13) % c.vocabSize);
  const rows = [];
  for (const p of a.precisions) {
    const bytesBefore = forward.weightBytes();
    const t0 = performance.now();
    await setPrecisionText(engine, p); // re-reads the tensors this precision changes, one at a time
    const repackMs = performance.now() - t0;
    let prefillMs = Infinity, decodeMs = Infinity, gpuShare: number | null = null;
    for (let rep = 0; rep < a.repeats; rep++) {
      let t = performance.now();
      let logits = await forward.forward(prompt, 0);
      prefillMs = Math.min(prefillMs, performance.now() - t);
      t = performance.now();
      let next = argmaxOf(logits);
      let gpuMs: number | null = 0;
      for (let i = 0; i < a.genTokens; i++) {
        logits = await forward.forward([next], a.promptTokens + i);
        next = argmaxOf(logits);
        const timing = (forward as { lastTiming?: { gpuMs: number | null; hostMs: number } }).lastTiming;
        if (!timing || timing.gpuMs === null || gpuMs === null) gpuMs = null;
        else gpuMs += timing.gpuMs;
      }
      const ms = performance.now() - t;
      if (ms < decodeMs) { decodeMs = ms; gpuShare = gpuMs === null ? null : gpuMs / ms; }
    }
    const weightBytes = forward.weightBytes();
    // per decoded token every matrix is read once; of the embedding only one row (all of it when the head shares it)
    const tensors = forward.tensorStats();
    const embedding = tensors.find((t) => t.label === 'embedding')?.bytes ?? 0;
    const headShares = !tensors.some((t) => t.label === 'output');
    const bytesPerToken = weightBytes - (headShares ? 0 : embedding) + packedWords(forward.precision.embedding.dtype, c.dim) * 4;
    const decodeTokS = (a.genTokens / decodeMs) * 1000;
    rows.push({
      precision: p,
      weight_bytes: weightBytes,
      weight_bytes_before: bytesBefore,
      repack_ms: repackMs,
      memory: engine.memory(),
      bytes_per_token: bytesPerToken,
      prefill_tokens: a.promptTokens,
      prefill_tok_s: (a.promptTokens / prefillMs) * 1000,
      decode_tokens: a.genTokens,
      decode_tok_s: decodeTokS,
      decode_weight_gb_s: (bytesPerToken * decodeTokS) / 1e9,
      // of each decoded token's wall time, the share not spent inside the GPU's compute pass (timestamp queries)
      outside_gpu_share: gpuShare === null ? null : 1 - gpuShare,
    });
  }
  const copy = copyBandwidth ? await copyBandwidth() : null;
  return {
    model: model.name,
    engine: forward.kind,
    adapter: (await engine.info())?.adapter ?? null,
    load_ms: loadMs,
    copy_gb_s: copy,
    results: rows.map((r) => ({ ...r, share_of_copy_bandwidth: copy ? r.decode_weight_gb_s / copy : null })),
  };
}

function argmaxOf(x: Float32Array): number {
  let b = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[b]) b = i;
  return b;
}

/** Quality of `precision` against the model's stored precision (f32 for an F32 file, bf16 for BF16), same engine. */
export async function evalOp(engine: Engine, text: string, precision: string) {
  const { model, forward } = engine.loaded();
  const tokens = model.tokenizer.encode(text, { bos: true }).slice(0, forward.maxSeq);
  if (tokens.length < 2) throw new Error('the evaluation text must be at least two tokens long');
  await setPrecisionText(engine, precision);
  const reference = engine.referenceMap();
  const metrics = await compareMaps(forward, tokens, reference, () => false);
  return {
    engine: forward.kind,
    precision,
    reference: reference.preset,
    ...metrics,
    tensors: tensorNumerics(forward),
  };
}
