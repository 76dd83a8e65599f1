// tokenizer.json's BPE vocab and merges, read in one pass each. Llama 3 has 128,256 tokens and 280,147 merges, and
// the engine builds its tokenizer in a Web Worker, so nothing here spreads ids into a call (the stack overflows),
// copies the vocab into entry arrays, or builds a new string per merge.
// Reference: huggingface/tokenizers models/bpe/serialization.rs (vocab, merges as "a b" strings or [a, b] pairs).
import type { PairRank } from './bpe.ts';

/** Largest id accepted: 16M tokens is far beyond any real vocab, and guards the piece array's size. */
const MAX_ID = 1 << 24;

export interface AddedToken { content: string; id: number; special: boolean }

function checkId(id: unknown, piece: string): number {
  if (!Number.isInteger(id) || (id as number) < 0 || (id as number) > MAX_ID) throw new Error(`tokenizer.json has an invalid token id for ${JSON.stringify(piece)}`);
  return id as number;
}

/** id -> piece from model.vocab, then the added tokens (which may extend it or restate a vocab entry); holes are ''. */
export function readPieces(vocab: Record<string, unknown>, added: AddedToken[]): string[] {
  const keys = Object.keys(vocab);
  let maxId = -1;
  for (const p of keys) maxId = Math.max(maxId, checkId(vocab[p], p));
  for (const a of added) maxId = Math.max(maxId, checkId(a.id, a.content));
  const pieces = new Array<string>(maxId + 1).fill('');
  for (const p of keys) pieces[vocab[p] as number] = p;
  for (const a of added) pieces[a.id] = a.content;
  return pieces;
}

/** The id of a string: an added token's, else the vocab's (an own property, so "constructor" is no token). */
export function idLookup(vocab: Record<string, unknown>, added: AddedToken[]): (s: string | null) => number | undefined {
  const addedIds = new Map(added.map((a) => [a.content, a.id]));
  return (s) => {
    if (s === null) return undefined;
    const id = addedIds.get(s) ?? (Object.hasOwn(vocab, s) ? vocab[s] : undefined);
    return Number.isInteger(id) ? (id as number) : undefined;
  };
}

/** Merge ranks keyed by `${left}${separator}${right}`; lower ranks merge first, and a repeated pair keeps its last rank (as HF). */
export interface MergeRanks { ranks: Map<string, number>; separator: string }

export function readMerges(list: unknown): MergeRanks {
  if (list !== undefined && list !== null && !Array.isArray(list)) throw new Error('tokenizer.json model.merges should be a list of merges');
  const merges: unknown[] = Array.isArray(list) ? list : [];
  const ranks = new Map<string, number>();
  if (merges.length === 0 || typeof merges[0] === 'string') {
    // "left right" strings (older files) are the keys as written: neither side may contain a space in this format
    for (let rank = 0; rank < merges.length; rank++) {
      const m = merges[rank];
      if (typeof m !== 'string' || m.indexOf(' ', 1) < 0) throw new Error(`tokenizer.json merge #${rank} is not "left right"`);
      ranks.set(m, rank);
    }
    return { ranks, separator: ' ' };
  }
  // [left, right] pairs (newer files) allow spaces inside a piece, so the two are joined with NUL instead
  for (let rank = 0; rank < merges.length; rank++) {
    const m = merges[rank];
    if (!Array.isArray(m) || m.length !== 2 || typeof m[0] !== 'string' || typeof m[1] !== 'string') {
      throw new Error(`tokenizer.json merge #${rank} is not a [left, right] pair`);
    }
    ranks.set(`${m[0]}\u0000${m[1]}`, rank);
  }
  return { ranks, separator: '\u0000' };
}

/** The rank function BPE asks per adjacent pair. */
export function pairRank({ ranks, separator }: MergeRanks): PairRank {
  return (left, right) => ranks.get(left + separator + right);
}
