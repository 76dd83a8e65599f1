// Hugging Face model folders (config.json + *.safetensors + tokenizer.json ...) -> LoadedModel.
// Reference: transformers LlamaForCausalLM state-dict names; nn.Linear stores weight as [out, in], which is our
// row-major W[n][k], so matrices are used as they are (but Q/K rows are in "halves" RoPE order).
import type { LoadedModel, ProgressFn } from './types.ts';
import { hfTokenizer } from '../tokenizer/hf.ts';
import { hfConfig, HF_NAMES } from './hf-config.ts';
import { assembleWeights, shapeError } from './llama-weights.ts';
import { readCheckpoint, safeTensorToF32 } from './safetensors.ts';

/** Loads a model from its files by base name (config.json, tokenizer.json, model*.safetensors, ...). */
export function loadHfModel(files: Map<string, Uint8Array>, onProgress?: ProgressFn, name?: string): LoadedModel {
  const configBytes = files.get('config.json');
  if (!configBytes) throw new Error('Hugging Face model is missing config.json');
  let json: unknown;
  try { json = JSON.parse(new TextDecoder().decode(configBytes)); } catch { throw new Error('config.json is not valid JSON'); }
  const tokenizerBytes = files.get('tokenizer.json');
  if (!tokenizerBytes) throw new Error('Hugging Face model is missing tokenizer.json (the tokenizer.model-only format is not supported)');

  const tensors = readCheckpoint(files);
  const config = hfConfig(json, tensors.has(HF_NAMES.output));
  const weights = assembleWeights(config, HF_NAMES, (n, shape) => {
    const t = tensors.get(n);
    if (!t) return null;
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) throw shapeError(n, t.shape, shape);
    return safeTensorToF32(t);
  }, onProgress);
  const tok = hfTokenizer(tokenizerBytes, files.get('tokenizer_config.json'), files.get('generation_config.json'));
  const nameOrPath = (json as Record<string, unknown>)._name_or_path;
  return {
    name: name ?? (typeof nameOrPath === 'string' && nameOrPath ? nameOrPath : 'model'),
    format: 'safetensors',
    config,
    weights,
    ...tok,
    tensors: [...tensors.values()].map((t) => ({ name: t.name, shape: t.shape, dtype: t.dtype, bytes: t.data.length })),
    fileBytes: [...files.values()].reduce((n, b) => n + b.length, 0),
  };
}
