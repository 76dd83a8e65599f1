// The loader's entry points: pick the format from the files given, or download a file with progress.
import type { LoadedModel, ProgressFn } from './types.ts';
import { parseGguf } from './gguf.ts';
import { loadHfModel } from './hf.ts';

export { parseGguf } from './gguf.ts';
export { loadHfModel } from './hf.ts';
export { fetchWithProgress } from './fetch.ts';
export type { LoadedModel, ProgressFn, TensorInfo } from './types.ts';

export interface ModelFile {
  name: string;
  bytes: ArrayBuffer | Uint8Array;
}

const isGguf = (b: Uint8Array) => b.length >= 4 && b[0] === 0x47 && b[1] === 0x47 && b[2] === 0x55 && b[3] === 0x46; // "GGUF"
const baseName = (name: string) => name.slice(name.lastIndexOf('/') + 1);

/** One .gguf file, or a Hugging Face model's files (config.json + *.safetensors + tokenizer.json ...). */
export function loadModelFromBytes(files: ModelFile[], onProgress?: ProgressFn): LoadedModel {
  const u8 = files.map((f) => ({ name: f.name, bytes: f.bytes instanceof Uint8Array ? f.bytes : new Uint8Array(f.bytes) }));
  const config = u8.find((f) => baseName(f.name) === 'config.json');
  if (config) {
    const folder = config.name.split('/').slice(-2, -1)[0]; // "TinyLlama/config.json" names the model TinyLlama
    return loadHfModel(new Map(u8.map((f) => [baseName(f.name), f.bytes])), onProgress, folder || undefined);
  }
  const gguf = u8.find((f) => isGguf(f.bytes)) ?? u8.find((f) => f.name.toLowerCase().endsWith('.gguf'));
  if (gguf) return parseGguf(gguf.bytes, baseName(gguf.name).replace(/\.gguf$/i, ''), onProgress);
  if (u8.some((f) => f.name.endsWith('.safetensors'))) {
    throw new Error('a .safetensors file needs its config.json and tokenizer.json: load the whole Hugging Face model folder');
  }
  throw new Error(`not a model: expected a .gguf file or a Hugging Face folder with config.json (got ${u8.map((f) => f.name).join(', ') || 'no files'})`);
}
