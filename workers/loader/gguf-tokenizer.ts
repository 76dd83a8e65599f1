// The tokenizer embedded in a GGUF file's metadata (tokenizer.ggml.*).
// Reference: ggml/docs/gguf.md "Tokenizer"; llama.cpp src/llama-vocab.cpp (token types, add_bos / space prefix defaults).
import type { Tokenizer } from '../tokenizer/types.ts';
import { SentencePieceTokenizer } from '../tokenizer/sentencepiece.ts';
import { ByteLevelTokenizer, LLAMA3_PATTERN } from '../tokenizer/bytelevel.ts';
import { printable, type GgufValue } from './gguf-reader.ts';

// llama_token_type: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
const UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4;
const LLAMA3_PRE = new Set(['llama3', 'llama-v3', 'llama-bpe']); // llama.cpp's names for the Llama 3 pre-tokenizer

export interface GgufTokenizer {
  tokenizer: Tokenizer;
  chatTemplate: string | null;
  bosToken: string | null;
  eosToken: string | null;
}

type Meta = Map<string, GgufValue>;

function opt<T extends 'number' | 'string' | 'boolean'>(meta: Meta, key: string, type: T) {
  const v = meta.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== type) throw new Error(`GGUF metadata ${key} should be a ${type}, found ${Array.isArray(v) ? 'an array' : typeof v}`);
  return v as T extends 'number' ? number : T extends 'string' ? string : boolean;
}

function stringArray(meta: Meta, key: string): string[] | undefined {
  const v = meta.get(key);
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw new Error(`GGUF metadata ${key} should be an array of strings`);
  return v as string[];
}

function numberArray(meta: Meta, key: string, n: number): ArrayLike<number> | undefined {
  const v = meta.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || Array.isArray(v) || v.length !== n) throw new Error(`GGUF metadata ${key} should be ${n} numbers`);
  return v as ArrayLike<number>;
}

export function ggufTokenizer(meta: Meta): GgufTokenizer {
  const model = opt(meta, 'tokenizer.ggml.model', 'string');
  const tokens = stringArray(meta, 'tokenizer.ggml.tokens');
  if (model === undefined || tokens === undefined) throw new Error('GGUF file has no embedded tokenizer (tokenizer.ggml.model / tokens)');
  const id = (key: string) => {
    const v = opt(meta, key, 'number');
    if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v < tokens.length)) throw new Error(`GGUF metadata ${key} = ${v} is not a token id`);
    return v;
  };
  const types = numberArray(meta, 'tokenizer.ggml.token_type', tokens.length);
  const bosId = id('tokenizer.ggml.bos_token_id') ?? null;
  const eosId = id('tokenizer.ggml.eos_token_id');
  // chat models end a turn with <|eot_id|> / <|eom_id|>, so those stop generation too
  const eosIds = [...new Set([eosId, id('tokenizer.ggml.eot_token_id'), id('tokenizer.ggml.eom_token_id')])].filter((x) => x !== undefined);
  const addBos = opt(meta, 'tokenizer.ggml.add_bos_token', 'boolean');
  const pre = opt(meta, 'tokenizer.ggml.pre', 'string') ?? 'default';

  const specialIds = new Set<number>([bosId, ...eosIds].filter((x) => x !== null));
  const added = new Map<string, { id: number; special: boolean }>();
  if (types) {
    for (let i = 0; i < tokens.length; i++) {
      if (types[i] === CONTROL || types[i] === UNKNOWN) specialIds.add(i);
      if (types[i] === CONTROL || types[i] === USER_DEFINED) added.set(tokens[i], { id: i, special: types[i] === CONTROL });
    }
  }

  let tokenizer: Tokenizer;
  if (model === 'llama') {
    const scores = numberArray(meta, 'tokenizer.ggml.scores', tokens.length) ?? new Float32Array(tokens.length);
    const ids = new Map<string, number>();
    tokens.forEach((t, i) => { if (!ids.has(t)) ids.set(t, i); });
    const unk = id('tokenizer.ggml.unknown_token_id') ?? ids.get('<unk>') ?? null;
    if (unk !== null) specialIds.add(unk);
    tokenizer = new SentencePieceTokenizer({
      pieces: tokens,
      // llama.cpp / llama2.c: the pair whose merged piece has the highest score merges first
      rank: (l, r) => { const m = ids.get(l + r); return m === undefined ? undefined : -scores[m]; },
      specialIds,
      specialTokens: new Map([...added].map(([t, a]) => [t, a.id])),
      bosId,
      eosIds,
      addBos: addBos ?? true,
      prefix: opt(meta, 'tokenizer.ggml.add_space_prefix', 'boolean') === false ? 'never' : 'always',
      unkId: unk,
    });
  } else if (model === 'gpt2') {
    const merges = new Map<string, number>();
    (stringArray(meta, 'tokenizer.ggml.merges') ?? []).forEach((m, rank) => {
      const sp = m.indexOf(' ', 1); // a merge is "left right"; neither side contains a space in byte-level form
      if (sp < 0) throw new Error(`GGUF metadata tokenizer.ggml.merges: merge #${rank} is not "left right"`);
      merges.set(`${m.slice(0, sp)}\u0000${m.slice(sp + 1)}`, rank);
    });
    tokenizer = new ByteLevelTokenizer({
      pieces: tokens,
      merges,
      pattern: LLAMA3_PATTERN,
      added,
      bosId,
      eosIds,
      addBos: addBos ?? LLAMA3_PRE.has(pre),
      ignoreMerges: LLAMA3_PRE.has(pre),
    });
  } else {
    throw new Error(`unsupported GGUF tokenizer model "${printable(model)}": supported llama (SentencePiece) and gpt2 (byte-level BPE)`);
  }
  return {
    tokenizer,
    chatTemplate: opt(meta, 'tokenizer.chat_template', 'string') ?? null,
    bosToken: bosId === null ? null : tokens[bosId],
    eosToken: eosId === undefined ? null : tokens[eosId],
  };
}
