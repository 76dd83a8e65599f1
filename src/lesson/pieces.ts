// Tokens as people can read them: visible spaces and newlines, special tokens marked, and the bytes of each piece.
// Pieces arrive in the tokenizer's own spelling: byte-level BPE writes a space as "Ġ" and a newline as "Ċ"
// (GPT-2's byte-to-character map), SentencePiece writes a space as "▁" and raw bytes as "<0x0A>".
import { BYTE_TO_CHAR } from '../../workers/shared.ts';

const CHAR_TO_BYTE = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));
const utf8 = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** `<|begin_of_text|>`, `<s>`, `</s>`, `<|eot_id|>`: a control token, not text. */
export const isSpecialPiece = (piece: string) => /^<\|?\/?[A-Za-z_][\w|]*\|?>$/.test(piece) && !/^<0x[0-9A-Fa-f]{2}>$/.test(piece);

export type PieceKind = 'sentencepiece' | 'bytelevel';

/** Which spelling a tokenization uses, from its pieces: "▁" or "<0x..>" says SentencePiece, else byte-level. */
export function guessKind(pieces: string[]): PieceKind {
  return pieces.some((p) => p.includes('\u2581') || /^<0x[0-9A-Fa-f]{2}>$/.test(p)) ? 'sentencepiece' : 'bytelevel';
}

/** The bytes a piece stands for. */
export function pieceBytes(piece: string, kind: PieceKind): Uint8Array {
  if (isSpecialPiece(piece)) return utf8.encode(piece);
  if (kind === 'sentencepiece') {
    const raw = /^<0x([0-9A-Fa-f]{2})>$/.exec(piece);
    return raw ? Uint8Array.of(parseInt(raw[1], 16)) : utf8.encode(piece.replaceAll('\u2581', ' '));
  }
  const chars = [...piece];
  return chars.every((c) => CHAR_TO_BYTE.has(c)) ? Uint8Array.from(chars, (c) => CHAR_TO_BYTE.get(c)!) : utf8.encode(piece);
}

/** The text of a piece with whitespace made visible: space ␣, newline ↵, tab ⇥. */
export function pieceLabel(piece: string, kind: PieceKind): string {
  if (isSpecialPiece(piece)) return piece;
  const text = decoder.decode(pieceBytes(piece, kind));
  return text.replaceAll(' ', '␣').replaceAll('\n', '↵').replaceAll('\t', '⇥').replaceAll('\r', '␍').replaceAll('\uFFFD', '�') || '∅';
}

/** "20 63 61 74": the bytes in hex, for a tooltip. */
export const hexBytes = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

/** One hue per token index, cycling, readable in both themes (as background with dark text / light text). */
export const TOKEN_HUES = [210, 150, 35, 330, 265, 95, 185, 10];
export const tokenHue = (i: number) => TOKEN_HUES[i % TOKEN_HUES.length];
