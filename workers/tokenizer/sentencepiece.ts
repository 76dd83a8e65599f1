// SentencePiece-style BPE over characters with byte fallback (Llama 1/2, TinyLlama, llama2.c's tinystories).
// References: Kudo & Richardson 2018 (arXiv:1808.06226); llama2.c run.c encode/decode; llama.cpp llm_tokenizer_spm.
// Text -> optional dummy-prefix "▁" -> spaces become "▁" -> split into characters -> BPE merges -> each piece's id,
// or, for a piece not in the vocab, the ids of its UTF-8 bytes' `<0xNN>` tokens.
import type { EncodeOptions, Tokenizer } from './types.ts';
import { bpeMerge, type PairRank } from './bpe.ts';
import { specialSplitter, type Segment } from './specials.ts';

export const SPACE = '\u2581'; // "▁", SentencePiece's visible space

export interface SentencePieceSpec {
  pieces: string[]; // id -> piece
  /** Merge priority of two adjacent pieces: GGUF ranks by the merged piece's score, HF by the merges list. */
  rank: PairRank;
  /** Ids whose text is control, not content (BOS, EOS, <unk> ...): dropped by decode. */
  specialIds: Set<number>;
  /** Strings matched in the text when encode is called with `specials: true`. */
  specialTokens: Map<string, number>;
  bosId: number | null;
  eosIds: number[];
  addBos: boolean;
  /** Where the dummy-prefix "▁" goes: before every text segment, only at the start, or nowhere. */
  prefix: 'always' | 'first' | 'never';
  unkId: number | null;
  /** HF Metaspace `split`: every "▁" starts a new word, and merges never cross words. */
  splitWords?: boolean;
}

const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;
const utf8 = new TextEncoder();

export class SentencePieceTokenizer implements Tokenizer {
  readonly kind = 'sentencepiece' as const;
  readonly vocabSize: number;
  readonly bosId: number | null;
  readonly eosIds: number[];
  readonly specialIds: ReadonlySet<number>;
  private readonly ids = new Map<string, number>();
  private readonly byteIds = new Int32Array(256).fill(-1); // byte -> id of its <0xNN> piece
  private readonly byteOf: Int16Array; // id -> byte value for <0xNN> pieces, else -1
  private readonly split: (text: string) => Segment[];
  private readonly spec: SentencePieceSpec;

  constructor(spec: SentencePieceSpec) {
    this.spec = spec;
    this.vocabSize = spec.pieces.length;
    this.bosId = spec.bosId;
    this.eosIds = spec.eosIds;
    this.specialIds = spec.specialIds;
    this.byteOf = new Int16Array(spec.pieces.length).fill(-1);
    spec.pieces.forEach((p, id) => {
      if (!this.ids.has(p)) this.ids.set(p, id); // first id wins on duplicates, as in sentencepiece
      const m = BYTE_PIECE.exec(p);
      if (m) { const b = parseInt(m[1], 16); this.byteOf[id] = b; if (this.byteIds[b] < 0) this.byteIds[b] = id; }
    });
    this.split = specialSplitter(spec.specialTokens);
  }

  encode(text: string, opts: EncodeOptions = {}): number[] {
    const out: number[] = [];
    if ((opts.bos ?? this.spec.addBos) && this.bosId !== null) out.push(this.bosId);
    const segments = opts.specials ? this.split(text) : [text];
    segments.forEach((seg, i) => {
      if (typeof seg === 'number') out.push(seg);
      else if (seg.length > 0) this.encodeText(seg, this.spec.prefix === 'always' || (this.spec.prefix === 'first' && i === 0), out);
    });
    return out;
  }

  private encodeText(text: string, prefix: boolean, out: number[]): void {
    const normalized = ((prefix ? ' ' : '') + text).replaceAll(' ', SPACE);
    // Array.from splits by code point; an unpaired surrogate stays one "character" and encodes as U+FFFD's bytes
    for (const word of this.spec.splitWords ? normalized.split(/(?=\u2581)/u) : [normalized]) {
      for (const piece of bpeMerge(Array.from(word), this.spec.rank)) {
        const id = this.ids.get(piece);
        if (id !== undefined) { out.push(id); continue; }
        for (const b of utf8.encode(piece)) { // byte fallback
          const bid = this.byteIds[b];
          if (bid >= 0) out.push(bid);
          else if (this.spec.unkId !== null) out.push(this.spec.unkId);
        }
      }
    }
  }

  tokenBytes(id: number, prevId?: number): Uint8Array {
    // llama2.c: after BOS the dummy-prefix space is not part of the text
    return this.bytes(id, prevId !== undefined && prevId === this.bosId);
  }

  private bytes(id: number, atStart: boolean): Uint8Array {
    if (this.byteOf[id] >= 0) return Uint8Array.of(this.byteOf[id]);
    const piece = this.spec.pieces[id] ?? '';
    if (this.specialIds.has(id)) return utf8.encode(piece);
    let text = piece.replaceAll(SPACE, ' ');
    if (atStart && this.spec.prefix !== 'never' && text.startsWith(' ')) text = text.slice(1);
    return utf8.encode(text);
  }

  decode(ids: number[]): string {
    const parts: Uint8Array[] = [];
    let first = true;
    for (const id of ids) {
      if (this.specialIds.has(id)) continue;
      // the first content token drops its dummy-prefix space, whether or not BOS came before (HF's Strip decoder)
      parts.push(this.bytes(id, first));
      first = false;
    }
    return utf8Text(parts);
  }

  tokenText(id: number): string { return this.spec.pieces[id] ?? `[${id}]`; }

  tokenId(text: string): number | undefined { return this.ids.get(text); }
}

// ignoreBOM: a U+FEFF at the start of the text is content, not a byte-order mark to drop
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** The text of UTF-8 byte pieces put end to end (invalid sequences become U+FFFD). */
export function utf8Text(parts: Uint8Array[]): string {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return utf8Decoder.decode(out);
}
