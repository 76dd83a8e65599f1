// Hugging Face tokenizer.json (+ tokenizer_config.json, generation_config.json) -> a Tokenizer.
// Reference: huggingface/tokenizers (models/bpe, pre_tokenizers byte_level / split / metaspace, normalizers
// prepend / replace, processors/template); transformers tokenization_utils (bos_token, eos_token, chat_template).
// Two families: byte-level BPE (Llama 3: ByteLevel pre-tokenizer and decoder) and SentencePiece-style BPE with
// byte fallback (Llama 2 / TinyLlama: "▁" for spaces, <0xNN> pieces).
import type { Tokenizer } from './types.ts';
import { ByteLevelTokenizer } from './bytelevel.ts';
import { SentencePieceTokenizer, SPACE } from './sentencepiece.ts';
import { jsRegexSource } from './hf-regex.ts';
import { printable } from '../loader/gguf-reader.ts';
import { idLookup, pairRank, readMerges, readPieces, type AddedToken } from './hf-vocab.ts';

type Json = Record<string, unknown>;

export interface HfTokenizer {
  tokenizer: Tokenizer;
  chatTemplate: string | null;
  bosToken: string | null;
  eosToken: string | null;
}

/** GPT-2's pre-tokenizer: ByteLevel with use_regex true and no Split before it. */
const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

const obj = (v: unknown): Json | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null);

/** The steps of a normalizer / pre-tokenizer / decoder / post-processor, with Sequence flattened. */
function steps(node: unknown): Json[] {
  const n = obj(node);
  if (!n) return [];
  if (n.type !== 'Sequence') return [n];
  const key = ['normalizers', 'pretokenizers', 'decoders', 'processors'].find((k) => n[k] !== undefined);
  const inner = key ? n[key] : [];
  if (!Array.isArray(inner)) throw new Error(`tokenizer.json Sequence ${key} should be a list`);
  return inner.flatMap(steps);
}

/** A token string from tokenizer_config.json: a plain string or an AddedToken object {content}; absent or null is null. */
function tokenString(v: unknown, key: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof obj(v)?.content === 'string') return obj(v)!.content as string;
  throw new Error(`tokenizer_config.json ${key} should be a token string, found ${JSON.stringify(v)?.slice(0, 40)}`);
}

function parseJson(bytes: Uint8Array | undefined, file: string): Json | null {
  if (!bytes) return null;
  let v: unknown;
  try { v = JSON.parse(new TextDecoder().decode(bytes)); } catch { throw new Error(`${file} is not valid JSON`); }
  if (!obj(v)) throw new Error(`${file} is not a JSON object`);
  return v as Json;
}

