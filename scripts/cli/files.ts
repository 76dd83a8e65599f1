// Where the CLI's model comes from: a .gguf file, a Hugging Face folder, a URL, a model on the Hub by id
// (`hf:org/name[@revision]`, `hf:org/name/file.gguf`: downloaded into huggingface_hub's cache first, then read
// from its snapshot folder like a local folder; scripts/hub/), or the embedded default model.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL, Engine } from '../../workers/engine.ts';
import { nodePoolThread } from './pool-node.ts';
import type { LoadOptions } from '../../workers/api.ts';
import { loadModel } from '../../workers/loader/index.ts';
import type { LoadedModel } from '../../workers/loader/types.ts';
import { fileSource } from './node-source.ts';
import { isHubId } from '../../workers/hub/id.ts';
import { pullModel, type PulledModel } from '../hub/pull.ts';

export type ModelRef = { kind: 'url'; url: string } | { kind: 'files'; files: { name: string; path: string }[] };

const HF_FILES = /^(config\.json|generation_config\.json|tokenizer\.json|tokenizer_config\.json|chat_template\.jinja|special_tokens_map\.json|model\.safetensors\.index\.json|.*\.safetensors)$/;

export const defaultModelDir = () => fileURLToPath(new URL(`../../public/models/${DEFAULT_MODEL}/`, import.meta.url));

export async function modelFiles(model: string | undefined): Promise<ModelRef> {
  if (model && /^https?:\/\//.test(model)) return { kind: 'url', url: model };
  if (model && isHubId(model)) return hubFiles(model);
  const path = model ?? defaultModelDir();
  if (!existsSync(path)) {
    throw new Error(model ? `model not found: ${model}` : `the embedded default model is missing (${path}): pass --model FILE`);
  }
  if (statSync(path).isDirectory()) {
    const folder = basename(path.replace(/\/+$/, ''));
    const files = readdirSync(path).filter((f) => HF_FILES.test(f)).map((f) => ({ name: `${folder}/${f}`, path: join(path, f) }));
    if (!files.some((f) => f.name.endsWith('/config.json'))) throw new Error(`${path} has no config.json: expected a Hugging Face model folder`);
    return { kind: 'files', files };
  }
  return { kind: 'files', files: [{ name: basename(path), path }] };
}

/** A Hub model's snapshot files (all downloaded), named like a local folder's (`name/config.json`) or a .gguf file's. */
async function hubFiles(model: string): Promise<ModelRef> {
  const m = await pullModel(model);
  return { kind: 'files', files: m.files.map((f) => ({ name: hubName(m, f.path), path: f.file! })) };
}

const hubName = (m: PulledModel, path: string) => (m.kind === 'gguf' ? basename(path) : `${m.id.repo.split('/')[1]}/${path}`);

const localFiles = (ref: Extract<ModelRef, { kind: 'files' }>) => ref.files.map((f) => ({ name: f.name, source: fileSource(f.path, f.name) }));

/** A CPU engine in this process with the model loaded (tensors streamed from disk, by range). */
export async function loadEngine(model: string | undefined, options: LoadOptions = {}): Promise<Engine> {
  const ref = await modelFiles(model);
  const engine = new Engine({ engine: 'cpu', baseUrl: 'http://localhost/', spawnPoolThread: nodePoolThread });
  if (ref.kind === 'url') await engine.load({ kind: 'url', url: ref.url }, undefined, options);
  else await engine.load({ kind: 'local', files: localFiles(ref) }, undefined, options);
  return engine;
}

/**
 * The model's headers and tokenizer only, no weights read: what inspect and tokenize need. A Hub model downloads its
 * small files into the cache; weight files it has not cached yet are read on the Hub by range (their headers only).
 */
export async function loadHeaders(model: string | undefined): Promise<LoadedModel> {
  if (model && isHubId(model)) {
    const m = await pullModel(model, { headersOnly: true });
    return loadModel(m.files.map((f) => ({ name: hubName(m, f.path), source: f.remote ?? fileSource(f.file!, hubName(m, f.path)) })));
  }
  const ref = await modelFiles(model);
  if (ref.kind === 'url') {
    const { openModelFiles } = await import('../../workers/loader/open.ts');
    return loadModel(await openModelFiles({ kind: 'url', url: ref.url }, 'http://localhost/', DEFAULT_MODEL));
  }
  return loadModel(localFiles(ref));
}
