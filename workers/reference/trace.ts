// The trace on the CPU engine: one run of slot 0 from position 0 with a probe that copies out what the plan asks
// for (workers/model/trace.ts). The attention probabilities are the very weights attention() multiplies V by; the
// logit lens is finalLogits(), the code that ends run(), so the last layer's lens is the model's own logits.
import { qDim, type LlamaConfig } from '../model/config.ts';
import { lastLayerNeeded, rowNorms, type TraceCapture, type TracePlan } from '../model/trace.ts';
import type { CpuForward, ForwardProbe } from './forward.ts';
import { attention } from './ops.ts';

export function traceCpu(f: CpuForward, p: TracePlan): TraceCapture {
  const c = f.config, n = p.tokens.length, dim = c.dim, hd = c.hiddenDim;
  const cap: TraceCapture = {};
  const row = (a: Float32Array, pos: number, width: number) => a.slice(pos * width, (pos + 1) * width);
  if (p.attention !== null) cap.attention = Array.from({ length: c.nHeads }, () => new Float32Array(n * n));
  if (p.norms) cap.norms = [];
  if (p.lens) cap.lens = [];
  let gate = new Float32Array(0), up = gate; // the FFN's inputs, until its activation is known
  const probe: ForwardProbe = {
    lastLayer: lastLayerNeeded(p) ?? undefined,
    afterEmbedding(x) {
      cap.norms?.push(rowNorms(x, n, dim));
      if (p.embedding !== null) cap.embedding = row(x, p.embedding, dim);
    },
    attentionProbs: (l) => (l === p.attention ? cap.attention! : null),
    ffnGateUp(l, g, u) {
      if (l === p.ffn?.layer) [gate, up] = [row(g, p.ffn.position, hd), row(u, p.ffn.position, hd)];
    },
    ffnAct(l, act) {
      if (l === p.ffn?.layer) cap.ffn = { gate, up, act: row(act, p.ffn.position, hd) };
    },
    afterLayer(_l, x) {
      cap.norms?.push(rowNorms(x, n, dim));
      if (p.lens) cap.lens!.push(f.finalLogits(x.subarray(p.lens.position * dim, (p.lens.position + 1) * dim), 1));
    },
  };
  const out = f.run(0, p.tokens, 0, false, probe);
  if (p.logits) cap.logits = out;
  return cap;
}

/**
 * Every head's attention probabilities from q (n, qDim) after RoPE and the K cache (n, kvDim), computed by
 * attention() itself with V = K (only the weights are kept): the GPU trace's host side, as its kernels never store them.
 */
export function attentionProbs(q: Float32Array, kCache: Float32Array, n: number, c: LlamaConfig): Float32Array[] {
  const probs = Array.from({ length: c.nHeads }, () => new Float32Array(n * n));
  const shape = { nHeads: c.nHeads, nKvHeads: c.nKvHeads, headDim: c.headDim, maxSeq: n };
  attention(new Float32Array(n * qDim(c)), q, kCache, kCache, n, 0, shape, new Float32Array(n), probs);
  return probs;
}
