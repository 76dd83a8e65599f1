// Corrupt and truncated GGUF files must fail with a one-line Error for people: never a RangeError, a hang or a
// huge allocation. Each case mutates one field of a tiny valid file written by gguf-writer.ts.
import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../workers/loader/gguf.ts';
import { seeded, tinyLlama, TINY } from './gguf-writer.ts';

/** Runs parse and returns the thrown error, failing the test if it is not a plain one-line Error. */
async function failure(bytes: Uint8Array): Promise<Error> {
  try {
    await parseGguf(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).constructor).toBe(Error); // not RangeError / TypeError
    expect((e as Error).message).not.toMatch(/\n/);
    return e as Error;
  }
  throw new Error('expected the corrupt file to be rejected');
}

const setU64 = (b: Uint8Array, at: number, v: bigint) => new DataView(b.buffer, b.byteOffset).setBigUint64(at, v, true);
const setU32 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint32(at, v, true);

describe('corrupt GGUF', () => {
  const base = tinyLlama();

  it('rejects a bad magic and unsupported versions', async () => {
    expect((await failure(new TextEncoder().encode('GGML and more bytes'))).message).toBe('not a GGUF file (bad magic)');
    expect((await failure(new Uint8Array(0))).message).toBe('not a GGUF file (bad magic)');
    const v1 = base.bytes.slice(); setU32(v1, 4, 1);
    expect((await failure(v1)).message).toMatch(/version 1 is not supported/);
    const v9 = base.bytes.slice(); setU32(v9, 4, 9);
    expect((await failure(v9)).message).toBe('unsupported GGUF version 9');
    const be = base.bytes.slice(); setU32(be, 4, 0x03000000);
    expect((await failure(be)).message).toMatch(/big-endian/);
  });

  it('rejects a file cut at every byte of the header and at points inside the data', async () => {
    const { bytes, layout } = base;
    for (let cut = 0; cut < layout.dataOffset; cut++) await failure(bytes.subarray(0, cut));
    for (let cut = layout.dataOffset; cut < bytes.length; cut += 97) {
      expect((await failure(bytes.subarray(0, cut))).message).toMatch(/^truncated GGUF: tensor \S+ needs \d+ bytes at offset \d+, file has \d+$/);
    }
    expect((await failure(bytes.subarray(0, bytes.length - 1))).message).toMatch(/^truncated GGUF: tensor output.weight needs/);
  });

  it('rejects absurd counts before allocating', async () => {
    const t = base.bytes.slice(); setU64(t, base.layout.nTensorsAt, 2n ** 40n);
    expect((await failure(t)).message).toMatch(/claims 1099511627776 tensors/);
    const kv = base.bytes.slice(); setU64(kv, base.layout.nKvAt, 2n ** 64n - 1n);
    expect((await failure(kv)).message).toMatch(/more than a \d+-byte file can hold/);
    const s = base.bytes.slice(); setU64(s, base.layout.keys[0].at, 2n ** 62n);
    expect((await failure(s)).message).toMatch(/^truncated GGUF: metadata key 0 needs \d+ bytes/);
    const tokens = base.layout.keys.find((k) => k.key === 'tokenizer.ggml.tokens')!;
    const arr = base.bytes.slice(); setU64(arr, tokens.valueAt + 8, 2n ** 50n); // type u32, element type u32, then count
    expect((await failure(arr)).message).toMatch(/array tokenizer.ggml.tokens claims 1125899906842624 elements/);
    const name = base.bytes.slice(); setU64(name, base.layout.tensors[3].at, 2n ** 33n);
    expect((await failure(name)).message).toMatch(/^truncated GGUF: name of tensor 3 needs 8589934592 bytes/);
  });

  it('rejects a huge tensor dimension and too many dimensions', async () => {
    const t = base.layout.tensors[0]; // token_embd.weight: name, n_dims u32, dims u64...
    const nameLen = new TextEncoder().encode(t.name).length;
    const dims = base.bytes.slice(); setU64(dims, t.at + 8 + nameLen + 4 + 8, 2n ** 60n);
    expect((await failure(dims)).message).toMatch(/tensor token_embd.weight has shape .* more than the file can hold/);
    const nd = base.bytes.slice(); setU32(nd, t.at + 8 + nameLen, 7);
    expect((await failure(nd)).message).toBe('corrupt GGUF: tensor token_embd.weight has 7 dimensions (1..4 allowed)');
  });

  it('names an unsupported tensor type and the supported ones', async () => {
    const q = base.layout.tensors.find((t) => t.name === 'blk.0.attn_q.weight')!;
    const b = base.bytes.slice(); setU32(b, q.typeAt, 3); // Q4_1: 32-element blocks of 20 bytes, fits in the F32 data
    expect((await failure(b)).message).toBe('unsupported tensor type Q4_1 for blk.0.attn_q.weight: supported F32, F16, BF16, Q8_0, Q4_0, Q5_0, Q4_K, Q5_K, Q6_K');
    const u = base.bytes.slice(); setU32(u, q.typeAt, 77);
    expect((await failure(u)).message).toMatch(/unsupported tensor type type#77 for blk.0.attn_q.weight/);
  });

  it('rejects a misaligned tensor offset', async () => {
    const t = base.layout.tensors[2];
    const b = base.bytes.slice(); setU64(b, t.offsetAt, BigInt(Number(new DataView(b.buffer).getBigUint64(t.offsetAt, true)) + 4));
    expect((await failure(b)).message).toMatch(new RegExp(`^corrupt GGUF: tensor ${t.name} offset \\d+ is not a multiple of the alignment 32$`));
    const a = tinyLlama({ kv: [['general.alignment', { t: 'u32', v: 24 }]] }).bytes;
    expect((await failure(a)).message).toMatch(/general.alignment = 24 is not a power of two/);
  });

  it('names a tensor whose shape disagrees with the config, and a missing tensor', async () => {
    const { dim, nKvHeads, headDim } = TINY;
    const wrong = tinyLlama({ replace: { 'blk.1.attn_k.weight': { name: 'blk.1.attn_k.weight', dims: [dim, 5], type: 0, data: new Uint8Array(5 * dim * 4) } } });
    expect((await failure(wrong.bytes)).message).toBe(`tensor blk.1.attn_k.weight has shape [5, ${dim}], expected [${nKvHeads * headDim}, ${dim}] from the model config`);
    const missing = tinyLlama({ replace: { 'blk.1.ffn_up.weight': null } });
    expect((await failure(missing.bytes)).message).toBe('model file is missing tensor blk.1.ffn_up.weight');
  });

  it('rejects bad metadata: unknown value type, wrong architecture, missing key, bad token id', async () => {
    const b = base.bytes.slice(); setU32(b, base.layout.keys[3].valueAt, 99);
    expect((await failure(b)).message).toMatch(/unknown metadata type 99 for key llama.embedding_length/);
    expect((await failure(tinyLlama({ kv: [['general.architecture', { t: 'string', v: 'qwen2' }]] }).bytes)).message)
      .toBe('unsupported architecture "qwen2": this playground runs llama models');
    expect((await failure(tinyLlama({ kv: [['llama.block_count', { t: 'string', v: 'two' }]] }).bytes)).message)
      .toBe('GGUF metadata llama.block_count should be a number');
    expect((await failure(tinyLlama({ kv: [['tokenizer.ggml.bos_token_id', { t: 'u32', v: 99999 }]] }).bytes)).message)
      .toMatch(/tokenizer.ggml.bos_token_id = 99999 is not a token id/);
    expect((await failure(tinyLlama({ kv: [['tokenizer.ggml.model', { t: 'string', v: 'rwkv' }]] }).bytes)).message)
      .toMatch(/unsupported GGUF tokenizer model "rwkv"/);
    expect((await failure(tinyLlama({ kv: [['llama.attention.head_count_kv', { t: 'u32', v: 0 }]] }).bytes)).message)
      .toMatch(/invalid model config: nKvHeads = 0/);
  });

  it('survives random byte flips in the header: parses or throws a plain Error', async () => {
    const rnd = seeded(7);
    const { bytes, layout } = base;
    for (let i = 0; i < 1500; i++) {
      const b = bytes.slice();
      for (let k = 0; k < 3; k++) b[Math.floor(((rnd() + 1) / 2) * layout.dataOffset)] = Math.floor(((rnd() + 1) / 2) * 256);
      try { await parseGguf(b); } catch (e) {
        if (!(e instanceof Error) || e.constructor !== Error || e.message.includes('\n')) throw new Error(`flip ${i}: ${String(e)}`, { cause: e });
      }
    }
  });
});