/** Builds the tokenizer from the raw bytes of tokenizer.json and the optional config files. */
export function hfTokenizer(tokenizerJson: Uint8Array, tokenizerConfig?: Uint8Array, generationConfig?: Uint8Array): HfTokenizer {
  const tj = parseJson(tokenizerJson, 'tokenizer.json')!;
  const tc = parseJson(tokenizerConfig, 'tokenizer_config.json') ?? {};
  const gc = parseJson(generationConfig, 'generation_config.json') ?? {};
  const model = obj(tj.model);
  if (!model || model.type !== 'BPE') throw new Error(`unsupported tokenizer.json model type "${String(model?.type)}": supported BPE`);
  const vocab = obj(model.vocab);
  if (!vocab) throw new Error('tokenizer.json model has no vocab');

  // id -> piece, the id of a named token, and the merge ranks: read without copies per entry (hf-vocab.ts)
  if (tj.added_tokens !== undefined && tj.added_tokens !== null && !Array.isArray(tj.added_tokens)) throw new Error('tokenizer.json added_tokens should be a list');
  const added: AddedToken[] = (Array.isArray(tj.added_tokens) ? tj.added_tokens : []).map(obj)
    .flatMap((a) => (typeof a?.content === 'string' ? [{ content: a.content, id: a.id as number, special: a.special === true }] : []));
  const pieces = readPieces(vocab, added);
  const lookup = idLookup(vocab, added);
  const merges = readMerges(model.merges);

  // BOS: tokenizer_config's bos_token, or the special token TemplateProcessing puts first
  const template = steps(tj.post_processor).find((p) => p.type === 'TemplateProcessing');
  const first = obj(obj(Array.isArray(template?.single) ? template.single[0] : null)?.SpecialToken);
  const isId = (id: unknown): id is number => Number.isInteger(id) && (id as number) >= 0 && (id as number) < pieces.length;
  let templateBos: number | undefined;
  if (typeof first?.id === 'string') {
    const ids = obj(obj(template!.special_tokens)?.[first.id])?.ids;
    if (ids !== undefined && !(Array.isArray(ids) && ids.every(isId))) throw new Error(`tokenizer.json TemplateProcessing special_tokens ${printable(first.id)} ids should be token ids`);
    templateBos = (ids as number[] | undefined)?.[0] ?? lookup(first.id);
  }
  const named = (key: 'bos_token' | 'eos_token') => {
    const s = tokenString(tc[key], key);
    if (s !== null && lookup(s) === undefined) throw new Error(`tokenizer_config.json ${key} ${JSON.stringify(printable(s))} is not in the vocab`);
    return s;
  };
  const bosId = lookup(named('bos_token')) ?? templateBos ?? null;
  if (tc.add_bos_token !== undefined && tc.add_bos_token !== null && typeof tc.add_bos_token !== 'boolean') throw new Error('tokenizer_config.json add_bos_token should be true or false');
  const addBos = typeof tc.add_bos_token === 'boolean' ? tc.add_bos_token : templateBos !== undefined;
  const eosToken = named('eos_token');
  const genEos = gc.eos_token_id === undefined || gc.eos_token_id === null ? [] : [gc.eos_token_id].flat();
  // the model's vocab may be larger than the tokenizer's (padded rows), so an eos id is checked only for being an id
  if (!genEos.every((id) => Number.isInteger(id) && (id as number) >= 0)) throw new Error('generation_config.json eos_token_id should be a token id or a list of token ids');
  const eosIds = [...new Set([lookup(eosToken), ...genEos])].filter((id): id is number => Number.isInteger(id));

  const specialIds = new Set(added.filter((a) => a.special).map((a) => a.id));
  const pre = steps(tj.pre_tokenizer);
  const byteLevel = [...pre, ...steps(tj.decoder)].some((s) => s.type === 'ByteLevel');
  let tokenizer: Tokenizer;
  if (byteLevel) {
    tokenizer = new ByteLevelTokenizer({
      pieces,
      merges: merges.ranks,
      mergeSeparator: merges.separator,
      pattern: byteLevelPattern(pre),
      added: new Map(added.map((a) => [a.content, { id: a.id, special: a.special }])),
      bosId,
      eosIds,
      addBos,
      ignoreMerges: model.ignore_merges === true,
    });
  } else {
    const norm = steps(tj.normalizer);
    const meta = pre.find((p) => p.type === 'Metaspace');
    const scheme = meta ? (meta.prepend_scheme ?? (meta.add_prefix_space === false ? 'never' : 'always')) : norm.some((n) => n.type === 'Prepend' && n.prepend === SPACE) ? 'always' : 'never';
    tokenizer = new SentencePieceTokenizer({
      pieces,
      rank: pairRank(merges),
      specialIds,
      specialTokens: new Map(added.map((a) => [a.content, a.id])),
      bosId,
      eosIds,
      addBos,
      prefix: scheme === 'first' || scheme === 'never' ? scheme : 'always',
      unkId: lookup(typeof model.unk_token === 'string' ? model.unk_token : null) ?? null,
      splitWords: meta !== undefined && meta.split !== false,
    });
  }
  return {
    tokenizer,
    chatTemplate: chatTemplate(tc.chat_template),
    bosToken: bosId === null ? null : pieces[bosId],
    eosToken: eosToken ?? (eosIds.length ? pieces[eosIds[0]] : null),
  };
}

/** The pre-tokenizer regex: a Split's pattern (Llama 3), else GPT-2's when ByteLevel splits by itself. */
function byteLevelPattern(pre: Json[]): string {
  const split = pre.find((p) => p.type === 'Split');
  if (split) {
    const pat = obj(split.pattern);
    if (split.behavior !== 'Isolated' || split.invert === true) throw new Error(`unsupported Split pre-tokenizer behavior ${String(split.behavior)}`);
    if (typeof pat?.Regex === 'string') return jsRegexSource(pat.Regex);
    if (typeof pat?.String === 'string') return pat.String.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    throw new Error('tokenizer.json Split pre-tokenizer has no pattern');
  }
  const bl = pre.find((p) => p.type === 'ByteLevel');
  return bl && bl.use_regex !== false ? GPT2_PATTERN : '[\\s\\S]+';
}

/** tokenizer_config.json chat_template: a string, or a list of named templates of which "default" is used. */
function chatTemplate(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const named = v.map(obj).find((t) => t?.name === 'default') ?? obj(v[0]);
    if (typeof named?.template === 'string') return named.template;
  }
  throw new Error('tokenizer_config.json chat_template should be a string or a list of {name, template}');
}
