// Which files of a Hub repo a Llama needs, found before any weight is fetched: config.json first (a model that is
// not a Llama is refused with its architecture named), then the tokenizer files, then the weights: model.safetensors
// or the index and every shard it names. A GGUF model is one file named in the id; a GGUF repo named without a
// file is answered with the list of its .gguf files and their sizes.
import { HubError } from './errors.ts';
import type { FileInfo, HubClient, TreeEntry } from './client.ts';
import { formatHubId, type HubId } from './id.ts';

export const CONFIG = 'config.json';
export const REQUIRED = [CONFIG, 'tokenizer.json'];
export const OPTIONAL = ['generation_config.json', 'tokenizer_config.json', 'chat_template.jinja'];
export const INDEX = 'model.safetensors.index.json';
export const SINGLE = 'model.safetensors';

export interface ModelPlan {
  id: HubId; // as asked
  commit: string; // the revision resolved: every file is read at this commit
  kind: 'hf' | 'gguf';
  files: FileInfo[]; // config.json and the small files first, the weights last
}

export interface PlanOptions {
  /** Reads a small file (config.json, the index); the Node cache passes one that stores it. Default: a GET. */
  read?: (info: FileInfo) => Promise<Uint8Array>;
}

/** The files of a model on the Hub, with their sizes and hashes; no weight byte is read. */
export async function modelFiles(client: HubClient, id: HubId, options: PlanOptions = {}): Promise<ModelPlan> {
  const read = options.read ?? ((f: FileInfo) => client.readFile(f));
  const commit = await client.commit(id.repo, id.revision);
  const tree = new Map((await client.listFiles(id.repo, commit)).filter((e) => e.type === 'file').map((e) => [e.path, e]));
  const info = (path: string) => client.fileInfo(id.repo, commit, path, tree.get(path), id.revision);
  if (id.file) {
    if (!id.file.toLowerCase().endsWith('.gguf')) {
      throw new HubError('NotAModel', `${formatHubId(id)}: a file named in the id must be a .gguf model; for safetensors name the repo (hf:${id.repo})`);
    }
    return { id, commit, kind: 'gguf', files: [await info(id.file)] }; // a missing file: the Hub's 404 names it
  }
  if (!tree.has(CONFIG)) throw noConfig(id, [...tree.values()]);
  const config = await info(CONFIG);
  checkLlama(await read(config), id.repo);
  const files = [config];
  for (const path of REQUIRED.slice(1)) files.push(await info(path)); // absent: the Hub's 404 names it
  for (const path of OPTIONAL) if (tree.has(path)) files.push(await info(path));
  if (tree.has(INDEX)) {
    const index = await info(INDEX);
    files.push(index);
    for (const shard of shardsOf(await read(index), id.repo)) {
      if (!tree.has(shard)) throw missingShard(id.repo, shard);
      files.push(await info(shard));
    }
  } else {
    files.push(await info(SINGLE));
  }
  return { id, commit, kind: 'hf', files };
}

/** Parses config.json and refuses a model that is not a Llama, naming what it is. */
export function checkLlama(bytes: Uint8Array, repo: string): Record<string, unknown> {
  let config: unknown;
  try {
    config = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new HubError('NotAModel', `${repo}: config.json is not valid JSON`);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new HubError('NotAModel', `${repo}: config.json is not a JSON object`);
  const c = config as Record<string, unknown>;
  if (c.model_type !== 'llama') {
    const arch = Array.isArray(c.architectures) ? c.architectures.map(String).join(', ') : '';
    const named = `${String(c.model_type ?? 'no model_type')}${arch ? ` (${arch})` : ''}`.slice(0, 120);
    throw new HubError('NotLlama', `${repo} is a ${named} model, not a Llama: this playground runs Llama-architecture models (model_type "llama")`);
  }
  return c;
}

/** The shards an index names, each once, in order of first mention. */
export function shardsOf(bytes: Uint8Array, repo: string): string[] {
  let map: unknown;
  try {
    map = (JSON.parse(new TextDecoder().decode(bytes)) as { weight_map?: unknown }).weight_map;
  } catch {
    throw new HubError('NotAModel', `${repo}: ${INDEX} is not valid JSON`);
  }
  if (typeof map !== 'object' || map === null) throw new HubError('NotAModel', `${repo}: ${INDEX} has no weight_map`);
  const shards = [...new Set(Object.values(map as Record<string, unknown>).map(String))];
  for (const s of shards) {
    if (s.includes('..') || s.startsWith('/') || !s.endsWith('.safetensors')) throw new HubError('NotAModel', `${repo}: ${INDEX} names "${s.slice(0, 80)}", not a .safetensors file of the repo`);
  }
  return shards;
}

export const missingShard = (repo: string, shard: string) =>
  new HubError('MissingShard', `${repo}: ${INDEX} names the shard ${shard}, which the repo does not have`);

/** No config.json: a GGUF repo (list its files to pick from) or not a model at all. */
function noConfig(id: HubId, files: TreeEntry[]): HubError {
  const ggufs = files.filter((f) => f.path.toLowerCase().endsWith('.gguf'));
  if (ggufs.length === 0) {
    return new HubError('NotAModel', `${id.repo} has no config.json and no .gguf file at ${id.revision}: not a model this playground loads`);
  }
  const sized = ggufs.map((f) => `${f.path} (${formatBytes(f.lfs?.size ?? f.size)})`).join(', ');
  const at = id.revision === 'main' ? '' : `@${id.revision}`;
  return new HubError('PickAFile', `${id.repo} is a GGUF repo: pick one of its files, as hf:${id.repo}/${ggufs[0].path}${at}; it has ${sized}`);
}

export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}
