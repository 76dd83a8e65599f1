// Byte-level BPE (GPT-2, Llama 3): regex pre-tokenization, UTF-8 bytes shown as printable characters, BPE merges.
// References: Radford et al. 2019 (GPT-2, encoder.py bytes_to_unicode); Llama 3 tokenizer (arXiv:2407.21783 §3.2,
// meta-llama/llama-models tokenizer.py pat_str); Hugging Face tokenizers pre_tokenizers/byte_level.rs.
import type { EncodeOptions, Tokenizer } from './types.ts';
import { bpeMerge, type PairRank } from './bpe.ts';
import { specialSplitter, type Segment } from './specials.ts';
import { utf8Text } from './sentencepiece.ts';

/** Llama 3's pre-tokenizer; `(?i:...)` spelled out because JS regexes lack inline flags before ES2025. */
export const LLAMA3_PATTERN =
  "'(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** GPT-2's bytes_to_unicode: printable bytes map to themselves, the other 68 to U+0100 onwards. */
function bytesToUnicode(): string[] {
  const map = new Array<string>(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    map[b] = String.fromCharCode(printable ? b : 256 + n++);
  }
  return map;
}
export const BYTE_TO_CHAR = bytesToUnicode();
/** Char code -> byte (-1 for a char that is no byte): the byte characters are all below U+0144. */
const CODE_TO_BYTE = new Int16Array(0x144).fill(-1);
BYTE_TO_CHAR.forEach((c, b) => { CODE_TO_BYTE[c.charCodeAt(0)] = b; });
const byteOf = (code: number) => (code < CODE_TO_BYTE.length ? CODE_TO_BYTE[code] : -1);

export interface ByteLevelSpec {
  pieces: string[]; // id -> piece in byte-level form ("Ġthe")
  merges: Map<string, number>; // `${left}${mergeSeparator}${right}` -> rank
  /** What joins a pair in `merges` keys: NUL (default), or " " for tokenizer.json's "left right" strings as written. */
  mergeSeparator?: string;
  pattern: string; // pre-tokenizer regex source (needs the u flag)
  /** Added tokens (id by content); `special` ones are matched only with `specials: true`. */
  added: Map<string, { id: number; special: boolean }>;
  bosId: number | null;
  eosIds: number[];
  addBos: boolean;
  /** Llama 3 / HF `ignore_merges`: a word that is itself a token is not merged piece by piece. */
  ignoreMerges: boolean;
}

const MAX_CACHE = 50_000;
const utf8 = new TextEncoder();

export class ByteLevelTokenizer implements Tokenizer {
  readonly kind = 'bytelevel' as const;
  readonly vocabSize: number;
  readonly bosId: number | null;
  readonly eosIds: number[];
  readonly specialIds: ReadonlySet<number>;
  private readonly ids = new Map<string, number>();
  private readonly addedIds = new Map<number, string>();
  private readonly regex: RegExp;
  private readonly splitAll: (text: string) => Segment[];
  private readonly splitPlain: (text: string) => Segment[];
  private readonly cache = new Map<string, number[]>(); // word -> ids: prompts repeat words
  private readonly rank: PairRank;
  private readonly spec: ByteLevelSpec;

  constructor(spec: ByteLevelSpec) {
    this.spec = spec;
    this.bosId = spec.bosId;
    this.eosIds = spec.eosIds;
    spec.pieces.forEach((p, id) => { if (!this.ids.has(p)) this.ids.set(p, id); });
    const all = new Map<string, number>(), plain = new Map<string, number>(), specials = new Set<number>();
    for (const [text, { id, special }] of spec.added) {
      all.set(text, id);
      this.addedIds.set(id, text);
      if (special) specials.add(id); else plain.set(text, id);
    }
    this.vocabSize = [...this.addedIds.keys()].reduce((n, id) => Math.max(n, id + 1), spec.pieces.length);
    this.specialIds = specials;
    this.splitAll = specialSplitter(all);
    this.splitPlain = specialSplitter(plain);
    // a vocab without all 256 byte characters cannot encode every text: refuse it now, not at the first odd byte
    const noByte = BYTE_TO_CHAR.findIndex((c) => !this.ids.has(c));
    if (noByte >= 0) throw new Error(`byte-level vocab has no token for byte 0x${noByte.toString(16).padStart(2, '0')}: the tokenizer is incomplete`);
    try { this.regex = new RegExp(spec.pattern, 'gu'); } catch {
      throw new Error(`the pre-tokenizer regex ${JSON.stringify(spec.pattern.slice(0, 60))} is not valid`);
    }
    const { merges } = spec, sep = spec.mergeSeparator ?? '\u0000';
    this.rank = (left, right) => merges.get(left + sep + right);
  }

  encode(text: string, opts: EncodeOptions = {}): number[] {
    const out: number[] = [];
    if ((opts.bos ?? this.spec.addBos) && this.bosId !== null) out.push(this.bosId);
    for (const seg of (opts.specials ? this.splitAll : this.splitPlain)(text)) {
      if (typeof seg === 'number') { out.push(seg); continue; }
      // HF Split "Isolated": matches are words, and so is any text between matches
      let last = 0;
      for (const m of seg.matchAll(this.regex)) {
        if (m.index > last) this.encodeWord(seg.slice(last, m.index), out);
        this.encodeWord(m[0], out);
        last = m.index + m[0].length;
      }
      if (last < seg.length) this.encodeWord(seg.slice(last), out);
    }
    return out;
  }

  private encodeWord(word: string, out: number[]): void {
    const hit = this.cache.get(word);
    if (hit) { for (const id of hit) out.push(id); return; }
    // TextEncoder turns an unpaired surrogate into U+FFFD's bytes (EF BF BD): such text cannot round-trip
    const chars = Array.from(utf8.encode(word), (b) => BYTE_TO_CHAR[b]);
    const whole = this.ids.get(chars.join(''));
    let ids: number[];
    if (this.spec.ignoreMerges && whole !== undefined) ids = [whole];
    else {
      const pieces = bpeMerge(chars, this.rank);
      ids = pieces.flatMap((p) => this.ids.get(p) ?? Array.from(p, (c) => this.ids.get(c) ?? this.missing(c)));
    }
    if (this.cache.size >= MAX_CACHE) this.cache.clear();
    this.cache.set(word, ids);
    for (const id of ids) out.push(id);
  }

  private missing(c: string): never {
    throw new Error(`byte-level vocab has no token for byte 0x${byteOf(c.charCodeAt(0)).toString(16)}`);
  }

  tokenBytes(id: number): Uint8Array {
    const added = this.addedIds.get(id);
    if (added !== undefined) return utf8.encode(added);
    const piece = this.spec.pieces[id] ?? '';
    // each byte character is one UTF-16 unit, so a byte-level piece of n units is n bytes
    const out = new Uint8Array(piece.length);
    for (let i = 0; i < piece.length; i++) {
      const b = byteOf(piece.charCodeAt(i));
      if (b < 0) return utf8.encode(piece); // not byte-level text: show it as written
      out[i] = b;
    }
    return out;
  }

  decode(ids: number[]): string {
    return utf8Text(ids.filter((id) => !this.specialIds.has(id)).map((id) => this.tokenBytes(id)));
  }

  tokenText(id: number): string { return this.addedIds.get(id) ?? this.spec.pieces[id] ?? `[${id}]`; }

  tokenId(text: string): number | undefined { return this.spec.added.get(text)?.id ?? this.ids.get(text); }
}
