// GGUF container reader: header, metadata key/values, tensor infos and the aligned data section.
// Reference: ggml/docs/gguf.md (v2 and v3: u64 counts and lengths, little-endian) and ggml/src/gguf.cpp.
// Every count, length and offset is checked against the bytes that remain BEFORE anything is allocated,
// so a corrupt or truncated file fails with a one-line message instead of a RangeError or a huge allocation.
// The header is parsed from a prefix of the file (readGgufFrom reads more when it runs out), so a 16 GB file
// costs its few-MB header, not its size; tensor data are read later, by range.
import { GGML_TYPE_NAMES, dtypeBytes } from './dtypes.ts';
import type { ByteSource } from './source.ts';

type NumberArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;
export type GgufValue = number | boolean | string | NumberArray | number[] | boolean[] | string[] | GgufValue[];

export interface GgufTensor {
  name: string;
  dims: number[]; // as in the file: ne0 (fastest, the columns) first
  dtype: string; // 'F32', 'Q8_0', ... or 'type#N' for an id ggml does not name
  elements: number;
  offset: number; // absolute byte offset in the file
  bytes: number | null; // null when the layout of dtype is unknown
}

export interface GgufFile {
  version: number;
  metadata: Map<string, GgufValue>;
  tensors: GgufTensor[];
  alignment: number;
  dataOffset: number;
  size: number; // bytes in the whole file
}

/** Thrown when the prefix given ends inside the header while the file goes on: read more and parse again. */
export class NeedMoreBytes extends Error {
  constructor(readonly atLeast: number) { super(`the GGUF header continues past byte ${atLeast}`); }
}

// gguf_type: 0 u8, 1 i8, 2 u16, 3 i16, 4 u32, 5 i32, 6 f32, 7 bool, 8 string, 9 array, 10 u64, 11 i64, 12 f64.
const FIXED_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const MIN_SIZE: Record<number, number> = { ...FIXED_SIZE, 8: 8, 9: 12 }; // string: its u64 length; array: type + count
const ARRAY_CTORS: Record<number, { new (n: number): NumberArray }> = {
  0: Uint8Array, 1: Int8Array, 2: Uint16Array, 3: Int16Array, 4: Uint32Array, 5: Int32Array, 6: Float32Array, 12: Float64Array,
};
const MAX_DIMS = 4; // GGML_MAX_DIMS
const MAX_NESTING = 8; // arrays of arrays deeper than this are corrupt, not data
const utf8 = new TextDecoder('utf-8');

/** A name from the file made safe for a one-line message: control characters hidden, length capped. */
export function printable(s: string): string {
  const clean = Array.from(s, (ch) => (/\p{Cc}|[\u2028\u2029]/u.test(ch) ? '?' : ch)).join('');
  return clean.length > 80 ? `${clean.slice(0, 80)}...` : clean;
}

