// safetensors: an 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}}, raw data.
// Reference: huggingface/safetensors README "Format" (offsets relative to the end of the header, row-major data);
// sharded checkpoints list each tensor's file in model.safetensors.index.json "weight_map". Only headers are read
// here; tensors are read by range when an engine packs them.
import { printable } from './gguf-reader.ts';
import { readAll, type ByteSource } from './source.ts';

export interface SafeTensor {
  name: string;
  file: string;
  dtype: string; // F32, F16, BF16, ... as in the header
  shape: number[]; // outermost first
  elements: number;
  offset: number; // absolute byte offset of the data in the file
  bytes: number;
  source: ByteSource;
}

const DTYPE_BYTES: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
  F8_E4M3: 1, F8_E5M2: 1,
};
const MAX_HEADER = 100_000_000; // the format's own limit on the JSON header

/** Reads one .safetensors file's header (by range), checking every offset against the file's size. */
export async function readSafetensorsFrom(source: ByteSource): Promise<Map<string, SafeTensor>> {
  const bad = (why: string) => new Error(`corrupt safetensors file ${source.name}: ${why}`);
  if (source.size < 8) throw bad(`${source.size} bytes is too short for the header length`);
  const head = await source.read(0, 8);
  const view = new DataView(head.buffer, head.byteOffset, 8);
  const headerLen = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLen > source.size - 8 || headerLen > MAX_HEADER) {
    throw bad(`header length ${headerLen} does not fit in a file of ${source.size} bytes`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(await source.read(8, headerLen)));
  } catch {
    throw bad('the header is not valid JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw bad('the header is not a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = source.size - dataStart;
  const out = new Map<string, SafeTensor>();
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const shown = printable(name);
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null || typeof e.dtype !== 'string') throw bad(`tensor ${shown} has no dtype`);
    const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
    if (!Array.isArray(e.shape) || !e.shape.every(isCount)) throw bad(`tensor ${shown} has an invalid shape`);
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isCount) || offs[0] > offs[1] || offs[1] > dataLen) {
      throw bad(`tensor ${shown} data_offsets ${JSON.stringify(offs)} fall outside the ${dataLen} data bytes`);
    }
    const shape = e.shape as number[];
    const elements = shape.reduce((a, b) => a * b, 1);
    const size = DTYPE_BYTES[e.dtype];
    if (size !== undefined && elements * size !== offs[1] - offs[0]) {
      throw bad(`tensor ${shown} of shape [${shape.join(', ')}] ${e.dtype} needs ${elements * size} bytes, has ${offs[1] - offs[0]}`);
    }
    out.set(name, { name, file: source.name, dtype: e.dtype, shape, elements, offset: dataStart + offs[0], bytes: offs[1] - offs[0], source });
  }
  return out;
}

/**
 * All tensors of a checkpoint: from the shards named in model.safetensors.index.json when present, otherwise
 * from every .safetensors file given. Only headers are read.
 */
export async function readCheckpoint(files: Map<string, ByteSource>): Promise<Map<string, SafeTensor>> {
  const index = files.get('model.safetensors.index.json');
  let shards: string[];
  let weightMap: Record<string, string> | null = null;
  if (index) {
    let json: { weight_map?: unknown };
    try { json = JSON.parse(new TextDecoder().decode(await readAll(index))); } catch { throw new Error('model.safetensors.index.json is not valid JSON'); }
    if (typeof json?.weight_map !== 'object' || json.weight_map === null || Array.isArray(json.weight_map)) throw new Error('model.safetensors.index.json has no weight_map');
    weightMap = json.weight_map as Record<string, string>;
    for (const [name, file] of Object.entries(weightMap)) {
      if (typeof file !== 'string') throw new Error(`model.safetensors.index.json weight_map entry ${printable(name)} is not a file name`);
    }
    shards = [...new Set(Object.values(weightMap))];
    if (shards.length === 0) throw new Error('model.safetensors.index.json weight_map lists no shards');
    const missing = shards.filter((s) => !files.has(s));
    if (missing.length) throw new Error(`model.safetensors.index.json lists shards that were not loaded: ${missing.map(printable).join(', ')}`);
  } else {
    shards = [...files.keys()].filter((f) => f.endsWith('.safetensors')).sort();
    if (shards.length === 0) throw new Error('no .safetensors file among the model files');
  }
  const all = new Map<string, SafeTensor>();
  for (const shard of shards) {
    for (const [name, t] of await readSafetensorsFrom(files.get(shard)!)) {
      if (weightMap && weightMap[name] !== undefined && weightMap[name] !== shard) continue; // the index decides
      if (all.has(name)) throw new Error(`tensor ${printable(name)} appears in both ${all.get(name)!.file} and ${shard}`);
      all.set(name, t);
    }
  }
  return all;
}
