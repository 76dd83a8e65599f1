// A Hugging Face Llama checkpoint (a folder of BF16 safetensors shards and tokenizer.json) written as one GGUF file
// that llama.cpp loads, so a benchmark can run llama.cpp (wllama) on the same weights as our engine. Only what the
// benchmarks need: BF16 shards in, BF16 or F16 matrices out (norm gains as F32, as llama.cpp's converter writes
// them), Q/K rows permuted to llama.cpp's interleaved RoPE pairs, the byte-level BPE vocabulary as the `gpt2` keys.
// No rope_freqs tensor: Llama 3.1's long-context scaling changes the rotation angles, not the work per token.
// References: llama.cpp convert_hf_to_gguf.py (LlamaModel.permute, tensor names, tokenizer keys), ggml/docs/gguf.md.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { f16Bits, gpt2Vocab, llamaKv, readVocab } from '../../tests/gguf-quant-model.ts';
import { f32Bytes, writeGguf, type KvValue, type WriterTensor } from '../../tests/unit/gguf-writer.ts';

export type GgufFloat = 'bf16' | 'f16';
const GGML = { F32: 0, F16: 1, BF16: 30 } as const;

interface HfConfig {
  hidden_size: number; intermediate_size: number; num_hidden_layers: number; num_attention_heads: number;
  num_key_value_heads: number; head_dim?: number; vocab_size: number; rms_norm_eps: number; rope_theta: number;
  max_position_embeddings: number; tie_word_embeddings?: boolean;
}

/** Every tensor of the folder's safetensors shards, by name: its shape and its bytes (a view into the shard). */
function readShards(dir: string): Map<string, { dtype: string; shape: number[]; data: Uint8Array }> {
  const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8')) as { weight_map: Record<string, string> };
  const out = new Map<string, { dtype: string; shape: number[]; data: Uint8Array }>();
  for (const file of new Set(Object.values(index.weight_map))) {
    const buf = readFileSync(join(dir, file));
    const n = Number(buf.readBigUInt64LE(0));
    const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    for (const [name, t] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      out.set(name, { dtype: t.dtype, shape: t.shape, data: buf.subarray(8 + n + t.data_offsets[0], 8 + n + t.data_offsets[1]) });
    }
  }
  return out;
}

const bf16Words = (b: Uint8Array) => new Uint16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
const bf16ToF32 = (w: Uint16Array) => { const u = new Uint32Array(w.length); for (let i = 0; i < w.length; i++) u[i] = w[i] << 16; return new Float32Array(u.buffer); };

/** BF16 -> F16 bits, rounded to nearest even (a loop: TypedArray.from with a map builds a JS array first). */
function toF16(w: Uint16Array): Uint16Array {
  const out = new Uint16Array(w.length), f = new Float32Array(1), u = new Uint32Array(f.buffer);
  for (let i = 0; i < w.length; i++) { u[0] = w[i] << 16; out[i] = f16Bits(f[0]); }
  return out;
}

/** HF's q/k rows (the two halves of each head rotate together) -> llama.cpp's (pairs 2i, 2i+1 rotate together). */
function permuteRows(w: Uint16Array, heads: number, rows: number, cols: number): Uint16Array {
  const out = new Uint16Array(w.length), hd = rows / heads, half = hd / 2;
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < half; i++)
      for (let j = 0; j < 2; j++) {
        const from = (h * hd + j * half + i) * cols, to = (h * hd + 2 * i + j) * cols;
        out.set(w.subarray(from, from + cols), to);
      }
  return out;
}

/** The checkpoint in `dir` as GGUF bytes, its matrices stored as `type`. */
export function checkpointGguf(dir: string, type: GgufFloat = 'bf16'): Uint8Array {
  const c = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as HfConfig;
  const vocab = readVocab(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
  const shards = readShards(dir);
  const headDim = c.head_dim ?? c.hidden_size / c.num_attention_heads;
  const tensors: WriterTensor[] = [];
  const get = (name: string) => {
    const t = shards.get(name);
    if (!t) throw new Error(`${dir}: no tensor ${name}`);
    if (t.dtype !== 'BF16') throw new Error(`${name} is ${t.dtype}: this converter reads BF16 checkpoints`);
    return { words: bf16Words(t.data), shape: t.shape };
  };
  const matrix = (to: string, from: string, permuteHeads?: number) => {
    const { words, shape } = get(from);
    const [rows, cols] = shape;
    const w = permuteHeads ? permuteRows(words, permuteHeads, rows, cols) : words;
    const data = type === 'bf16' ? new Uint8Array(w.buffer, w.byteOffset, w.byteLength)
      : new Uint8Array(toF16(w).buffer);
    tensors.push({ name: to, dims: [cols, rows], type: type === 'bf16' ? GGML.BF16 : GGML.F16, data });
  };
  const norm = (to: string, from: string) => {
    const { words, shape } = get(from);
    tensors.push({ name: to, dims: [shape[0]], type: GGML.F32, data: f32Bytes(bf16ToF32(words)) });
  };
  matrix('token_embd.weight', 'model.embed_tokens.weight');
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const hf = `model.layers.${l}`, b = `blk.${l}`;
    norm(`${b}.attn_norm.weight`, `${hf}.input_layernorm.weight`);
    matrix(`${b}.attn_q.weight`, `${hf}.self_attn.q_proj.weight`, c.num_attention_heads);
    matrix(`${b}.attn_k.weight`, `${hf}.self_attn.k_proj.weight`, c.num_key_value_heads);
    matrix(`${b}.attn_v.weight`, `${hf}.self_attn.v_proj.weight`);
    matrix(`${b}.attn_output.weight`, `${hf}.self_attn.o_proj.weight`);
    norm(`${b}.ffn_norm.weight`, `${hf}.post_attention_layernorm.weight`);
    matrix(`${b}.ffn_gate.weight`, `${hf}.mlp.gate_proj.weight`);
    matrix(`${b}.ffn_up.weight`, `${hf}.mlp.up_proj.weight`);
    matrix(`${b}.ffn_down.weight`, `${hf}.mlp.down_proj.weight`);
  }
  norm('output_norm.weight', 'model.norm.weight');
  if (!c.tie_word_embeddings) matrix('output.weight', 'lm_head.weight');

  const kv: [string, KvValue][] = [
    ...llamaKv(dir.split('/').filter(Boolean).pop() ?? 'checkpoint', {
      dim: c.hidden_size, hiddenDim: c.intermediate_size, nLayers: c.num_hidden_layers, nHeads: c.num_attention_heads,
      nKvHeads: c.num_key_value_heads, headDim, vocabSize: c.vocab_size, contextLength: c.max_position_embeddings,
      ropeTheta: c.rope_theta, normEps: c.rms_norm_eps,
    }),
    ...gpt2Vocab(vocab),
  ];
  return writeGguf({ kv, tensors }).bytes;
}
