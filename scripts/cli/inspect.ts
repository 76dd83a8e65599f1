// `cli inspect`: the model's shape and tensors, in the field names of the CLI contract.
import type { LoadedModel } from '../../workers/loader/types.ts';
import { countParams } from '../../workers/model/weights.ts';

export function inspect(m: LoadedModel) {
  const c = m.config;
  return {
    name: m.name,
    format: m.format,
    architecture: c.architecture,
    n_layers: c.nLayers,
    dim: c.dim,
    hidden_dim: c.hiddenDim,
    n_heads: c.nHeads,
    n_kv_heads: c.nKvHeads,
    head_dim: c.headDim,
    vocab_size: c.vocabSize,
    context_length: c.contextLength,
    rope_theta: c.ropeTheta,
    rope_scaling: c.ropeScaling
      ? { rope_type: c.ropeScaling.type, factor: c.ropeScaling.factor, low_freq_factor: c.ropeScaling.lowFreqFactor, high_freq_factor: c.ropeScaling.highFreqFactor, original_max_position_embeddings: c.ropeScaling.originalMaxPositions }
      : null,
    rope_style: c.ropeStyle,
    tied_embeddings: c.tiedEmbeddings,
    tokenizer: m.tokenizer.kind,
    chat_template: m.chatTemplate !== null,
    params: countParams(c),
    tensors: m.tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: t.dtype, bytes: t.bytes })),
  };
}

export function printInspect(r: ReturnType<typeof inspect>): void {
  console.log(`${r.name} (${r.format}, ${r.architecture}): ${(r.params / 1e6).toFixed(3)}M params`);
  console.log(`layers ${r.n_layers} · dim ${r.dim} · hidden ${r.hidden_dim} · heads ${r.n_heads} / kv ${r.n_kv_heads} · head_dim ${r.head_dim} · vocab ${r.vocab_size} · context ${r.context_length}`);
  console.log(`rope theta ${r.rope_theta} (${r.rope_style})${r.rope_scaling ? ` · llama3 scaling x${r.rope_scaling.factor}` : ''} · tokenizer ${r.tokenizer}${r.chat_template ? ' · chat template' : ''}${r.tied_embeddings ? ' · tied embeddings' : ''}`);
  for (const t of r.tensors) console.log(`  ${t.name.padEnd(44)} ${t.dtype.padEnd(5)} [${t.shape.join(', ')}] ${t.bytes} B`);
}
