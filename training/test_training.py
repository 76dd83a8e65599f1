"""Checks for the training recipe: /usr/bin/python3 -m unittest training.test_training"""
import json
import math
import os
import random
import tempfile
import unittest

import torch

from . import data, safetensors_io
from .model import Config, Llama, apply_scaling, rope_cos_sin, rotate_half
from .tokenizer import SPECIALS, Tokenizer, pretokenize, train_bpe


def meta_apply_scaling(freqs, old_context_len):
    """Meta's llama-models apply_scaling, verbatim except for old_context_len (8192 in Llama 3.1)."""
    scale_factor, low_freq_factor, high_freq_factor = 8, 1, 4
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    new_freqs = []
    for freq in freqs:
        wavelen = 2 * math.pi / freq
        if wavelen < high_freq_wavelen:
            new_freqs.append(freq)
        elif wavelen > low_freq_wavelen:
            new_freqs.append(freq / scale_factor)
        else:
            smooth = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
            new_freqs.append((1 - smooth) * freq / scale_factor + smooth * freq)
    return torch.tensor(new_freqs, dtype=freqs.dtype)


def ref_bpe(piece, merges):
    """Reference: apply every merge in rank order to the whole word, left to right."""
    w = list(piece)
    for a, b in merges:
        i, out = 0, []
        while i < len(w):
            if i + 1 < len(w) and w[i] == a and w[i + 1] == b:
                out.append(a + b)
                i += 2
            else:
                out.append(w[i])
                i += 1
        w = out
    return w


class T(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        docs, _, _, _ = data.generate(150_000, 7)
        cls.docs = docs
        cls.tok = Tokenizer(train_bpe(docs, 600))

    def test_rope_scaling_matches_meta_and_is_active(self):
        c = Config()
        d = c.head_dim
        f = 1.0 / (c.rope_theta ** (torch.arange(0, d, 2)[: d // 2].float() / d))
        ours = apply_scaling(f, c.rope_scaling)
        ref = meta_apply_scaling(f, c.rope_scaling["original_max_position_embeddings"])
        self.assertTrue(torch.allclose(ours, ref))
        self.assertTrue((ours == f).any() and (ours < f).any())                  # some kept, some scaled
        self.assertTrue(((ours < f) & (ours > f / 8 * 1.0001)).any())           # some smoothed

    def test_rope_rotate_half_convention(self):
        x = torch.arange(8.0)
        self.assertEqual(rotate_half(x).tolist(), [-4, -5, -6, -7, 0, 1, 2, 3])  # x[i] pairs with x[i + d/2]
        cos, sin = rope_cos_sin(Config(), 4)
        self.assertTrue(torch.allclose(cos[:, :16], cos[:, 16:]))

    def test_gqa_model_runs(self):
        m = Llama(Config(n_layers=2))
        self.assertEqual(m(torch.zeros(1, 5, dtype=torch.long)).shape, (1, 5, 2048))

    def test_kv_cache_matches_full_forward(self):
        torch.manual_seed(0)
        m = Llama(Config(n_layers=2)).eval()
        x = torch.randint(0, 2048, (2, 12))
        with torch.no_grad():
            full = m(x)
            caches = [{} for _ in range(2)]
            outs = [m(x[:, :7], caches)] + [m(x[:, t:t + 1], caches, pos=t) for t in range(7, 12)]
        self.assertLess((full - torch.cat(outs, 1)).abs().max().item(), 1e-4)

    def test_digits_are_single_tokens(self):
        for t in self.tok.vocab:
            if any(ch in "0123456789" for ch in t):
                self.assertEqual(len(t), 1, t)
        ids = self.tok.encode("12345 + 678 = 13023")
        self.assertEqual(self.tok.decode(ids), "12345 + 678 = 13023")

    def test_encoder_matches_reference_and_roundtrips(self):
        merges = self.tok.merges
        r = random.Random(0)
        texts = r.sample(self.docs, 200) + ["Hello  world!\n\n  x = 'it's'\tI'M ok 🙂 ñandú ¿qué? \r\n end   "]
        for text in texts:
            ids = self.tok.encode(text)
            self.assertEqual(self.tok.decode(ids), text)
            ref = []
            for is_sp, span in __import__("training.tokenizer", fromlist=["_split_specials"])._split_specials(text, SPECIALS):
                if is_sp:
                    ref.append(self.tok.special[span])
                else:
                    for p in pretokenize(span):
                        ref.extend(self.tok.vocab[t] for t in ref_bpe(p, merges))
            self.assertEqual(ids, ref)

    def test_pretokenizer_regex(self):
        self.assertEqual(pretokenize("I'm 1234 cats!!\n"), ["I", "'m", "Ġ", "123", "4", "Ġcats", "!!Ċ"])

    def test_chat_template_matches_renderer(self):
        import jinja2
        from .export import CHAT_TEMPLATE
        msgs = [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "What is 2 + 3?"}]
        for trim in (False, True):
            env = jinja2.Environment(trim_blocks=trim, lstrip_blocks=trim)
            out = env.from_string(CHAT_TEMPLATE).render(messages=msgs, add_generation_prompt=True,
                                                         bos_token="<|begin_of_text|>")
            self.assertEqual(out, data.render_chat(msgs, add_generation_prompt=True))

    def test_heldout_pairs_not_in_training(self):
        text = "".join(self.docs)
        for a, b in data.heldout_pairs()[:50]:
            self.assertNotIn(f" {a} + {b} =", " " + text.replace("\n", " "))

    def test_safetensors_roundtrip(self):
        t = {"a.weight": torch.randn(3, 5), "b": torch.randn(7)}
        with tempfile.TemporaryDirectory() as d:
            safetensors_io.save_bf16(t, os.path.join(d, "m.safetensors"))
            back = safetensors_io.load(os.path.join(d, "m.safetensors"))
            with open(os.path.join(d, "m.safetensors"), "rb") as f:
                raw = f.read()
        n = int.from_bytes(raw[:8], "little")
        self.assertEqual(n % 8, 0)
        self.assertEqual(json.loads(raw[8:8 + n])["a.weight"]["dtype"], "BF16")
        for k in t:
            self.assertTrue(torch.equal(back[k], t[k].to(torch.bfloat16).float()))


if __name__ == "__main__":
    unittest.main()
