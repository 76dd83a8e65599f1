// The real Llama 3.1 (byte-level BPE, 128,256 tokens) and Llama 2 (SentencePiece-style BPE with byte fallback,
// 32,000 tokens) tokenizer.json files, encoded by our tokenizer and by @lenml/tokenizers (a fork of transformers.js,
// an independent implementation), compared id for id on a hand-written list plus seeded mixtures of the same classes.
// Two modes: specials parsed (`<|eot_id|>` typed in the text is the token; what @lenml always does) and plain text
// (ours by default; @lenml built without its special added tokens, which is HF's split_special_tokens).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TokenizerLoader } from '@lenml/tokenizers';
import { hfTokenizer } from '../../workers/tokenizer/hf.ts';
import { mulberry32 } from '../../workers/model/sampler.ts';
import { sharedPath } from './shared.ts';

const LENML = fileURLToPath(new URL('../../node_modules/@lenml/', import.meta.url));

/** The hand-written cases, one class per line group. */
const HAND = [
  // code, with tabs and indentation
  'def f(x):\n    return x ** 2\n', 'class A:\n\tdef __init__(self):\n\t\tself.x = [1, 2, 3]  # comment\n',
  'const add = (a, b) => a + b;\nexport default { add };', 'if (x !== null && y?.z) {\n  console.log(`v=${x}`);\n}',
  '#include <stdio.h>\nint main(void) {\n\tprintf("%d\\n", 42);\n\treturn 0;\n}\n', 'for (int i = 0; i < n; ++i) a[i] += b[i];',
  '    indented four\n        eight\n\t\ttabs\n', 'x=1;y=2;z=x+y', 'SELECT * FROM t WHERE id = 7;', '<div class="a">&nbsp;</div>',
  // CJK, Arabic, Hebrew, Devanagari, Thai and other scripts
  '中文字符和标点，还有“引号”。', '我爱自然语言处理', '日本語のテキスト、カタカナとひらがな。', '東京都渋谷区',
  '한국어 텍스트입니다.', '안녕하세요 세계', 'مرحبا بالعالم', 'اللغة العربية جميلة', 'שלום עולם', 'עִבְרִית עם ניקוד',
  'नमस्ते दुनिया', 'हिन्दी में क्षत्रिय', 'สวัสดีครับ ประเทศไทย', 'Привет, мир!', 'Ελληνικά γράμματα', 'Հայերեն', 'ქართული',
  // emoji: ZWJ sequences, skin tones, flags, keycaps
  '👨‍👩‍👧‍👦', '👍🏽 👋🏿 🧑🏻‍💻', '🇯🇵🇫🇷🇺🇸', '🏳️‍🌈 🏴‍☠️', '1️⃣ #️⃣', '😀😃😄😁', 'ok 👌!', '❤️‍🔥',
  // digits: groups of three, long numbers, decimals
  '1', '12', '123', '1234', '12345', '1234567890', '3.14159', '-0.001', '1,234,567.89', '1e-10', '0x1F', '٣٤٥ ١٢',
  '99999999999999999999999999', 'v2.0.1', '2024-07-23T10:00:00Z', '+1 (555) 123-4567', '½ ² ③',
  // whitespace runs
  ' ', '  ', '    ', '\t', '\t\t', '\n', '\n\n', '\n\n\n', '\r\n', '\r\n\r\n', ' \n ', 'a  b', 'a\t\tb', 'trailing   ',
  '   leading', 'line\n  indented\n', 'a \r\n b', '\u00a0nbsp\u00a0', 'ideo\u3000space', 'sep\u2028para\u2029', ' \t\n\r ',
  // contractions, lower and upper case, and near misses
  "it's", "don't", "you're", "we've", "I'm", "they'll", "he'd", "IT'S", "DON'T", "YOU'RE", "WE'VE", "I'M", "THEY'LL",
  "HE'D", "Can'T", "SHE'Some", "WE'READ", "x'Llama", "'Time", "O'Really", "the cat's toy", "'s", "'", "''", "'x", "rock 'n' roll", 'it’s curly', "o'clock",
  // mixed scripts, URLs, punctuation runs
  'Hello世界', 'abc123def', 'Zürich→Москва', 'GPT-4o和Llama', 'https://example.com/path?q=1&r=a+b#frag',
  'mailto:someone@example.org', 'C:\\Users\\me\\file.txt', '!!!', '...', '?!?!', '---', '***', '(((', '»«', '…', '“quoted”',
  '!!!\n\n', '.,;:!?', '}}}\n', '====', '<<>>', '@#$%^&*',
  // accented Latin, NFC and NFD, and zero-width characters
  'café', 'cafe\u0301', 'Ångström', 'A\u030angstro\u0308m', 'naïve', 'nai\u0308ve', 'ﬁne ligature', 'Ω Ω',
  'zero\u200bwidth', 'zw\u200cnj\u200dj', '\ufeffbom', 'word\u2060joiner', 'e\u0301\u0301\u0301',
  // control characters
  '\u0000', 'a\u0001b', '\u007f', '\u001b[31mred\u001b[0m',
  // long runs
  'a'.repeat(300), '9'.repeat(50), ' '.repeat(100), '\n'.repeat(20), 'ab'.repeat(100), '日本'.repeat(60),
  // words that are Llama 3 tokens but which its merges do not reach (ignore_merges takes them whole)
  'Tiếng Việt: việc nhiều điều', 'Türkçe: değiş oluştur yapılmaktadır', 'використ характер розвит', 'ایران اطلاعات',
  '.:.:.:.:.:.:.:.:',
  // text that looks like special tokens
  '<|eot_id|>', '<|begin_of_text|>', '<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>', '<|eot_id',
  '<<|eot_id|>>', 'a<|eot_id|>b', '<|reserved_special_token_5|>', '<|python_tag|>', '<s>', '</s>', '<unk>', '<s>hi</s>',
  '[INST] hi [/INST]', '<|eot_id|><|eot_id|>', ' <|eot_id|> ',
  // the empty string
  '',
];

