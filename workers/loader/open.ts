// Turns what the UI or the CLI names (a picked File, a URL, the default model, files on disk) into ModelFiles
// (a Hub model goes through the browser's storage first: workers/hub/browser-pull.ts):
// byte sources the loader reads headers from and the engines read tensors from, by range. Nothing here reads a
// weight: a Hugging Face folder by URL costs its small JSON files plus one tiny request per shard (a small shard is
// fetched whole: workers/loader/source.ts SMALL_FILE).
import type { ModelSource } from '../api.ts';
import type { ModelFile } from './index.ts';
import { blobSource, memorySource, readAll, urlSource } from './source.ts';

/** The files of a Hugging Face folder the loader reads; the shards come from the index when there is one. */
const HF_REQUIRED = ['config.json', 'tokenizer.json'];
const HF_OPTIONAL = ['tokenizer_config.json', 'generation_config.json'];
const INDEX = 'model.safetensors.index.json';
const SINGLE = 'model.safetensors'; // an unsharded folder's weights

export async function openModelFiles(source: ModelSource, baseUrl: string, defaultFolder: string): Promise<ModelFile[]> {
  switch (source.kind) {
    case 'file': return [{ name: source.name, source: memorySource(source.name, new Uint8Array(source.bytes)) }];
    case 'files': return source.files.map((f) => ({ name: f.name, source: memorySource(f.name, new Uint8Array(f.bytes)) }));
    case 'blobs': return source.files.map((f) => ({ name: f.name, source: blobSource(f.name, f.blob) }));
    case 'url': {
      const url = new URL(source.url, baseUrl).href;
      if (!url.endsWith('/')) {
        const s = await urlSource(url);
        return [{ name: s.name, source: s }];
      }
      return hfFolder(url);
    }
    case 'default': return hfFolder(new URL(`models/${defaultFolder}/`, baseUrl).href);
    case 'hub': throw new Error('a Hub model is downloaded into storage first: Engine.load opens it (workers/hub/device.ts)');
  }
}

/** A Hugging Face model folder served over HTTP: its JSON files, then the shards named by the index (or model.safetensors). */
async function hfFolder(url: string): Promise<ModelFile[]> {
  const folder = new URL(url).pathname.split('/').filter(Boolean).pop() ?? 'model'; // names the model
  // Each file in its own request, all at once (the order of the list stays the order of the names).
  const open = async (name: string, optional: boolean, json: boolean): Promise<ModelFile | null> => {
    try {
      return { name: `${folder}/${name}`, source: await urlSource(new URL(name, url).href, {}, undefined, json) };
    } catch (e) {
      if (!optional) throw e;
      return null;
    }
  };
  // model.safetensors is asked for with the JSON files, not after the index turns out to be missing (one round trip
  // less for an unsharded folder; a sharded one answers 404 for it, which costs nothing)
  const single = open(SINGLE, false, false).then((file) => ({ file, error: null }), (error: unknown) => ({ file: null, error }));
  const [meta, index] = await Promise.all([
    Promise.all([...HF_REQUIRED.map((n) => open(n, false, true)), ...HF_OPTIONAL.map((n) => open(n, true, true))]),
    open(INDEX, true, true),
  ]);
  let weights: ModelFile[];
  if (index) {
    let shards: string[];
    try {
      const map = (JSON.parse(new TextDecoder().decode(await readAll(index.source))) as { weight_map?: Record<string, string> }).weight_map;
      shards = [...new Set(Object.values(map ?? {}))];
    } catch {
      throw new Error(`${INDEX} is not valid JSON`);
    }
    weights = await Promise.all(shards.map(async (shard) => (shard === SINGLE ? (await single).file : null) ?? (await open(shard, false, false))!));
  } else {
    const { file, error } = await single;
    if (!file) throw error;
    weights = [file];
  }
  return [...meta, index, ...weights].filter((f): f is ModelFile => f !== null);
}
