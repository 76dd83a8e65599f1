// The generated Llama 3.2 1B-geometry checkpoint (2 layers) against the spec and against the PyTorch reference
// fixture's stamp: the fixture's numbers are only valid for the exact shard bytes they were computed from.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { ensureCheckpoint, readStamp, type CheckpointStamp } from '../../scripts/fixtures/llama-checkpoint.ts';

const FIXTURE = 'tests/fixtures/llama32-1b-2l-reference.json';
const PROMPTS = 'tests/fixtures/llama3-reference-prompts.json';
const REGENERATE = 'regenerate the fixture with `npx tsx scripts/fixtures/llama-checkpoint.ts && '
  + 'npx tsx scripts/fixtures/reference-prompts.ts && /usr/bin/python3 -m training.reference_logits` and commit '
  + `${FIXTURE} (and ${PROMPTS})`;
const root = fileURLToPath(new URL('../../', import.meta.url));
const readJson = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;

// inject() is filled by tests/checkpoint-setup.ts when vitest.config.ts lists it; standalone, generate here.
const dir = inject('checkpointDir') ?? ensureCheckpoint({ layers: 2 });
const SHARDS = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];

interface Fixture { checkpoint: CheckpointStamp; cases: { name: string; ids: number[] }[] }
interface StEntry { dtype: string; shape: number[]; data_offsets: [number, number] }

/** A safetensors file's header (without __metadata__) and where its data starts. */
function header(path: string): { entries: Record<string, StEntry>; dataStart: number } {
  const fd = openSync(path, 'r');
  try {
    const len = Buffer.alloc(8);
    readSync(fd, len, 0, 8, 0);
    const n = Number(len.readBigUInt64LE(0));
    const json = Buffer.alloc(n);
    readSync(fd, json, 0, n, 8);
    const { __metadata__: _, ...entries } = JSON.parse(json.toString('utf8')) as Record<string, StEntry>;
    return { entries, dataStart: 8 + n };
  } finally {
    closeSync(fd);
  }
}

const sha256 = (path: string) => new Promise<string>((resolve, reject) => {
  const h = createHash('sha256');
  createReadStream(path).on('data', (b) => h.update(b)).on('end', () => resolve(h.digest('hex'))).on('error', reject);
});

/** The spec's tensors: name -> [out, in] shape (nn.Linear layout), tied embeddings so no lm_head. */
function expectedTensors(layers: number): Map<string, number[]> {
  const m = new Map<string, number[]>([['model.embed_tokens.weight', [128256, 2048]], ['model.norm.weight', [2048]]]);
  for (let l = 0; l < layers; l++) {
    const p = `model.layers.${l}.`;
    m.set(`${p}input_layernorm.weight`, [2048]).set(`${p}post_attention_layernorm.weight`, [2048]);
    m.set(`${p}self_attn.q_proj.weight`, [2048, 2048]).set(`${p}self_attn.k_proj.weight`, [512, 2048]);
    m.set(`${p}self_attn.v_proj.weight`, [512, 2048]).set(`${p}self_attn.o_proj.weight`, [2048, 2048]);
    m.set(`${p}mlp.gate_proj.weight`, [8192, 2048]).set(`${p}mlp.up_proj.weight`, [8192, 2048]);
    m.set(`${p}mlp.down_proj.weight`, [2048, 8192]);
  }
  return m;
}

describe('Llama 3.2 1B-geometry checkpoint (2 layers)', () => {
  const stamp = readStamp(dir, 2);

  it('is complete and stamped', () => {
    expect(stamp, `${dir} has no valid checkpoint.json: delete the folder and rerun`).not.toBeNull();
  });

  it('matches the reference fixture it was computed from', async () => {
    const fixture = readJson<Fixture>(join(root, FIXTURE));
    const { generator: _, ...want } = fixture.checkpoint;
    const { generator: __, ...have } = stamp!;
    expect(have, `${FIXTURE} is stale (generator version, seed or shard SHA-256 differ): ${REGENERATE}`).toEqual(want);
    for (const f of SHARDS) {
      expect(await sha256(join(dir, f)), `${dir}/${f} does not hash to its stamp: delete ${dir} and rerun`).toBe(stamp!.shards[f].sha256);
    }
    const prompts = readJson<{ prompts: { name: string; ids: number[] }[] }>(join(root, PROMPTS)).prompts;
    expect(fixture.cases.map((c) => [c.name, c.ids]), `${FIXTURE} is stale (the prompts changed): ${REGENERATE}`)
      .toEqual(prompts.map((p) => [p.name, p.ids]));
  });

  it('has the config of Llama 3.2 1B cut to 2 layers', () => {
    expect(readJson(join(dir, 'config.json'))).toMatchObject({
      architectures: ['LlamaForCausalLM'], model_type: 'llama', torch_dtype: 'bfloat16', hidden_size: 2048,
      num_hidden_layers: 2, num_attention_heads: 32, num_key_value_heads: 8, head_dim: 64, intermediate_size: 8192,
      vocab_size: 128256, tie_word_embeddings: true, rms_norm_eps: 1e-5, rope_theta: 500000, max_position_embeddings: 131072,
      rope_scaling: { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
      bos_token_id: 128000, eos_token_id: [128001, 128008, 128009],
    });
    expect(readJson(join(dir, 'generation_config.json'))).toMatchObject({ bos_token_id: 128000, eos_token_id: [128001, 128008, 128009] });
    expect(readJson<{ chat_template: string }>(join(dir, 'tokenizer_config.json')).chat_template).toContain('<|start_header_id|>');
    expect(existsSync(join(dir, 'tokenizer.json'))).toBe(true);
  });

  it('indexes every tensor exactly once, in one shard, as contiguous BF16 bytes', () => {
    const index = readJson<{ metadata: { total_size: number }; weight_map: Record<string, string> }>(join(dir, 'model.safetensors.index.json'));
    const want = expectedTensors(2);
    expect(Object.keys(index.weight_map).sort()).toEqual([...want.keys()].sort());
    const seen = new Map<string, string>();
    let total = 0;
    for (const f of SHARDS) {
      const { entries, dataStart } = header(join(dir, f));
      expect(Object.keys(entries).length, `${f} is empty`).toBeGreaterThan(0);
      const spans = Object.values(entries).map((e) => e.data_offsets).sort((a, b) => a[0] - b[0]);
      spans.forEach(([b, e], i) => { expect(b).toBe(i === 0 ? 0 : spans[i - 1][1]); expect(e).toBeGreaterThan(b); });
      expect(statSync(join(dir, f)).size, `${f}: header + data`).toBe(dataStart + spans[spans.length - 1][1]);
      for (const [name, e] of Object.entries(entries)) {
        expect(seen.has(name), `${name} is in ${seen.get(name)} and ${f}`).toBe(false);
        seen.set(name, f);
        expect(index.weight_map[name], name).toBe(f);
        expect([e.dtype, e.shape], name).toEqual(['BF16', want.get(name)]);
        expect(e.data_offsets[1] - e.data_offsets[0], name).toBe(want.get(name)!.reduce((a, b) => a * b, 2));
        total += e.data_offsets[1] - e.data_offsets[0];
      }
    }
    expect(seen.size).toBe(want.size);
    expect(index.metadata.total_size).toBe(total);
  });
});
