"""Writes test fixtures for the JS engine from an exported model (Python is the oracle):

    /usr/bin/python3 -m training.fixtures public/models/llama31-mini tests/unit/fixtures-model

- llama31-mini-tokenizer.json: texts and the ids this repository's encoder gives them (specials, digits, contractions,
  whitespace runs, accents, emoji, a chat prompt), for checking a JS tokenizer built from tokenizer.json.
- llama31-mini-logits.json: for one chat prompt, the ids and the float32 logits at the last position computed
  from the BF16 weights, plus the greedy continuation, for checking a JS forward pass.
"""
import json
import os
import sys

import torch

from .data import render_chat
from .evaluate import load_model, sample

TEXTS = [
    "Hello world!", "What is 53 + 16?", "12345 + 678 = 13023", "I'm sure it's OK, they'll see.", "HE'S HERE",
    "  two  spaces   and\ttabs\n\nnew lines\r\n", "¿Cuánto es 5 + 3? ¡Hola, niño!", "emoji 🙂 and ☃ snow",
    "def square(n):\n    return n * n\n\nprint(square(4))\n", "a\u00a0b  \n  c", "x=1;y=2;print(x+y)",
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nTell me a story about a cat.<|eot_id|>"
    "<|start_header_id|>assistant<|end_header_id|>\n\n",
    "Once upon a time, there was a little cat named Tom.",
]


def main(model_dir, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    model, tok = load_model(model_dir)
    cases = [{"text": t, "ids": tok.encode(t)} for t in TEXTS]
    with open(f"{out_dir}/llama31-mini-tokenizer.json", "w", encoding="utf-8") as f:
        json.dump({"model": model_dir, "note": "ids from training/tokenizer.py; no BOS added (post-processor not applied)",
                   "cases": cases}, f, ensure_ascii=False, indent=1)
    prompt = render_chat([{"role": "user", "content": "What is 2 + 3?"}], add_generation_prompt=True)
    ids = tok.encode(prompt)
    with torch.no_grad():
        logits = model(torch.tensor([ids]))[0, -1]
    with open(f"{out_dir}/llama31-mini-logits.json", "w") as f:
        json.dump({"model": model_dir, "prompt": prompt, "ids": ids, "argmax": int(logits.argmax()),
                   "greedy_reply": sample(model, tok, prompt, max_new=40),
                   "logits_last": [round(v, 5) for v in logits.tolist()]}, f)


if __name__ == "__main__":
    main(*sys.argv[1:3])