/** Pieces for the seeded mixtures, by class. */
const POOLS = [
  ['def', 'return', 'x[i]', '{', '}', '=>', '();', '\t', '    ', '#', '//', '/*', '*/', 'i++', '!=', '==='],
  ['中文', '日本語', 'カタカナ', '한국어', 'مرحبا', 'שלום', 'नमस्ते', 'ไทย', 'Москва', 'λόγος'],
  ['👨‍👩‍👧', '👍🏽', '🇯🇵', '🏳️‍🌈', '😀', '🧑🏿‍🔬', '✨'],
  ['0', '42', '123', '4567', '89012', '3.14', '1,000', '2e5', '007'],
  [' ', '  ', '\t', '\n', '\r\n', '\n\n', '   ', ' \n'],
  ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'LL", "'"],
  ['https://a.b/c', 'www.example.com', 'user@host', '/usr/bin'],
  ['!', '?', '...', '---', '((', '))', '"', ',', ';', '…', '¿', '¡'],
  ['café', 'cafe\u0301', 'Ñandú', 'N\u0303andu\u0301', 'straße', 'Øre'],
  ['\u200b', '\u200d', '\ufeff', '\u00a0'],
  ['<|eot_id|>', '<|start_header_id|>', '<|end_header_id|>', '<|begin_of_text|>', '<s>', '</s>', '<|'],
  ['the', 'The', 'HELLO', 'world', 'Llama', 'token', 'I', 'a', ' việc', ' değiş', ' ایران'],
];

/** `n` strings of 1 to 10 pieces, each from a random class. */
function mixtures(n: number, seed: number): string[] {
  const rnd = mulberry32(seed);
  const pick = <T,>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  return Array.from({ length: n }, () => {
    let s = '';
    for (let k = 1 + Math.floor(rnd() * 10); k > 0; k--) s += pick(pick(POOLS)) + (rnd() < 0.4 ? ' ' : '');
    return s;
  });
}

const STRINGS = [...HAND, ...mixtures(200, 20240723)];

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

