// Builders for Hugging Face model files in memory: safetensors bytes, config.json, and a small byte-level BPE
// tokenizer.json trained on a few sentences. Reference: huggingface/safetensors "Format"; GPT-2 bytes_to_unicode.
import { BYTE_TO_CHAR } from '../../../workers/tokenizer/bytelevel.ts';
import { f32Bytes, seeded } from '../gguf-writer.ts';

export interface StTensor { name: string; dtype: string; shape: number[]; data: Uint8Array }

/** 8-byte LE header length, the JSON header, then the tensors' bytes back to back. */
export function safetensorsBytes(tensors: StTensor[], headerPatch?: (h: Record<string, unknown>) => void): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let off = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + t.data.length] };
    off += t.data.length;
  }
  headerPatch?.(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const t of tensors) { out.set(t.data, p); p += t.data.length; }
  return out;
}

const CORPUS = [
  'the cat sat on the mat', 'the dog ate the bone', 'hello world, hello there', "I'm here and they're there",
  'numbers 12345 and 678', 'the the the then there',
];

/** A byte-level BPE vocab: the 256 byte characters plus `nMerges` merges learned greedily from CORPUS. */
export function trainByteLevel(nMerges: number) {
  const vocab = new Map<string, number>(BYTE_TO_CHAR.map((c, i) => [c, i]));
  const merges: [string, string][] = [];
  // pre-split like GPT-2: a word keeps its leading space (Ġ)
  let words = CORPUS.flatMap((s) => s.match(/ ?[^ ]+/g)!).map((w) => Array.from(new TextEncoder().encode(w), (b) => BYTE_TO_CHAR[b]));
  for (let m = 0; m < nMerges; m++) {
    const counts = new Map<string, number>();
    for (const w of words) for (let i = 0; i + 1 < w.length; i++) { const k = `${w[i]}\u0000${w[i + 1]}`; counts.set(k, (counts.get(k) ?? 0) + 1); }
    let best = '', bestN = 0;
    for (const [k, n] of counts) if (n > bestN) { best = k; bestN = n; }
    if (bestN < 2) break;
    const [a, b] = best.split('\u0000');
    merges.push([a, b]);
    if (!vocab.has(a + b)) vocab.set(a + b, vocab.size);
    words = words.map((w) => {
      const out: string[] = [];
      for (let i = 0; i < w.length; i++) {
        if (i + 1 < w.length && w[i] === a && w[i + 1] === b) { out.push(a + b); i++; } else out.push(w[i]);
      }
      return out;
    });
  }
  return { vocab, merges };
}

export const LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** tokenizer.json of a Llama 3-style byte-level BPE with <|begin_of_text|>, <|end_of_text|>, <|eot_id|> added. */
export function byteLevelTokenizerJson(o: { mergesAsArrays?: boolean; ignoreMerges?: boolean; nMerges?: number } = {}) {
  const { vocab, merges } = trainByteLevel(o.nMerges ?? 40);
  const base = vocab.size;
  const added = ['<|begin_of_text|>', '<|end_of_text|>', '<|eot_id|>'].map((content, i) => ({
    id: base + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  }));
  return {
    version: '1.0',
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: LLAMA3_REGEX }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: {
      type: 'Sequence',
      processors: [
        { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
        {
          type: 'TemplateProcessing',
          single: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
          special_tokens: { '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [base], tokens: ['<|begin_of_text|>'] } },
        },
      ],
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: o.ignoreMerges ?? true,
      vocab: Object.fromEntries(vocab),
      merges: o.mergesAsArrays ? merges : merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}

export const TINY_HF = { dim: 16, hiddenDim: 24, nLayers: 2, nHeads: 4, nKvHeads: 2, headDim: 4, vocabSize: 40 };

export const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

/** A tiny random HF Llama: config.json, model.safetensors (F32), tokenizer.json. `values` holds every tensor. */
export function tinyHfModel(o: { lmHead?: boolean; config?: Record<string, unknown> } = {}) {
  const c = TINY_HF;
  const rnd = seeded(11);
  const values = new Map<string, Float32Array>();
  const tensors: StTensor[] = [];
  const add = (name: string, shape: number[]) => {
    const v = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, rnd);
    values.set(name, v);
    tensors.push({ name, dtype: 'F32', shape, data: f32Bytes(v) });
  };
  const q = c.nHeads * c.headDim, kv = c.nKvHeads * c.headDim;
  add('model.embed_tokens.weight', [c.vocabSize, c.dim]);
  for (let l = 0; l < c.nLayers; l++) {
    const p = `model.layers.${l}`;
    add(`${p}.input_layernorm.weight`, [c.dim]);
    add(`${p}.self_attn.q_proj.weight`, [q, c.dim]);
    add(`${p}.self_attn.k_proj.weight`, [kv, c.dim]);
    add(`${p}.self_attn.v_proj.weight`, [kv, c.dim]);
    add(`${p}.self_attn.o_proj.weight`, [c.dim, q]);
    add(`${p}.post_attention_layernorm.weight`, [c.dim]);
    add(`${p}.mlp.gate_proj.weight`, [c.hiddenDim, c.dim]);
    add(`${p}.mlp.up_proj.weight`, [c.hiddenDim, c.dim]);
    add(`${p}.mlp.down_proj.weight`, [c.dim, c.hiddenDim]);
  }
  add('model.norm.weight', [c.dim]);
  if (o.lmHead !== false) add('lm_head.weight', [c.vocabSize, c.dim]);
  const config = {
    architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: c.dim, intermediate_size: c.hiddenDim,
    num_hidden_layers: c.nLayers, num_attention_heads: c.nHeads, num_key_value_heads: c.nKvHeads,
    max_position_embeddings: 128, rms_norm_eps: 1e-5, rope_theta: 500000, vocab_size: c.vocabSize,
    tie_word_embeddings: false, ...o.config,
  };
  const files = new Map<string, Uint8Array>([
    ['config.json', json(config)],
    ['model.safetensors', safetensorsBytes(tensors)],
    ['tokenizer.json', json(byteLevelTokenizerJson())],
  ]);
  return { files, tensors, values };
}
