// Splitting text on special-token strings (e.g. `<|eot_id|>`, `<s>`) before the text is tokenized.
// Reference: Hugging Face tokenizers AddedVocabulary (longest match first); llama.cpp tokenizer_st_partition.

/** A piece of input: plain text to tokenize, or the id of a special token written in the text. */
export type Segment = string | number;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Builds a splitter for the given token strings; longer strings win where one is a prefix of another. */
export function specialSplitter(tokens: Map<string, number>): (text: string) => Segment[] {
  const strings = [...tokens.keys()].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  if (strings.length === 0) return (text) => [text];
  const re = new RegExp(strings.map(escapeRegex).join('|'), 'g');
  return (text) => {
    const out: Segment[] = [];
    let last = 0;
    for (const m of text.matchAll(re)) {
      if (m.index > last) out.push(text.slice(last, m.index));
      out.push(tokens.get(m[0])!);
      last = m.index + m[0].length;
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
  };
}