/** Ours and @lenml's from the same files; `config` overrides tokenizer_config.json entries for @lenml only. */
function load(dir: string, config: Record<string, unknown> = {}) {
  const ours = hfTokenizer(readFileSync(`${dir}tokenizer.json`), readFileSync(`${dir}tokenizer_config.json`)).tokenizer;
  const tokenizerConfig = () => ({ ...json(`${dir}tokenizer_config.json`), ...config });
  const ref = TokenizerLoader.fromPreTrained({ tokenizerJSON: json(`${dir}tokenizer.json`), tokenizerConfig: tokenizerConfig() });
  // HF's split_special_tokens: without its special added tokens, @lenml reads `<|eot_id|>` as plain text
  const plainJson = json(`${dir}tokenizer.json`);
  plainJson.added_tokens = (plainJson.added_tokens as { special: boolean }[]).filter((a) => !a.special);
  const refPlain = TokenizerLoader.fromPreTrained({ tokenizerJSON: plainJson, tokenizerConfig: tokenizerConfig() });
  return { ours, ref, refPlain };
}

/** The strings whose ids differ, with both encodings, so a failure shows every disagreement at once. */
function disagreements(strings: string[], a: (s: string) => number[], b: (s: string) => number[]) {
  return strings.flatMap((s) => {
    const x = a(s), y = b(s);
    return x.length === y.length && x.every((id, i) => id === y[i]) ? [] : [{ text: s, ours: x, theirs: y }];
  });
}

const CASES = [
  { name: 'Llama 3.1', dir: `${LENML}tokenizer-llama3_1/models/`, kind: 'bytelevel', vocab: 128256 },
  // a 32K SentencePiece-style BPE with byte fallback; its vocab is not Meta's Llama 2 one ("▁Hello" is 22557, not 15043)
  { name: '@lenml "llama2"', dir: `${LENML}tokenizer-llama2/models/`, kind: 'sentencepiece', vocab: 32000 },
  // Meta's Llama 2 vocab. Its config says legacy: false, which makes transformers.js re-create the slow SentencePiece
  // tokenizer (no "▁" after a special token); tokenizer.json itself, which HF's fast tokenizer and ours run, is legacy.
  { name: 'Llama 2 (TinyLlama, ../shared)', dir: sharedPath('tokenizers/tinyllama/'), kind: 'sentencepiece', vocab: 32000, config: { legacy: true } },
];

for (const c of CASES) {
  if (!existsSync(`${c.dir}tokenizer.json`) && process.env.CI !== 'true') console.warn(`SKIPPED: ${c.dir}tokenizer.json is absent, so ${c.name} is not compared`);
}

describe.each(CASES.filter((c) => existsSync(`${c.dir}tokenizer.json`) || process.env.CI === 'true'))('$name tokenizer.json against @lenml/tokenizers', ({ dir, kind, vocab, config }) => {
  const { ours, ref, refPlain } = load(dir, config);

  it('reads the whole vocabulary', () => {
    expect(STRINGS.length).toBeGreaterThanOrEqual(200);
    expect([ours.kind, ours.vocabSize]).toEqual([kind, vocab]);
  });

  it('gives the same ids with special tokens parsed (BOS added)', () => {
    expect(disagreements(STRINGS, (s) => ours.encode(s, { specials: true }), (s) => ref.encode(s))).toEqual([]);
  });

  it('gives the same ids with special-looking text as plain text (no BOS)', () => {
    expect(disagreements(STRINGS, (s) => ours.encode(s, { bos: false }), (s) => refPlain.encode(s, { add_special_tokens: false }))).toEqual([]);
    // and the two modes are really different on this corpus: special-looking text is common in it
    const modesDiffer = disagreements(STRINGS, (s) => ours.encode(s, { bos: false }), (s) => ours.encode(s, { bos: false, specials: true }));
    expect(modesDiffer.length).toBeGreaterThan(10);
  });

  it('decodes what it encodes, and as @lenml decodes it', () => {
    const bad = STRINGS.filter((s) => ours.decode(ours.encode(s)) !== s);
    expect(bad).toEqual([]);
    const skip = { skip_special_tokens: true, clean_up_tokenization_spaces: false };
    const differ = STRINGS.filter((s) => { const ids = ours.encode(s); return ours.decode(ids) !== ref.decode(ids, skip); });
    expect(differ).toEqual([]);
  });
});
