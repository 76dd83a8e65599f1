// Hugging Face folders: config.json mapping, safetensors tensors (single and sharded), and one-line errors.
import { describe, expect, it } from 'vitest';
import { loadHfModel } from '../../workers/loader/hf.ts';
import { loadModelFromBytes } from '../../workers/loader/index.ts';
import { readSafetensorsFrom } from '../../workers/loader/safetensors.ts';
import { memorySource } from '../../workers/loader/source.ts';
import { readF32 } from '../../workers/model/tensor.ts';
import { json, safetensorsBytes, tinyHfModel, TINY_HF, type StTensor } from './fixtures-loader/hf-writer.ts';

/** The one-line Error a corrupt folder must fail with (never a RangeError or TypeError). */
async function failure(f: () => unknown): Promise<string> {
  try { await f(); } catch (e) {
    expect((e as Error).constructor).toBe(Error);
    expect((e as Error).message).not.toMatch(/\n/);
    return (e as Error).message;
  }
  throw new Error('expected the model to be rejected');
}

const withFile = (files: Map<string, Uint8Array>, name: string, bytes: Uint8Array | null) => {
  const m = new Map(files);
  if (bytes) m.set(name, bytes); else m.delete(name);
  return m;
};

describe('Hugging Face loader', () => {
  it('maps config.json to LlamaConfig', async () => {
    const m = await loadHfModel(tinyHfModel().files, 'tiny-hf');
    expect(m.config).toEqual({
      architecture: 'llama', ...TINY_HF, contextLength: 128, normEps: 1e-5, ropeTheta: 500000, ropeScaling: null,
      ropeStyle: 'halves', tiedEmbeddings: false,
    });
    expect(m.format).toBe('safetensors');
    expect(m.name).toBe('tiny-hf');
    expect(m.bosToken).toBe('<|begin_of_text|>');
  });

  it('maps HF tensor names to the weights: gate = w1, up = w3, down = w2', async () => {
    const { files, values } = tinyHfModel();
    const w = (await loadHfModel(files)).weights;
    const v = (n: string) => values.get(n);
    expect(await readF32(w.tokenEmbedding)).toEqual(v('model.embed_tokens.weight'));
    expect(w.layers[1].attnNorm).toEqual(v('model.layers.1.input_layernorm.weight'));
    expect(await readF32(w.layers[1].wq)).toEqual(v('model.layers.1.self_attn.q_proj.weight'));
    expect(await readF32(w.layers[1].wk)).toEqual(v('model.layers.1.self_attn.k_proj.weight'));
    expect(await readF32(w.layers[1].wv)).toEqual(v('model.layers.1.self_attn.v_proj.weight'));
    expect(await readF32(w.layers[1].wo)).toEqual(v('model.layers.1.self_attn.o_proj.weight'));
    expect(w.layers[0].ffnNorm).toEqual(v('model.layers.0.post_attention_layernorm.weight'));
    expect(await readF32(w.layers[0].w1)).toEqual(v('model.layers.0.mlp.gate_proj.weight'));
    expect(await readF32(w.layers[0].w3)).toEqual(v('model.layers.0.mlp.up_proj.weight'));
    expect(await readF32(w.layers[0].w2)).toEqual(v('model.layers.0.mlp.down_proj.weight'));
    expect(w.finalNorm).toEqual(v('model.norm.weight'));
    expect(await readF32(w.output)).toEqual(v('lm_head.weight'));
  });

  it('ties the head when lm_head is absent or tie_word_embeddings is true', async () => {
    for (const m of [await loadHfModel(tinyHfModel({ lmHead: false }).files), await loadHfModel(tinyHfModel({ config: { tie_word_embeddings: true } }).files)]) {
      expect(m.config.tiedEmbeddings).toBe(true);
      expect(m.weights.output).toBe(m.weights.tokenEmbedding);
    }
  });

  it('reads head_dim, llama3 rope_scaling (rope_type or type) and defaults', async () => {
    const scaling = { factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 };
    for (const key of ['rope_type', 'type']) {
      const m = await loadHfModel(tinyHfModel({ config: { head_dim: 4, rope_scaling: { ...scaling, [key]: 'llama3' } } }).files);
      expect(m.config.ropeScaling).toEqual({ type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 });
    }
    const d = await loadHfModel(tinyHfModel({ config: { num_key_value_heads: undefined, rope_theta: undefined, rms_norm_eps: undefined } }).files.set(
      'model.safetensors', safetensorsBytes(tinyHfModel().tensors.map((t) => (/[kv]_proj/.test(t.name) ? { ...t, shape: [16, 16], data: new Uint8Array(16 * 16 * 4) } : t))),
    ));
    expect(d.config).toMatchObject({ nKvHeads: 4, ropeTheta: 10000, normEps: 1e-6 });
  });

  it('converts F16 and BF16 tensors', async () => {
    const { files, tensors } = tinyHfModel();
    const half = (bits: number[]) => new Uint8Array(Uint16Array.from(bits).buffer);
    const n = TINY_HF.dim;
    const swapped = tensors.map((t): StTensor => {
      if (t.name === 'model.norm.weight') return { ...t, dtype: 'F16', data: half(Array.from({ length: n }, (_, i) => 0x3c00 + i)) };
      if (t.name === 'model.layers.0.input_layernorm.weight') return { ...t, dtype: 'BF16', data: half(Array(n).fill(0xc0a0)) };
      return t;
    });
    const m = await loadHfModel(withFile(files, 'model.safetensors', safetensorsBytes(swapped)));
    expect(Array.from(m.weights.finalNorm)).toEqual(Array.from({ length: n }, (_, i) => 1 + i / 1024));
    expect(Array.from(m.weights.layers[0].attnNorm)).toEqual(Array(n).fill(-5));
    expect(m.tensors.find((t) => t.name === 'model.norm.weight')).toEqual({ name: 'model.norm.weight', shape: [n], dtype: 'F16', bytes: 2 * n });
  });

  it('takes chat_template.jinja, where the folder has one, over tokenizer_config.json\'s template', async () => {
    const { files } = tinyHfModel();
    const plain = await loadHfModel(files);
    const withJinja = await loadHfModel(withFile(files, 'chat_template.jinja', new TextEncoder().encode('{{ messages[0].content }}!')));
    expect(withJinja.chatTemplate).toBe('{{ messages[0].content }}!');
    expect(plain.chatTemplate).not.toBe(withJinja.chatTemplate);
  });

  it('follows model.safetensors.index.json across shards', async () => {
    const { files, tensors, values } = tinyHfModel();
    const [a, b] = [tensors.slice(0, 7), tensors.slice(7)];
    const weightMap = Object.fromEntries([...a.map((t) => [t.name, 'model-00001-of-00002.safetensors']), ...b.map((t) => [t.name, 'model-00002-of-00002.safetensors'])]);
    const sharded = withFile(files, 'model.safetensors', null);
    sharded.set('model-00001-of-00002.safetensors', safetensorsBytes(a));
    sharded.set('model-00002-of-00002.safetensors', safetensorsBytes(b));
    sharded.set('model.safetensors.index.json', json({ metadata: {}, weight_map: weightMap }));
    expect(await readF32((await loadHfModel(sharded)).weights.layers[1].w2)).toEqual(values.get('model.layers.1.mlp.down_proj.weight'));
    sharded.delete('model-00002-of-00002.safetensors');
    expect(await failure(() => loadHfModel(sharded))).toBe('model.safetensors.index.json lists shards that were not loaded: model-00002-of-00002.safetensors');
  });

  it('is chosen by loadModelFromBytes when config.json is among the files', async () => {
    const files = [...tinyHfModel().files].map(([name, bytes]) => ({ name: `tiny/${name}`, bytes }));
    expect(await loadModelFromBytes(files)).toMatchObject({ format: 'safetensors', name: 'tiny' });
    expect(await failure(() => loadModelFromBytes([{ name: 'x.safetensors', bytes: new Uint8Array(8) }]))).toMatch(/needs its config.json/);
    expect(await failure(() => loadModelFromBytes([{ name: 'notes.txt', bytes: new Uint8Array(8) }]))).toMatch(/^not a model/);
  });
});

