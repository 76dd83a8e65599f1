// Hugging Face model folders (config.json + *.safetensors + tokenizer.json ...) -> LoadedModel.
// Reference: transformers LlamaForCausalLM state-dict names; nn.Linear stores weight as [out, in], which is our
// row-major W[n][k], so matrices are used as they are (but Q/K rows are in "halves" RoPE order).
// Reads the small files whole and the safetensors headers; the weights stay in the shards until packed.
import type { LoadedModel } from './types.ts';
import type { WeightTensor } from '../model/tensor.ts';
import { hfTokenizer } from '../tokenizer/hf.ts';
import { hfConfig, HF_NAMES } from './hf-config.ts';
import { assembleWeights } from './llama-weights.ts';
import { readCheckpoint, type SafeTensor } from './safetensors.ts';
import { memorySource, readAll, type ByteSource } from './source.ts';
import { printable } from './gguf-reader.ts';

/** Safetensors' dtype names for what the engines convert (GGUF's names for the same types). */
const DTYPE: Record<string, string> = { F32: 'F32', F16: 'F16', BF16: 'BF16' };

/** A checkpoint tensor the model needs, as [rows, cols] (a vector is one row). */
function tensorOf(t: SafeTensor): WeightTensor {
  const dtype = DTYPE[t.dtype];
  if (!dtype) throw new Error(`unsupported dtype ${printable(t.dtype)} for tensor ${printable(t.name)} in ${t.file}: supported ${Object.keys(DTYPE).join(', ')}`);
  const k = t.shape.length ? t.shape[t.shape.length - 1] : 1;
  return { name: t.name, dtype, n: k ? t.elements / k : 0, k, source: t.source, offset: t.offset };
}

/** Loads a model from its files by base name (config.json, tokenizer.json, model*.safetensors, ...). */
export async function loadHf(files: Map<string, ByteSource>, name?: string): Promise<LoadedModel> {
  const small = async (f: string) => { const s = files.get(f); return s ? readAll(s) : undefined; };
  const configBytes = await small('config.json');
  if (!configBytes) throw new Error('Hugging Face model is missing config.json');
  let json: unknown;
  try { json = JSON.parse(new TextDecoder().decode(configBytes)); } catch { throw new Error('config.json is not valid JSON'); }
  const tokenizerBytes = await small('tokenizer.json');
  if (!tokenizerBytes) throw new Error('Hugging Face model is missing tokenizer.json (the tokenizer.model-only format is not supported)');

  const tensors = await readCheckpoint(files);
  const config = hfConfig(json, tensors.has(HF_NAMES.output));
  const weights = await assembleWeights(config, HF_NAMES, (n) => {
    const t = tensors.get(n);
    return t ? tensorOf(t) : null;
  });
  const tok = hfTokenizer(tokenizerBytes, await small('tokenizer_config.json'), await small('generation_config.json'));
  // a chat_template.jinja file, where the repo has one, is the template (it wins over tokenizer_config.json's, as in transformers)
  const jinja = await small('chat_template.jinja');
  if (jinja) tok.chatTemplate = new TextDecoder().decode(jinja);
  const nameOrPath = (json as Record<string, unknown>)._name_or_path;
  return {
    name: name ?? (typeof nameOrPath === 'string' && nameOrPath ? nameOrPath : 'model'),
    format: 'safetensors',
    config,
    weights,
    ...tok,
    tensors: [...tensors.values()].map((t) => ({ name: t.name, shape: t.shape, dtype: t.dtype, bytes: t.bytes })),
    fileBytes: [...files.values()].reduce((n, s) => n + s.size, 0),
  };
}

/** The same from files already in memory (tests). */
export const loadHfModel = (files: Map<string, Uint8Array>, name?: string) =>
  loadHf(new Map([...files].map(([f, b]) => [f, memorySource(f, b)])), name);
