"""Evaluate an exported model directory exactly as shipped (BF16 weights from model.safetensors, tokenizer.json).

    /usr/bin/python3 -m training.evaluate public/models/llama31-mini

- Held-out addition: for each line of eval/addition.jsonl, greedy-decode the chat prompt for "What is A + B?"
  (rendered with the chat template, generation prompt added) until <|eot_id|> / <|end_of_text|> or 64 tokens;
  correct when the last integer in the reply equals A + B.
- Perplexity on eval/heldout.txt: ids = encode(text) with no extra BOS (the text starts with a literal
  <|begin_of_text|>, special tokens in the text map to their ids); windows of 512 tokens starting at 0, 511,
  1022, ... (consecutive windows share one token) so every token but the first is predicted exactly once, with
  at most 511 tokens of context; ppl = exp(total NLL / number of predicted tokens).
"""
import json
import math
import re
import sys

import torch
import torch.nn.functional as F

from . import safetensors_io
from .data import render_chat
from .model import Config, Llama
from .tokenizer import Tokenizer


def load_model(d):
    c = json.load(open(f"{d}/config.json"))
    cfg = Config(vocab_size=c["vocab_size"], dim=c["hidden_size"], hidden_dim=c["intermediate_size"],
                 n_layers=c["num_hidden_layers"], n_heads=c["num_attention_heads"],
                 n_kv_heads=c["num_key_value_heads"], max_seq_len=c["max_position_embeddings"],
                 rope_theta=c["rope_theta"], norm_eps=c["rms_norm_eps"], tie_embeddings=c["tie_word_embeddings"],
                 rope_scaling=c["rope_scaling"])
    model = Llama(cfg)
    sd = safetensors_io.load(f"{d}/model.safetensors")
    if cfg.tie_embeddings:
        sd["lm_head.weight"] = sd["model.embed_tokens.weight"]
    model.load_state_dict(sd, strict=True)
    model.eval()
    return model, Tokenizer.from_hf_json(f"{d}/tokenizer.json")


def addition_prompt(a, b):
    return render_chat([{"role": "user", "content": f"What is {a} + {b}?"}], add_generation_prompt=True)


@torch.no_grad()
def greedy(model, tok, prompts, max_new=64):
    """Greedy decoding; prompts with equal token length are batched together."""
    stops = {tok.special["<|eot_id|>"], tok.special["<|end_of_text|>"]}
    enc = [tok.encode(p) for p in prompts]
    out = [None] * len(prompts)
    by_len = {}
    for i, e in enumerate(enc):
        by_len.setdefault(len(e), []).append(i)
    for L, idx in by_len.items():
        x = torch.tensor([enc[i] for i in idx])
        done = torch.zeros(len(idx), dtype=torch.bool)
        caches = [{} for _ in range(model.c.n_layers)]
        logits = model(x, caches)
        for _ in range(min(max_new, model.c.max_seq_len - L)):
            nxt = logits[:, -1].argmax(-1)
            x = torch.cat([x, nxt[:, None]], 1)
            logits = model(nxt[:, None], caches, pos=x.shape[1] - 1)
            done |= torch.tensor([int(t) in stops for t in nxt])
            if done.all():
                break
        for j, i in enumerate(idx):
            gen = []
            for t in x[j, L:].tolist():
                if t in stops:
                    break
                gen.append(t)
            out[i] = tok.decode(gen)
    return out


def addition_accuracy(model, tok, rows):
    replies = greedy(model, tok, [addition_prompt(r["a"], r["b"]) for r in rows])
    correct = []
    for r, rep in zip(rows, replies):
        nums = re.findall(r"\d+", rep)
        correct.append(bool(nums) and int(nums[-1]) == r["a"] + r["b"])
    return sum(correct) / len(rows), replies


@torch.no_grad()
def perplexity(model, tok, text, T=512):
    ids = tok.encode(text)
    nll, n = 0.0, 0
    for s in range(0, len(ids) - 1, T - 1):
        w = torch.tensor(ids[s:s + T])[None]
        logits = model(w[:, :-1])
        nll += F.cross_entropy(logits[0], w[0, 1:], reduction="sum").item()
        n += w.shape[1] - 1
    return math.exp(nll / n), len(ids)


@torch.no_grad()
def sample(model, tok, prompt, max_new=200, temperature=0.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.tensor([tok.encode(prompt)])
    stops = {tok.special["<|eot_id|>"], tok.special["<|end_of_text|>"]}
    gen = []
    caches = [{} for _ in range(model.c.n_layers)]
    out = model(x, caches)
    for _ in range(min(max_new, model.c.max_seq_len - x.shape[1])):
        logits = out[0, -1]
        if temperature == 0:
            t = int(logits.argmax())
        else:
            t = int(torch.multinomial(F.softmax(logits / temperature, -1), 1, generator=g))
        if t in stops:
            break
        gen.append(t)
        x = torch.cat([x, torch.tensor([[t]])], 1)
        out = model(x[:, -1:], caches, pos=x.shape[1] - 1)
    return tok.decode(gen)


def evaluate(d, limit=None):
    torch.set_num_threads(1)
    model, tok = load_model(d)
    rows = [json.loads(l) for l in open(f"{d}/eval/addition.jsonl")][:limit]
    acc, replies = addition_accuracy(model, tok, rows)
    ppl, n_tok = perplexity(model, tok, open(f"{d}/eval/heldout.txt", encoding="utf-8").read())
    samples = {}
    for q in ["Tell me a story about a cat.", "What is 53 + 16?", "What is the capital of France?",
              "What does this Python code print?\n\n```python\nfor i in range(3):\n    print(i * 2)\n```",
              "Cuéntame una historia sobre un perro."]:
        samples[q] = sample(model, tok, render_chat([{"role": "user", "content": q}], add_generation_prompt=True))
    res = {"addition_accuracy": acc, "addition_n": len(rows), "heldout_perplexity": ppl, "heldout_tokens": n_tok,
           "greedy_samples": samples,
           "addition_failures": [{"a": r["a"], "b": r["b"], "reply": rep} for r, rep in zip(rows, replies)
                                 if not (re.findall(r"\d+", rep) and int(re.findall(r"\d+", rep)[-1]) == r["a"] + r["b"])][:20]}
    return res


if __name__ == "__main__":
    r = evaluate(sys.argv[1] if len(sys.argv) > 1 else "public/models/llama31-mini")
    print(json.dumps(r, indent=1, ensure_ascii=False))
