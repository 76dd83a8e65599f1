// What every tokenizer (SentencePiece-style BPE, byte-level BPE) provides to the engine.

export interface EncodeOptions {
  /** Prepend BOS (default true when the tokenizer's config says so). */
  bos?: boolean;
  /** Parse special tokens written in the text, e.g. `<|eot_id|>` (default false: they are plain text). */
  specials?: boolean;
}

export interface Tokenizer {
  readonly kind: 'sentencepiece' | 'bytelevel';
  readonly vocabSize: number;
  readonly bosId: number | null;
  /** Every id that ends generation (EOS, and e.g. `<|eot_id|>` for chat models). */
  readonly eosIds: number[];
  /** Special / control token strings by id, for display. */
  readonly specialIds: ReadonlySet<number>;
  encode(text: string, opts?: EncodeOptions): number[];
  /** The raw bytes of one token as it contributes to decoded text (special tokens give their text). */
  tokenBytes(id: number, prevId?: number): Uint8Array;
  /** The whole decode of a sequence, BOS and other specials dropped. */
  decode(ids: number[]): string;
  /** Display form of one token (e.g. "▁the", "<0x0A>", "<|eot_id|>") for views. */
  tokenText(id: number): string;
  /** id of an exact token string, or undefined. */
  tokenId(text: string): number | undefined;
}
