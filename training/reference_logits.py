"""The PyTorch oracle for the Llama 3.2 1B-geometry checkpoint that scripts/fixtures/llama-checkpoint.ts generates:
this recipe's own model code (model.py: rotate-half RoPE with llama3 scaling, GQA, SwiGLU, tied head) in float32 on
the BF16 weights (widened exactly), an implementation independent of the engine's. Steps, from the repository root:

    npx tsx scripts/fixtures/llama-checkpoint.ts --layers 2     # .cache/checkpoints/llama32-1b-2l/
    npx tsx scripts/fixtures/reference-prompts.ts                # prompt ids from @lenml/tokenizers (not our tokenizer)
    /usr/bin/python3 -m training.reference_logits [CKPT_DIR] [PROMPTS_JSON] [OUT_JSON]

Per prompt: the teacher-forced log-probabilities of the prompt's own tokens (position p predicts token p+1), then a
greedy continuation of STEPS tokens with, per step, the chosen token's log-prob, the top-5 (id, logprob) and the
top1 - top2 logit margin. The checkpoint's stamp (generator version, seed, shard SHA-256s, re-hashed here) goes into
the output, so a test can tell when the fixture is stale.
"""
import hashlib
import json
import os
import re
import sys

import torch

from . import safetensors_io
from .model import Config, Llama

STEPS, TOP = 8, 5
DEFAULTS = (".cache/checkpoints/llama32-1b-2l", "tests/fixtures/llama3-reference-prompts.json",
            "tests/fixtures/llama32-1b-2l-reference.json")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 24), b""):
            h.update(block)
    return h.hexdigest()


def load_checkpoint(ckpt, max_seq_len):
    """config.json -> model.py's Config; the index's shards -> the state dict, one shard in memory at a time."""
    with open(f"{ckpt}/config.json") as f:
        hf = json.load(f)
    assert hf["tie_word_embeddings"] and hf["head_dim"] == hf["hidden_size"] // hf["num_attention_heads"]
    c = Config(vocab_size=hf["vocab_size"], dim=hf["hidden_size"], hidden_dim=hf["intermediate_size"],
               n_layers=hf["num_hidden_layers"], n_heads=hf["num_attention_heads"],
               n_kv_heads=hf["num_key_value_heads"], max_seq_len=max_seq_len, rope_theta=hf["rope_theta"],
               norm_eps=hf["rms_norm_eps"], tie_embeddings=True, rope_scaling=hf["rope_scaling"])
    model = Llama(c).eval()
    with open(f"{ckpt}/model.safetensors.index.json") as f:
        weight_map = json.load(f)["weight_map"]
    loaded = set()
    for shard in sorted(set(weight_map.values())):
        sd = safetensors_io.load(f"{ckpt}/{shard}")
        assert all(weight_map[k] == shard for k in sd), f"{shard} holds tensors the index puts elsewhere"
        missing, unexpected = model.load_state_dict(sd, strict=False)
        assert not unexpected, unexpected
        loaded |= set(sd)
        del sd
    expected = set(model.state_dict()) - {"lm_head.weight"}  # tied: lm_head.weight is embed_tokens.weight
    assert loaded == expected, f"missing {sorted(expected - loaded)}"
    assert model.lm_head.weight is model.model.embed_tokens.weight
    return model


def run_prompt(model, ids):
    with torch.no_grad():
        caches = [{} for _ in model.model.layers]
        logits = model(torch.tensor([ids]), caches, 0)[0]                       # [T, vocab]
        lp = logits.log_softmax(-1)
        prompt_lp = [lp[p, ids[p + 1]].item() for p in range(len(ids) - 1)]
        last, steps, seq = logits[-1], [], list(ids)
        cached = []
        for s in range(STEPS):
            cached.append(last)
            top = last.topk(TOP)
            lps = last.log_softmax(-1)
            tok = int(top.indices[0])
            steps.append({"id": tok, "logprob": lps[tok].item(), "margin": (top.values[0] - top.values[1]).item(),
                          "top5": [[int(i), lps[i].item()] for i in top.indices]})
            seq.append(tok)
            if s + 1 < STEPS:
                last = model(torch.tensor([[tok]]), caches, len(seq) - 1)[0, -1]
        # self-check: the KV-cache path agrees with one full forward over prompt + continuation
        full = model(torch.tensor([seq[:-1]]))[0, len(ids) - 1:]
        err = (full - torch.stack(cached)).abs().max().item()
        assert err < 1e-3, f"cached and full forward differ by {err}"
    return prompt_lp, steps


def layout(obj):
    """Indented JSON with the innermost lists (ids, pairs, log-probs) kept on one line each."""
    s = json.dumps(obj, indent=1, ensure_ascii=False)
    return re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", s)


def main(ckpt, prompts_path, out_path):
    with open(f"{ckpt}/checkpoint.json") as f:
        stamp = json.load(f)
    for shard, s in stamp["shards"].items():
        assert sha256(f"{ckpt}/{shard}") == s["sha256"], f"{ckpt}/{shard} does not match its checkpoint.json"
    with open(prompts_path, encoding="utf-8") as f:
        prompts = json.load(f)
    model = load_checkpoint(ckpt, max(len(p["ids"]) for p in prompts["prompts"]) + STEPS)
    r5 = lambda x: round(x, 5)
    cases = []
    for p in prompts["prompts"]:
        prompt_lp, steps = run_prompt(model, p["ids"])
        for st in steps:
            st.update(logprob=r5(st["logprob"]), margin=r5(st["margin"]), top5=[[i, r5(v)] for i, v in st["top5"]])
        cases.append({"name": p["name"], "text": p["text"], "ids": p["ids"],
                      "prompt_logprobs": [r5(v) for v in prompt_lp], "greedy": steps})
        print(f"{p['name']}: greedy {[st['id'] for st in steps]}, min margin {min(st['margin'] for st in steps)}")
    out = {"checkpoint": stamp,
           "reference": f"training/reference_logits.py: training/model.py in float32 (torch {torch.__version__}), "
                        "BF16 weights widened exactly, KV-cache greedy decoding",
           "prompts": {"file": prompts_path, "tokenizer": prompts["tokenizer"], "note": prompts["note"]},
           "steps": STEPS, "min_greedy_margin": min(st["margin"] for c in cases for st in c["greedy"]),
           "cases": cases}
    os.makedirs(os.path.dirname(out_path) or ".", exist_ok=True)
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(layout(out) + "\n")
    print(f"wrote {out_path}: smallest greedy top1-top2 margin {out['min_greedy_margin']}")


if __name__ == "__main__":
    main(*(sys.argv[1:4] + list(DEFAULTS[len(sys.argv[1:4]):])))
