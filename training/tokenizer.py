"""Byte-level BPE in the Llama 3 style: training, encoding, and a Hugging Face tokenizer.json writer.

References: GPT-2 byte-level BPE (bytes_to_unicode, Radford et al. 2019); Llama 3's tiktoken-style tokenizer
(arXiv:2407.21783 section 3.1.1) with its pre-tokenizer regex and special tokens; the Hugging Face `tokenizers`
BPE model with `ignore_merges: true` (a pre-token that is already a vocabulary entry is emitted whole).

Encoding, step by step (what a JS implementation must reproduce):
  1. split the text on special-token strings (they become their ids directly);
  2. split each remaining span with the Llama 3 regex PAT (every character is covered by some alternative);
  3. map each piece's UTF-8 bytes to printable characters with bytes_to_unicode;
  4. if the mapped piece is in the vocabulary, emit its id (ignore_merges); otherwise start from single
     characters and repeatedly merge the adjacent pair with the lowest merge rank (leftmost on ties).
Digits are never merged (no merge contains an ASCII digit), so every digit is its own token.
"""
import json
from collections import Counter, defaultdict

import regex

PAT = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"

# Llama 3.1's special-token layout (128000..128015), placed after our BPE vocabulary.
SPECIALS = ["<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>", "<|reserved_special_token_1|>",
            "<|finetune_right_pad_id|>", "<|reserved_special_token_2|>", "<|start_header_id|>", "<|end_header_id|>",
            "<|eom_id|>", "<|eot_id|>", "<|python_tag|>", "<|reserved_special_token_3|>",
            "<|reserved_special_token_4|>", "<|reserved_special_token_5|>", "<|reserved_special_token_6|>",
            "<|reserved_special_token_7|>"]


def bytes_to_unicode():
    """GPT-2's reversible map from the 256 byte values to printable unicode characters."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


B2U = bytes_to_unicode()
U2B = {v: k for k, v in B2U.items()}
_PAT = regex.compile(PAT)
DIGITS = set("0123456789")


def pretokenize(text):
    return [''.join(B2U[b] for b in piece.encode("utf-8")) for piece in _PAT.findall(text)]


def _split_specials(text, specials):
    """Yields (is_special, span)."""
    if not specials:
        yield False, text
        return
    rx = regex.compile("(" + "|".join(regex.escape(s) for s in specials) + ")")
    for i, part in enumerate(rx.split(text)):
        if part:
            yield i % 2 == 1, part


def train_bpe(texts, n_merges):
    """Classic BPE training on pre-token counts with incremental pair-count updates."""
    counts = Counter()
    for t in texts:
        for is_sp, span in _split_specials(t, SPECIALS):
            if not is_sp:
                counts.update(pretokenize(span))
    words = [list(w) for w in counts]
    freqs = [counts[w] for w in counts]
    pairs = Counter()
    where = defaultdict(set)  # pair -> word indices containing it

    def mergeable(a, b):
        return not (DIGITS & set(a) or DIGITS & set(b))

    for i, w in enumerate(words):
        for a, b in zip(w, w[1:]):
            if mergeable(a, b):
                pairs[(a, b)] += freqs[i]
                where[(a, b)].add(i)
    merges = []
    for _ in range(n_merges):
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]  # count, then lexicographic: deterministic
        if pairs[best] <= 0:
            break
        merges.append(best)
        new = best[0] + best[1]
        for i in list(where[best]):
            w, f = words[i], freqs[i]
            for a, b in zip(w, w[1:]):  # remove this word's old pairs
                if mergeable(a, b):
                    pairs[(a, b)] -= f
                    if pairs[(a, b)] <= 0:
                        del pairs[(a, b)]
                    where[(a, b)].discard(i)
            j, out = 0, []
            while j < len(w):
                if j + 1 < len(w) and w[j] == best[0] and w[j + 1] == best[1]:
                    out.append(new)
                    j += 2
                else:
                    out.append(w[j])
                    j += 1
            words[i] = out
            for a, b in zip(out, out[1:]):
                if mergeable(a, b):
                    pairs[(a, b)] += f
                    where[(a, b)].add(i)
        pairs.pop(best, None)
        where.pop(best, None)
    return merges


class Tokenizer:
    def __init__(self, merges):
        self.merges = [tuple(m) for m in merges]
        self.ranks = {m: i for i, m in enumerate(self.merges)}
        self.vocab = {B2U[b]: b for b in range(256)}
        for a, b in self.merges:
            self.vocab[a + b] = len(self.vocab)
        self.n_bpe = len(self.vocab)
        self.special = {s: self.n_bpe + i for i, s in enumerate(SPECIALS)}
        self.inv = {i: t for t, i in self.vocab.items()}
        self.inv.update({i: s for s, i in self.special.items()})
        self.vocab_size = self.n_bpe + len(SPECIALS)
        self.cache = {}

    def bos(self):
        return self.special["<|begin_of_text|>"]

    def _bpe(self, piece):
        if piece in self.vocab:  # ignore_merges
            return [self.vocab[piece]]
        w = list(piece)
        while len(w) > 1:
            best, bi = None, -1
            for i in range(len(w) - 1):
                r = self.ranks.get((w[i], w[i + 1]))
                if r is not None and (best is None or r < best):
                    best, bi = r, i
            if best is None:
                break
            w[bi:bi + 2] = [w[bi] + w[bi + 1]]
        return [self.vocab[t] for t in w]

    def encode(self, text, add_bos=False):
        ids = [self.bos()] if add_bos else []
        for is_sp, span in _split_specials(text, SPECIALS):
            if is_sp:
                ids.append(self.special[span])
                continue
            for piece in pretokenize(span):
                got = self.cache.get(piece)
                if got is None:
                    got = self.cache[piece] = self._bpe(piece)
                ids.extend(got)
        return ids

    def decode(self, ids):
        out, buf = [], bytearray()
        for i in ids:
            t = self.inv[i]
            if i >= self.n_bpe:
                out.append(buf.decode("utf-8", "replace"))
                buf = bytearray()
                out.append(t)
            else:
                buf.extend(U2B[c] for c in t)
        out.append(buf.decode("utf-8", "replace"))
        return "".join(out)

    def to_hf_json(self):
        """tokenizer.json laid out as Meta-Llama-3's (tokenizers 'version 1.0' format)."""
        added = [{"id": self.special[s], "content": s, "single_word": False, "lstrip": False, "rstrip": False,
                  "normalized": False, "special": True} for s in SPECIALS]
        bos = "<|begin_of_text|>"
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": added,
            "normalizer": None,
            "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": PAT}, "behavior": "Isolated", "invert": False},
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": bos, "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {bos: {"id": bos, "ids": [self.special[bos]], "tokens": [bos]}}},
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": True,
                      "vocab": self.vocab, "merges": [f"{a} {b}" for a, b in self.merges]},
        }

    @classmethod
    def from_hf_json(cls, path):
        j = json.load(open(path, encoding="utf-8"))
        return cls([tuple(m.split(" ")) for m in j["model"]["merges"]])