describe('corrupt Hugging Face files', () => {
  const { files, tensors } = tinyHfModel();
  const st = (bytes: Uint8Array) => failure(() => loadHfModel(withFile(files, 'model.safetensors', bytes)));

  it('rejects a bad header length or header', async () => {
    const good = safetensorsBytes(tensors);
    const huge = good.slice(); new DataView(huge.buffer).setBigUint64(0, 2n ** 60n, true);
    expect(await st(huge)).toMatch(/^corrupt safetensors file model.safetensors: header length \d+ does not fit in a file of \d+ bytes$/);
    expect(await st(good.subarray(0, 5))).toMatch(/too short/);
    const notJson = good.slice(); notJson[8] = 0x7a;
    expect(await st(notJson)).toBe('corrupt safetensors file model.safetensors: the header is not valid JSON');
    for (let cut = 0; cut < good.length; cut += 37) {
      const msg = await failure(async () => {
        const cutFile = memorySource('cut.safetensors', good.subarray(0, cut));
        for (const t of (await readSafetensorsFrom(cutFile)).values()) await cutFile.read(t.offset, t.bytes);
      });
      expect(msg).toMatch(/cut\.safetensors/);
    }
  });

  it('rejects offsets outside the data and sizes that disagree with the shape', async () => {
    expect(await st(safetensorsBytes(tensors, (h) => { (h['model.norm.weight'] as { data_offsets: number[] }).data_offsets = [0, 1e9]; })))
      .toMatch(/tensor model.norm.weight data_offsets \[0,1000000000\] fall outside the \d+ data bytes/);
    expect(await st(safetensorsBytes(tensors, (h) => { (h['model.norm.weight'] as { data_offsets: number[] }).data_offsets = [8, 4]; })))
      .toMatch(/data_offsets \[8,4\] fall outside/);
    expect(await st(safetensorsBytes(tensors, (h) => { (h['model.norm.weight'] as { shape: number[] }).shape = [17]; })))
      .toMatch(/tensor model.norm.weight of shape \[17\] F32 needs 68 bytes, has 64/);
  });

  it('names an unsupported dtype, a missing tensor, a wrong shape', async () => {
    const i32 = tensors.map((t) => (t.name === 'model.norm.weight' ? { ...t, dtype: 'I32' } : t));
    expect(await st(safetensorsBytes(i32))).toBe('unsupported dtype I32 for tensor model.norm.weight in model.safetensors: supported F32, F16, BF16');
    expect(await st(safetensorsBytes(tensors.filter((t) => t.name !== 'model.layers.1.mlp.up_proj.weight'))))
      .toBe('model file is missing tensor model.layers.1.mlp.up_proj.weight');
    const wrong = tensors.map((t) => (t.name === 'model.layers.0.self_attn.k_proj.weight' ? { ...t, shape: [16, 8] } : t));
    expect(await st(safetensorsBytes(wrong))).toBe('tensor model.layers.0.self_attn.k_proj.weight has shape [16, 8], expected [8, 16] from the model config');
  });

  it('rejects a bad config.json', async () => {
    const cfg = (c: unknown) => failure(() => loadHfModel(withFile(files, 'config.json', json(c))));
    expect(await cfg({ model_type: 'qwen2' })).toBe('unsupported model_type "qwen2" in config.json: this playground runs llama models');
    expect(await cfg({ model_type: 'llama', hidden_size: 16 })).toBe('config.json is missing num_attention_heads');
    expect(await cfg({ model_type: 'llama', hidden_size: '16' })).toMatch(/config.json hidden_size should be a number/);
    expect(await failure(() => loadHfModel(withFile(files, 'config.json', new TextEncoder().encode('{oops'))))).toBe('config.json is not valid JSON');
    expect(await failure(() => loadHfModel(withFile(files, 'tokenizer.json', null)))).toMatch(/missing tokenizer.json/);
    const rope = JSON.parse(new TextDecoder().decode(files.get('config.json')));
    expect(await cfg({ ...rope, rope_scaling: { rope_type: 'yarn', factor: 4 } })).toBe('unsupported rope_scaling type "yarn": supported llama3');
  });
});
