// A llama GGUF -> llama2.c's legacy checkpoint (model.bin) and tokenizer.bin, so bench/llama2c/run.c can run
// the very model our CPU engine runs. Reference: bench/llama2c/run.c (checkpoint_init_weights, the tokenizer
// reader in main); karpathy/llama2.c export.py legacy_export and tokenizer.py export.
// No Q/K permutation: a GGUF already stores llama2.c's order (RoPE on adjacent pairs, ropeStyle 'interleaved').
//   npx tsx scripts/bench/gguf-to-llama2c.ts MODEL.gguf     (writes into a fresh dir under os.tmpdir())
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseGguf } from '../../workers/loader/gguf.ts';
import { readGguf } from '../../workers/loader/gguf-reader.ts';
import type { LlamaConfig } from '../../workers/model/config.ts';
import type { LlamaWeights } from '../../workers/model/weights.ts';
import { readF32 } from '../../workers/model/tensor.ts';

/** What run.c hardcodes or assumes; a model outside it would give llama2.c different numbers. */
function checkFits(c: LlamaConfig): void {
  const bad = c.headDim * c.nHeads !== c.dim ? `headDim ${c.headDim} x nHeads ${c.nHeads} != dim ${c.dim}`
    : c.ropeTheta !== 10000 ? `ropeTheta ${c.ropeTheta} (run.c uses 10000)`
      : Math.abs(c.normEps - 1e-5) > 1e-9 ? `normEps ${c.normEps} (run.c uses 1e-5)`
        : c.ropeScaling ? 'RoPE scaling (run.c has none)'
          : c.ropeStyle !== 'interleaved' ? `RoPE style ${c.ropeStyle} (run.c rotates adjacent pairs)` : null;
  if (bad) throw new Error(`this model does not fit llama2.c's run.c: ${bad}`);
}

/** model.bin: 7 int32 (Config), then f32 arrays in checkpoint_init_weights order, each stacked over layers. */
export async function checkpointBytes(c: LlamaConfig, w: LlamaWeights): Promise<Uint8Array> {
  checkFits(c);
  const seqLen = c.contextLength;
  const half = (c.headDim / 2) * seqLen;
  // freq_cis_real/imag (seq_len, head_size/2): unused by this run.c (it computes RoPE inline), filled for older ones
  const real = new Float32Array(half), imag = new Float32Array(half);
  for (let p = 0; p < seqLen; p++) {
    for (let i = 0; i < c.headDim / 2; i++) {
      const angle = p * c.ropeTheta ** (-(2 * i) / c.headDim);
      real[p * (c.headDim / 2) + i] = Math.cos(angle);
      imag[p * (c.headDim / 2) + i] = Math.sin(angle);
    }
  }
  const L = w.layers;
  const f32 = (ts: LlamaWeights['tokenEmbedding'][]) => Promise.all(ts.map(readF32)); // small models only
  const arrays: Float32Array[] = [
    ...await f32([w.tokenEmbedding]), // (vocab, dim)
    ...L.map((l) => l.attnNorm), // rms_att_weight (layer, dim)
    ...await f32(L.map((l) => l.wq)), ...await f32(L.map((l) => l.wk)), ...await f32(L.map((l) => l.wv)), ...await f32(L.map((l) => l.wo)),
    ...L.map((l) => l.ffnNorm), // rms_ffn_weight (layer, dim)
    ...await f32(L.map((l) => l.w1)), ...await f32(L.map((l) => l.w2)), ...await f32(L.map((l) => l.w3)),
    w.finalNorm, real, imag,
    ...(c.tiedEmbeddings ? [] : await f32([w.output])), // wcls (vocab, dim), only when not shared
  ];
  const floats = arrays.reduce((n, a) => n + a.length, 0);
  const out = new ArrayBuffer(7 * 4 + floats * 4);
  // a negative vocab_size tells run.c the classifier is not the embedding
  new Int32Array(out, 0, 7).set([c.dim, c.hiddenDim, c.nLayers, c.nHeads, c.nKvHeads, c.tiedEmbeddings ? c.vocabSize : -c.vocabSize, seqLen]);
  const f = new Float32Array(out, 7 * 4);
  let at = 0;
  for (const a of arrays) { f.set(a, at); at += a.length; }
  return new Uint8Array(out);
}

/** tokenizer.bin: max_token_length int32, then per token f32 score, int32 byte length, UTF-8 bytes. */
export function tokenizerBytes(pieces: string[], scores: ArrayLike<number>): Uint8Array {
  // llama2.c's tokenizer keeps byte tokens as "<0x0A>" and writes SentencePiece's '▁' as a plain space
  const encoded = pieces.map((p) => new TextEncoder().encode(p.replaceAll('\u2581', ' ')));
  const maxLen = encoded.reduce((m, e) => Math.max(m, e.length), 0);
  const out = new DataView(new ArrayBuffer(4 + encoded.reduce((n, e) => n + 8 + e.length, 0)));
  out.setInt32(0, maxLen, true);
  let at = 4;
  encoded.forEach((e, i) => {
    out.setFloat32(at, scores[i], true);
    out.setInt32(at + 4, e.length, true);
    new Uint8Array(out.buffer, at + 8, e.length).set(e);
    at += 8 + e.length;
  });
  return new Uint8Array(out.buffer);
}

/** Converts GGUF bytes and writes model.bin and tokenizer.bin into `dir`. */
export async function convertGguf(bytes: Uint8Array, dir: string): Promise<{ model: string; tokenizer: string; config: LlamaConfig }> {
  const loaded = await parseGguf(bytes);
  if (loaded.tokenizer.kind !== 'sentencepiece') throw new Error('llama2.c needs a SentencePiece (tokenizer.ggml.model "llama") vocabulary');
  const meta = readGguf(bytes).metadata;
  const pieces = meta.get('tokenizer.ggml.tokens') as string[];
  const scores = (meta.get('tokenizer.ggml.scores') as ArrayLike<number> | undefined) ?? new Float32Array(pieces.length);
  if (pieces.length !== loaded.config.vocabSize) throw new Error(`the vocabulary has ${pieces.length} tokens, the model ${loaded.config.vocabSize}`);
  const model = join(dir, 'model.bin'), tokenizer = join(dir, 'tokenizer.bin');
  writeFileSync(model, await checkpointBytes(loaded.config, loaded.weights));
  writeFileSync(tokenizer, tokenizerBytes(pieces, scores));
  return { model, tokenizer, config: loaded.config };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file] = process.argv.slice(2);
  if (!file) { console.error('usage: npx tsx scripts/bench/gguf-to-llama2c.ts MODEL.gguf'); process.exit(1); }
  convertGguf(readFileSync(file), mkdtempSync(join(tmpdir(), 'llama2c-'))).then(
    (r) => console.log(`${r.model}\n${r.tokenizer}`),
    (e) => { console.error(e instanceof Error ? e.message : String(e)); process.exit(1); },
  );
}
