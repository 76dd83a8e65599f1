// The loader's entry points: pick the format from the files given (a .gguf file, or a Hugging Face folder).
// Files are ByteSources (memory, Blob, URL, a file on disk in Node): only headers and the tokenizer are read here.
import type { LoadedModel } from './types.ts';
import { loadGguf } from './gguf.ts';
import { loadHf } from './hf.ts';
import { memorySource, type ByteSource } from './source.ts';

export { parseGguf, loadGguf } from './gguf.ts';
export { loadHf, loadHfModel } from './hf.ts';
export type { LoadedModel, ProgressFn, TensorInfo } from './types.ts';

export interface ModelFile {
  name: string; // may carry a folder: "TinyLlama/config.json" names the model TinyLlama
  source: ByteSource;
}

const baseName = (name: string) => name.slice(name.lastIndexOf('/') + 1);
const GGUF_MAGIC = [0x47, 0x47, 0x55, 0x46]; // "GGUF"

async function isGguf(s: ByteSource): Promise<boolean> {
  if (s.size < 4) return false;
  const head = await s.read(0, 4);
  return GGUF_MAGIC.every((b, i) => head[i] === b);
}

/** One .gguf file, or a Hugging Face model's files (config.json + *.safetensors + tokenizer.json ...). */
export async function loadModel(files: ModelFile[]): Promise<LoadedModel> {
  const config = files.find((f) => baseName(f.name) === 'config.json');
  if (config) {
    const folder = config.name.split('/').slice(-2, -1)[0];
    return loadHf(new Map(files.map((f) => [baseName(f.name), f.source])), folder || undefined);
  }
  let gguf: ModelFile | undefined;
  for (const f of files) if (!gguf && (await isGguf(f.source))) gguf = f;
  gguf ??= files.find((f) => f.name.toLowerCase().endsWith('.gguf'));
  if (gguf) return loadGguf(gguf.source, baseName(gguf.name).replace(/\.gguf$/i, ''));
  if (files.some((f) => f.name.endsWith('.safetensors'))) {
    throw new Error('a .safetensors file needs its config.json and tokenizer.json: load the whole Hugging Face model folder');
  }
  throw new Error(`not a model: expected a .gguf file or a Hugging Face folder with config.json (got ${files.map((f) => f.name).join(', ') || 'no files'})`);
}

/** The same from files in memory (tests, small files). */
export function loadModelFromBytes(files: { name: string; bytes: ArrayBuffer | Uint8Array }[]): Promise<LoadedModel> {
  return loadModel(files.map((f) => ({ name: f.name, source: memorySource(f.name, f.bytes instanceof Uint8Array ? f.bytes : new Uint8Array(f.bytes)) })));
}