/** A read position over the file that refuses to step past its end. */
class Cursor {
  pos = 0;
  private readonly view: DataView;
  /** u8: the prefix read so far; size: the whole file's length (what counts and lengths are checked against). */
  constructor(readonly u8: Uint8Array, readonly size: number) {
    this.view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  }
  get left(): number { return this.size - this.pos; }
  need(n: number, what: string): void {
    if (!(n <= this.left)) throw new Error(`truncated GGUF: ${what} needs ${n} bytes at offset ${this.pos}, file has ${this.size}`);
    if (this.pos + n > this.u8.length) throw new NeedMoreBytes(this.pos + n);
  }
  u32(what: string): number { this.need(4, what); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  /** u64 as a JS number: exact below 2^53, and any larger value is far beyond every file size it is checked against. */
  u64(what: string): number {
    this.need(8, what);
    const v = this.view.getUint32(this.pos, true) + this.view.getUint32(this.pos + 4, true) * 2 ** 32;
    this.pos += 8;
    return v;
  }
  string(what: string): string {
    const len = this.u64(`length of ${what}`);
    this.need(len, what);
    const s = utf8.decode(this.u8.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
  scalar(type: number, what: string): number | boolean | string {
    if (type === 8) return this.string(what);
    const size = FIXED_SIZE[type];
    this.need(size, what);
    const v = this.view, p = this.pos;
    this.pos += size;
    switch (type) {
      case 0: return v.getUint8(p);
      case 1: return v.getInt8(p);
      case 2: return v.getUint16(p, true);
      case 3: return v.getInt16(p, true);
      case 4: return v.getUint32(p, true);
      case 5: return v.getInt32(p, true);
      case 6: return v.getFloat32(p, true);
      case 7: return v.getUint8(p) !== 0;
      case 10: return Number(v.getBigUint64(p, true));
      case 11: return Number(v.getBigInt64(p, true));
      default: return v.getFloat64(p, true); // 12
    }
  }
  value(type: number, key: string, depth = 0): GgufValue {
    if (!(type in MIN_SIZE)) throw new Error(`corrupt GGUF: unknown metadata type ${type} for key ${key}`);
    if (type !== 9) return this.scalar(type, `value of ${key}`);
    if (depth >= MAX_NESTING) throw new Error(`corrupt GGUF: arrays nested deeper than ${MAX_NESTING} in key ${key}`);
    const elemType = this.u32(`array type of ${key}`);
    if (!(elemType in MIN_SIZE)) throw new Error(`corrupt GGUF: unknown array element type ${elemType} for key ${key}`);
    const n = this.u64(`array length of ${key}`);
    if (!(n * MIN_SIZE[elemType] <= this.left)) {
      throw new Error(`truncated GGUF: array ${key} claims ${n} elements at offset ${this.pos}, file has ${this.size} bytes`);
    }
    if (this.pos + n * MIN_SIZE[elemType] > this.u8.length) throw new NeedMoreBytes(this.pos + n * MIN_SIZE[elemType]);
    const Ctor = ARRAY_CTORS[elemType];
    if (Ctor) { // numeric arrays (token scores, token types) are copied in one go
      const out = new Ctor(n);
      const size = FIXED_SIZE[elemType];
      new Uint8Array(out.buffer).set(this.u8.subarray(this.pos, this.pos + n * size));
      this.pos += n * size;
      return out;
    }
    const out: GgufValue[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.value(elemType, key, depth + 1);
    return out as GgufValue;
  }
}

/** Parses the GGUF container of a whole file in memory. */
export function readGguf(input: ArrayBuffer | Uint8Array): GgufFile {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  return parseGgufHeader(bytes, bytes.length);
}

/** Reads only the header of a GGUF file, by range: a first MiB, then twice as much until it fits. */
export async function readGgufFrom(source: ByteSource, first = 1 << 20): Promise<GgufFile> {
  let length = Math.min(source.size, first);
  for (;;) {
    try {
      return parseGgufHeader(await source.read(0, length), source.size);
    } catch (e) {
      if (!(e instanceof NeedMoreBytes)) throw e;
      length = Math.min(source.size, Math.max(length * 2, e.atLeast));
    }
  }
}

/** Parses the header from `bytes`, the first bytes of a file of `size` bytes; tensor data are not read. */
export function parseGgufHeader(bytes: Uint8Array, size: number): GgufFile {
  const c = new Cursor(bytes, size);
  if (size >= 4 && bytes.length < 4) throw new NeedMoreBytes(4);
  if (size < 4 || bytes[0] !== 0x47 || bytes[1] !== 0x47 || bytes[2] !== 0x55 || bytes[3] !== 0x46) {
    throw new Error('not a GGUF file (bad magic)');
  }
  c.pos = 4;
  const version = c.u32('version');
  if (version === 1) throw new Error('GGUF version 1 is not supported (only versions 2 and 3)');
  if (version !== 2 && version !== 3) {
    const bigEndian = (version & 0xffffff) === 0 && version >>> 24 <= 3; // 2 or 3 written byte-swapped
    throw new Error(bigEndian ? 'big-endian GGUF files are not supported' : `unsupported GGUF version ${version}`);
  }
  const nTensors = c.u64('tensor count');
  const nKv = c.u64('metadata count');
  // the smallest tensor info is 24 bytes (name length, n_dims, one dim, type, offset); a key/value is at least 13
  if (!(nKv * 13 + nTensors * 24 <= c.left)) {
    throw new Error(`corrupt GGUF: header claims ${nTensors} tensors and ${nKv} metadata keys, more than a ${size}-byte file can hold`);
  }

  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < nKv; i++) {
    const key = c.string(`metadata key ${i}`);
    if (metadata.has(key)) throw new Error(`corrupt GGUF: duplicate metadata key ${printable(key)}`);
    metadata.set(key, c.value(c.u32(`type of ${printable(key)}`), printable(key)));
  }

  const alignment = metadata.get('general.alignment') ?? 32;
  if (typeof alignment !== 'number' || !Number.isInteger(alignment) || alignment <= 0 || (alignment & (alignment - 1)) !== 0) {
    throw new Error(`corrupt GGUF: general.alignment = ${String(alignment)} is not a power of two`);
  }

  const infos: { name: string; dims: number[]; typeId: number; rel: number }[] = [];
  for (let i = 0; i < nTensors; i++) {
    const name = c.string(`name of tensor ${i}`);
    const shown = printable(name);
    const nDims = c.u32(`dimension count of ${shown}`);
    if (nDims < 1 || nDims > MAX_DIMS) throw new Error(`corrupt GGUF: tensor ${shown} has ${nDims} dimensions (1..${MAX_DIMS} allowed)`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(c.u64(`dimension ${d} of ${shown}`));
    infos.push({ name, dims, typeId: c.u32(`type of ${shown}`), rel: c.u64(`offset of ${shown}`) });
  }

  const dataOffset = Math.ceil(c.pos / alignment) * alignment;
  const tensors: GgufTensor[] = [];
  for (const { name, dims, typeId, rel } of infos) {
    const shown = printable(name);
    // even 1.5-bit types need more than one byte per 8 elements, so a larger count cannot be in the file
    let elements = 1;
    for (const d of dims) {
      elements *= d;
      if (!(elements <= size * 8)) throw new Error(`corrupt GGUF: tensor ${shown} has shape [${dims}], more than the file can hold`);
    }
    const dtype = GGML_TYPE_NAMES[typeId] ?? `type#${typeId}`;
    const tensorBytes = dtypeBytes(dtype, elements);
    if (rel % alignment !== 0) throw new Error(`corrupt GGUF: tensor ${shown} offset ${rel} is not a multiple of the alignment ${alignment}`);
    const offset = dataOffset + rel;
    if (tensorBytes !== null && !(offset + tensorBytes <= size)) {
      throw new Error(`truncated GGUF: tensor ${shown} needs ${tensorBytes} bytes at offset ${offset}, file has ${size}`);
    }
    tensors.push({ name, dims, dtype, elements, offset, bytes: tensorBytes });
  }
  return { version, metadata, tensors, alignment, dataOffset, size };
}
