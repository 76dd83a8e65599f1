// Fuzzing every loader: safetensors headers, model.safetensors.index.json, config.json, tokenizer.json,
// tokenizer_config.json and GGUF, by truncation, seeded random byte mutation and structurally wrong values.
// Each case either loads (and then the tokenizer must encode and decode without throwing) or fails with a
// one-line Error / EngineError that says what is wrong: never a TypeError, RangeError or SyntaxError leaking out
// of the parser, never a hang, never an allocation sized by a corrupt count. The counts tried are in docs/testing.md.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../workers/errors.ts';
import { loadHfModel } from '../../workers/loader/hf.ts';
import { parseGguf } from '../../workers/loader/gguf.ts';
import type { LoadedModel } from '../../workers/loader/types.ts';
import { mulberry32 } from '../../workers/model/sampler.ts';
import { byteLevelTokenizerJson, json, tinyHfModel } from './fixtures-loader/hf-writer.ts';
import { tinyLlama } from './gguf-writer.ts';

type Outcome = { ok: true } | { ok: false; message: string };

const SAMPLE = 'hello world, the cat 123 <|eot_id|> é 😀';

/** Runs one case: a loaded model must tokenize; a failure must be a plain one-line Error with a message. */
async function attempt(load: () => Promise<LoadedModel>, what: string): Promise<Outcome> {
  let model: LoadedModel;
  try {
    model = await load();
  } catch (e) {
    const ctor = (e as Error)?.constructor;
    if (ctor !== Error && ctor !== EngineError) throw new Error(`${what}: leaked ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
    const message = (e as Error).message;
    if (!message || /\n/.test(message) || message.length > 400) throw new Error(`${what}: not a one-line message: ${JSON.stringify(message)}`, { cause: e });
    return { ok: false, message };
  }
  const ids = model.tokenizer.encode(SAMPLE);
  if (!ids.every((id) => Number.isInteger(id) && id >= 0 && id < model.tokenizer.vocabSize)) throw new Error(`${what}: encode gave ids outside the vocab`);
  model.tokenizer.decode(ids);
  return { ok: true };
}

/** Seeded random mutations of `bytes` inside [from, to): 1 to 4 bytes replaced, inserted or deleted. */
function mutate(bytes: Uint8Array, rnd: () => number, from = 0, to = bytes.length): Uint8Array {
  let out = bytes.slice();
  const edits = 1 + Math.floor(rnd() * 4);
  for (let e = 0; e < edits; e++) {
    const at = from + Math.floor(rnd() * Math.max(1, Math.min(to, out.length) - from));
    const kind = rnd();
    const value = [0, 0xff, 0x7f, 0x80, 0x22, 0x5b, 0x7b, 0x2c, Math.floor(rnd() * 256)][Math.floor(rnd() * 9)];
    if (kind < 0.7) out[at] = value;
    else if (kind < 0.85) out = new Uint8Array([...out.subarray(0, at), value, ...out.subarray(at)]);
    else out = new Uint8Array([...out.subarray(0, at), ...out.subarray(at + 1)]);
  }
  return out;
}

const counts: Record<string, { cases: number; rejected: number }> = {};
function tally(format: string, o: Outcome) {
  const c = (counts[format] ??= { cases: 0, rejected: 0 });
  c.cases++;
  if (!o.ok) c.rejected++;
}

const base = tinyHfModel();
const withFile = (name: string, bytes: Uint8Array | null) => {
  const m = new Map(base.files);
  if (bytes) m.set(name, bytes); else m.delete(name);
  return m;
};
const hf = (name: string, bytes: Uint8Array, what: string) => attempt(() => loadHfModel(withFile(name, bytes)), what);

/** Truncations at every `step` bytes, seeded mutations, then each structural case; returns the outcomes. */
async function fuzzFile(format: string, name: string, bytes: Uint8Array, o: { step: number; mutations: number; seed: number; headerEnd?: number }, run = (b: Uint8Array, what: string) => hf(name, b, what)) {
  for (let cut = 0; cut < bytes.length; cut += o.step) tally(format, await run(bytes.subarray(0, cut), `${name} cut at ${cut}`));
  const rnd = mulberry32(o.seed);
  for (let i = 0; i < o.mutations; i++) tally(format, await run(mutate(bytes, rnd, 0, o.headerEnd), `${name} mutation ${i} (seed ${o.seed})`));
}

/** A structurally wrong value must be rejected with a message matching `why`. */
async function rejects(format: string, run: () => Promise<LoadedModel>, what: string, why: RegExp) {
  const o = await attempt(run, what);
  tally(format, o);
  expect(o.ok ? `${what}: loaded` : o.message, what).toMatch(why);
}

const tokJson = () => byteLevelTokenizerJson() as Record<string, unknown> & { model: Record<string, unknown> };
const tokWith = (patch: (t: ReturnType<typeof tokJson>) => void) => { const t = tokJson(); patch(t); return json(t); };
const headerLength = (st: Uint8Array) => 8 + Number(new DataView(st.buffer, st.byteOffset).getBigUint64(0, true));

describe('fuzzing the loaders', () => {
  it('safetensors headers', async () => {
    const st = base.files.get('model.safetensors')!;
    const end = headerLength(st);
    await fuzzFile('safetensors', 'model.safetensors', st.subarray(0, end + 64), { step: 7, mutations: 0, seed: 1 });
    await fuzzFile('safetensors', 'model.safetensors', st, { step: st.length, mutations: 600, seed: 2, headerEnd: end });
    const header = JSON.parse(new TextDecoder().decode(st.subarray(8, end))) as Record<string, { dtype: unknown; shape: unknown; data_offsets: unknown }>;
    const patched = (patch: (h: typeof header) => void) => {
      const h = structuredClone(header);
      patch(h);
      const j = new TextEncoder().encode(JSON.stringify(h));
      const out = new Uint8Array(8 + j.length + st.length - end);
      new DataView(out.buffer).setBigUint64(0, BigInt(j.length), true);
      out.set(j, 8);
      out.set(st.subarray(end), 8 + j.length);
      return out;
    };
    const T = 'model.norm.weight';
    const cases: [string, (h: typeof header) => void, RegExp][] = [
      ['negative shape', (h) => { h[T].shape = [-16]; }, /invalid shape/],
      ['fractional shape', (h) => { h[T].shape = [2.5]; }, /invalid shape/],
      ['string shape', (h) => { h[T].shape = '16'; }, /invalid shape/],
      ['1e12 elements', (h) => { h[T].shape = [1e6, 1e6]; }, /needs \d+ bytes, has 64/],
      ['2^60 elements', (h) => { h[T].shape = [2 ** 30, 2 ** 30]; }, /needs \d+ bytes/],
      ['overflowing shape product', (h) => { h[T].shape = [2 ** 52, 2 ** 52, 2 ** 52]; }, /too many elements|needs/],
      ['offsets past the end', (h) => { h[T].data_offsets = [0, 1e15]; }, /fall outside/],
      ['reversed offsets', (h) => { h[T].data_offsets = [64, 0]; }, /fall outside/],
      ['negative offsets', (h) => { h[T].data_offsets = [-64, 0]; }, /fall outside/],
      ['three offsets', (h) => { h[T].data_offsets = [0, 32, 64]; }, /fall outside/],
      ['unknown dtype', (h) => { h[T].dtype = 'F7'; }, /unknown dtype F7|unsupported dtype F7/],
      ['numeric dtype', (h) => { h[T].dtype = 4; }, /no dtype/],
      ['null entry', (h) => { (h as Record<string, unknown>)[T] = null; }, /no dtype/],
      ['array header', (h) => { for (const k of Object.keys(h)) delete h[k]; Object.assign(h, { 0: 1 }); }, /no dtype/],
    ];
    for (const [what, patch, why] of cases) await rejects('safetensors', () => loadHfModel(withFile('model.safetensors', patched(patch))), what, why);
    const huge = st.slice(); new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
    await rejects('safetensors', () => loadHfModel(withFile('model.safetensors', huge)), 'header length 2^63', /does not fit/);
    await rejects('safetensors', () => loadHfModel(withFile('model.safetensors', patched((h) => { h[T].dtype = 'BF16'; }))), 'dtype of another size', /needs 32 bytes, has 64/);
  });

  it('model.safetensors.index.json', async () => {
    const shard = base.files.get('model.safetensors')!;
    const weightMap = Object.fromEntries(base.tensors.map((t) => [t.name, 'model-00001-of-00001.safetensors']));
    const index = json({ metadata: { total_size: 1 }, weight_map: weightMap });
    const files = (ix: Uint8Array) => {
      const m = new Map(base.files);
      m.delete('model.safetensors');
      m.set('model-00001-of-00001.safetensors', shard);
      m.set('model.safetensors.index.json', ix);
      return m;
    };
    const run = (b: Uint8Array, what: string) => attempt(() => loadHfModel(files(b)), what);
    expect(await run(index, 'the valid index')).toEqual({ ok: true });
    await fuzzFile('index.json', 'model.safetensors.index.json', index, { step: 5, mutations: 400, seed: 3 }, run);
    const cases: [string, unknown, RegExp][] = [
      ['weight_map an array', { weight_map: ['a'] }, /weight_map/],
      ['weight_map a string', { weight_map: 'model.safetensors' }, /weight_map/],
      ['shard names numbers', { weight_map: { ...weightMap, 'model.norm.weight': 7 } }, /weight_map.*model\.norm\.weight.*not a file name/],
      ['shard names objects', { weight_map: { ...weightMap, 'model.norm.weight': {} } }, /not a file name/],
      ['an empty weight_map', { weight_map: {} }, /weight_map lists no shards|missing/],
      ['a missing shard', { weight_map: { ...weightMap, 'model.norm.weight': 'other.safetensors' } }, /not loaded: other\.safetensors/],
      ['a JSON array', [1, 2], /weight_map/],
      ['null', null, /weight_map/],
    ];
    for (const [what, v, why] of cases) await rejects('index.json', () => loadHfModel(files(json(v))), what, why);
  });

  it('config.json', async () => {
    const config = JSON.parse(new TextDecoder().decode(base.files.get('config.json')!)) as Record<string, unknown>;
    await fuzzFile('config.json', 'config.json', base.files.get('config.json')!, { step: 3, mutations: 500, seed: 4 });
    const keys = ['hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'vocab_size', 'max_position_embeddings', 'rms_norm_eps', 'rope_theta'];
    const wrong: unknown[] = ['16', -16, 0, 1e12, 2.5, null, [16], { v: 16 }, true, 1e308];
    for (const key of keys) {
      for (const v of wrong) {
        const what = `config.json ${key} = ${JSON.stringify(v)}`;
        const o = await attempt(() => loadHfModel(withFile('config.json', json({ ...config, [key]: v }))), what);
        tally('config.json', o);
        // a value that still makes a consistent model may load (rope_theta 1e12 is a real base); every other is refused
        if (o.ok) expect([key, v], what).toSatisfy(([k, x]) => (k === 'rope_theta' && typeof x === 'number' && x > 0) || (k === 'max_position_embeddings' && x === 1e12) || x === null);
      }
    }
    const cases: [string, unknown, RegExp][] = [
      ['a JSON array', [config], /not a JSON object/],
      ['model_type missing', { ...config, model_type: undefined }, /unsupported model_type/],
      ['rope_scaling a number', { ...config, rope_scaling: 8 }, /rope_scaling/],
      ['rope_scaling factor a string', { ...config, rope_scaling: { rope_type: 'llama3', factor: '8' } }, /factor should be a number/],
      ['rope_scaling an unknown type', { ...config, rope_scaling: { rope_type: 'yarn', factor: 8 } }, /unsupported rope_scaling type "yarn"/],
      ['head_dim odd', { ...config, head_dim: 3 }, /headDim|head_dim|shape/],
    ];
    for (const [what, v, why] of cases) await rejects('config.json', () => loadHfModel(withFile('config.json', json(v))), what, why);
  });

  it('tokenizer.json', async () => {
    const tok = base.files.get('tokenizer.json')!;
    await fuzzFile('tokenizer.json', 'tokenizer.json', tok, { step: 211, mutations: 300, seed: 5 });
    const cases: [string, (t: ReturnType<typeof tokJson>) => void, RegExp][] = [
      ['merges numbers', (t) => { t.model.merges = (t.model.merges as unknown[]).map((_, i) => i); }, /merges? .*(#0 is not|should be)/],
      ['merges an object', (t) => { t.model.merges = { 0: 'a b' }; }, /merges should be a list/],
      ['merges a string', (t) => { t.model.merges = 'Ġ t'; }, /merges should be a list/],
      ['a merge of one piece', (t) => { (t.model.merges as unknown[])[3] = 'abc'; }, /merge #3 is not "left right"/],
      ['mixed merge forms', (t) => { (t.model.merges as unknown[])[2] = ['a', 'b']; }, /merge #2 is not "left right"/],
      ['vocab an array', (t) => { t.model.vocab = ['a', 'b']; }, /has no vocab/],
      ['vocab ids strings', (t) => { (t.model.vocab as Record<string, unknown>).a = '65'; }, /invalid token id for "a"/],
      ['vocab ids negative', (t) => { (t.model.vocab as Record<string, unknown>).a = -1; }, /invalid token id/],
      ['vocab ids huge', (t) => { (t.model.vocab as Record<string, unknown>).a = 1e12; }, /invalid token id/],
      ['added token id a string', (t) => { (t.added_tokens as Record<string, unknown>[])[0].id = '1'; }, /invalid token id for "<\|begin_of_text\|>"/],
      ['added_tokens an object', (t) => { t.added_tokens = { a: 1 }; }, /added_tokens should be a list/],
      ['model type WordPiece', (t) => { t.model.type = 'WordPiece'; }, /unsupported tokenizer.json model type "WordPiece"/],
      ['no model', (t) => { delete (t as Record<string, unknown>).model; }, /model type/],
      ['a Split regex that is not a regex', (t) => { ((t.pre_tokenizer as { pretokenizers: Record<string, unknown>[] }).pretokenizers[0]).pattern = { Regex: '(unclosed' }; }, /pre-tokenizer regex .* is not valid/],
      ['a Split behaviour unknown', (t) => { ((t.pre_tokenizer as { pretokenizers: Record<string, unknown>[] }).pretokenizers[0]).behavior = 'Merged'; }, /unsupported Split pre-tokenizer behavior Merged/],
      ['pretokenizers not a list', (t) => { (t.pre_tokenizer as Record<string, unknown>).pretokenizers = 5; }, /pretokenizers should be a list/],
      ['a template special token with string ids', (t) => { ((t.post_processor as { processors: { special_tokens?: Record<string, { ids: unknown }> }[] }).processors[1].special_tokens!['<|begin_of_text|>']).ids = ['x']; }, /special_tokens.*ids/],
      ['a template id past the vocab', (t) => { ((t.post_processor as { processors: { special_tokens?: Record<string, { ids: unknown }> }[] }).processors[1].special_tokens!['<|begin_of_text|>']).ids = [99999]; }, /special_tokens.*ids/],
    ];
    for (const [what, patch, why] of cases) await rejects('tokenizer.json', () => loadHfModel(withFile('tokenizer.json', tokWith(patch))), what, why);
  });

  it('tokenizer_config.json', async () => {
    const tc = json({ bos_token: '<|begin_of_text|>', eos_token: { content: '<|eot_id|>' }, add_bos_token: true, chat_template: '{{ messages }}' });
    await fuzzFile('tokenizer_config.json', 'tokenizer_config.json', tc, { step: 1, mutations: 300, seed: 6 });
    const cases: [string, unknown, RegExp][] = [
      ['bos_token a number', { bos_token: 5 }, /bos_token should be a token string/],
      ['eos_token an array', { eos_token: ['<|eot_id|>'] }, /eos_token should be a token string/],
      ['bos_token unknown', { bos_token: '<s>' }, /bos_token "<s>" is not in the vocab/],
      ['add_bos_token a string', { add_bos_token: 'yes' }, /add_bos_token should be true or false/],
      ['chat_template a number', { chat_template: 5 }, /chat_template should be a string/],
      ['chat_template a list of junk', { chat_template: [1, 2] }, /chat_template/],
      ['a JSON array', [1], /not a JSON object/],
    ];
    for (const [what, v, why] of cases) await rejects('tokenizer_config.json', () => loadHfModel(withFile('tokenizer_config.json', json(v))), what, why);
    await rejects('tokenizer_config.json', () => loadHfModel(withFile('generation_config.json', json({ eos_token_id: 'x' }))), 'generation_config eos a string', /eos_token_id should be a token id/);
  });

  it('GGUF', async () => {
    const { bytes, layout } = tinyLlama();
    const run = (b: Uint8Array, what: string) => attempt(() => parseGguf(b), what);
    expect(await run(bytes, 'the valid file')).toEqual({ ok: true });
    await fuzzFile('GGUF', 'model.gguf', bytes.subarray(0, layout.dataOffset + 64), { step: 4, mutations: 0, seed: 7 }, run);
    await fuzzFile('GGUF', 'model.gguf', bytes, { step: bytes.length, mutations: 800, seed: 8, headerEnd: layout.dataOffset }, run);
    const set = (at: number, v: bigint, width: 4 | 8) => {
      const b = bytes.slice();
      const d = new DataView(b.buffer);
      if (width === 8) d.setBigUint64(at, v, true); else d.setUint32(at, Number(v), true);
      return b;
    };
    const t0 = layout.tensors[0];
    const nameLen = new TextEncoder().encode(t0.name).length;
    const tokens = layout.keys.find((k) => k.key === 'tokenizer.ggml.tokens')!;
    const cases: [string, Uint8Array, RegExp][] = [
      ['n_dims 2^32-1', set(t0.at + 8 + nameLen, 0xffffffffn, 4), /has 4294967295 dimensions/],
      ['a dimension of 1e12', set(t0.at + 8 + nameLen + 4, 1_000_000_000_000n, 8), /more than the file can hold/],
      ['a dimension of 2^64-1', set(t0.at + 8 + nameLen + 4, 2n ** 64n - 1n, 8), /more than the file can hold/],
      ['a tensor name past EOF', set(t0.at, 2n ** 40n, 8), /name of tensor 0 needs 1099511627776 bytes/],
      ['a key past EOF', set(layout.keys[2].at, BigInt(bytes.length), 8), /metadata key 2 needs/],
      ['a token string past EOF', set(tokens.valueAt + 12, 2n ** 50n, 8), /value of tokenizer.ggml.tokens needs/],
      ['an offset past the end', set(t0.offsetAt, 2n ** 40n, 8), /needs \d+ bytes at offset/],
      ['an unknown metadata type', set(tokens.valueAt, 99n, 4), /unknown metadata type 99/],
      ['tokens of u32', set(tokens.valueAt + 4, 4n, 4), /tokenizer.ggml.tokens|truncated|claims/],
      ['tensor count 2^63', set(layout.nTensorsAt, 2n ** 63n, 8), /more than a \d+-byte file can hold/],
    ];
    for (const [what, b, why] of cases) await rejects('GGUF', () => parseGguf(b), what, why);
    const meta: [string, Parameters<typeof tinyLlama>[0], RegExp][] = [
      ['bos id past the vocab', { kv: [['tokenizer.ggml.bos_token_id', { t: 'u32', v: 1e6 }]] }, /bos_token_id = 1000000 is not a token id/],
      ['block_count a string', { kv: [['llama.block_count', { t: 'string', v: '2' }]] }, /llama.block_count should be a number/],
      ['block_count huge', { kv: [['llama.block_count', { t: 'u64', v: 1e12 }]] }, /nLayers = 1000000000000/],
      ['scores of the wrong length', { kv: [['tokenizer.ggml.scores', { t: 'array', of: 'f32', v: [1, 2] }]] }, /scores should be 271 numbers/],
      ['tokens of numbers', { kv: [['tokenizer.ggml.tokens', { t: 'array', of: 'u32', v: [1, 2] }]] }, /tokens should be an array of strings/],
      ['merges of numbers', { kv: [['tokenizer.ggml.model', { t: 'string', v: 'gpt2' }], ['tokenizer.ggml.merges', { t: 'array', of: 'u32', v: [1, 2] }]] }, /merges should be an array of strings/],
      ['a merge without a space', { kv: [['tokenizer.ggml.model', { t: 'string', v: 'gpt2' }], ['tokenizer.ggml.merges', { t: 'array', of: 'string', v: ['ab'] }]] }, /merge #0 is not "left right"/],
      ['alignment 3', { kv: [['general.alignment', { t: 'u32', v: 3 }]] }, /not a power of two/],
    ];
    for (const [what, o, why] of meta) await rejects('GGUF', () => parseGguf(tinyLlama(o).bytes), what, why);
  });

  it('tried enough cases of each format', () => {
    console.log(`fuzz-loaders: ${Object.entries(counts).map(([f, c]) => `${f} ${c.cases} (${c.rejected} rejected)`).join(', ')}`);
    for (const c of Object.values(counts)) expect(c.cases).toBeGreaterThan(100);
  });
});
