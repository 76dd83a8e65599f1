// The tokenizer lesson's comparison: one text through the loaded model's tokenizer and the reference ones (Llama 2's
// 32K SentencePiece kind, Llama 3's 128K byte-level BPE), with characters per token, the compression the Llama 3
// paper (arXiv:2407.21783 §3.2) credits its larger vocabulary with; and the same figure on a fixed English sample.
import type { TokenizerComparison, TokenizerReading } from '../api.ts';
import type { Tokenizer } from './types.ts';
import { REFERENCE_TOKENIZERS, type ReferenceId, type ReferenceTokenizers } from './reference.ts';
import { ENGLISH_SAMPLE, PAPER_CHARS_PER_TOKEN } from './sample.ts';

/** Longest text compared (code points). */
export const COMPARE_MAX_CHARS = 100_000;

/** Characters as people count them: Unicode code points (an emoji is one, not two UTF-16 units). */
export const charCount = (text: string) => Array.from(text).length;

/** The text's tokens with their pieces and byte lengths (the first token read as after BOS: no dummy-prefix space). */
export function readTokens(tokenizer: Tokenizer, text: string): TokenizerReading['tokens'] {
  const ids = tokenizer.encode(text, { bos: false });
  return ids.map((id, i) => ({
    id,
    text: tokenizer.tokenText(id),
    bytes: tokenizer.tokenBytes(id, i === 0 ? tokenizer.bosId ?? undefined : ids[i - 1]).length,
  }));
}

interface Named { id: TokenizerReading['id']; name: string; note: string | null; tokenizer: Tokenizer }

function reading(t: Named, text: string): TokenizerReading {
  const tokens = readTokens(t.tokenizer, text);
  return {
    id: t.id, name: t.name, note: t.note, kind: t.tokenizer.kind, vocabSize: t.tokenizer.vocabSize, tokens,
    charsPerToken: tokens.length === 0 ? 0 : charCount(text) / tokens.length,
  };
}

/** `text` through the model's tokenizer (if any) and both references, plus the sample's figures. */
export async function compareTokenizers(text: string, model: { name: string; tokenizer: Tokenizer } | null, refs: ReferenceTokenizers): Promise<TokenizerComparison> {
  if (typeof text !== 'string') throw new Error('compare a text: got no string');
  const chars = charCount(text);
  if (chars > COMPARE_MAX_CHARS) throw new Error(`the text has ${chars} characters; compare at most ${COMPARE_MAX_CHARS}`);
  const ref = async (id: ReferenceId): Promise<Named> => ({ id, ...REFERENCE_TOKENIZERS[id], tokenizer: await refs.get(id) });
  const all: Named[] = [
    ...(model ? [{ id: 'model' as const, name: `${model.name} (${model.tokenizer.vocabSize} tokens)`, note: null, tokenizer: model.tokenizer }] : []),
    ...(await Promise.all([ref('llama2'), ref('llama3')])),
  ];
  const sampleChars = charCount(ENGLISH_SAMPLE);
  return {
    chars,
    readings: all.map((t) => reading(t, text)),
    sample: {
      text: ENGLISH_SAMPLE,
      chars: sampleChars,
      readings: all.map((t) => {
        const tokens = t.tokenizer.encode(ENGLISH_SAMPLE, { bos: false }).length;
        return { id: t.id, name: t.name, tokens, charsPerToken: sampleChars / tokens };
      }),
      paper: { ...PAPER_CHARS_PER_TOKEN },
    },
  };
}
