"""Export a training checkpoint to a Hugging Face Llama directory, evaluate it as shipped, write the model card.

    /usr/bin/python3 -m training.export training/out/ckpt.pt training/out/data-seed1-30000000.pt public/models/llama31-mini

Writes config.json, model.safetensors (BF16), tokenizer.json, tokenizer_config.json, generation_config.json,
eval/addition.jsonl, eval/heldout.txt, eval/results.json, loss.png and MODEL_CARD.md.
"""
import json
import os
import sys

import torch

from . import data, safetensors_io
from .evaluate import addition_prompt, evaluate
from .model import Config
from .model_card import write_card
from .tokenizer import Tokenizer

# Meta's Llama 3.1 template, simplified: no "Cutting Knowledge Date" system preamble, no tools, content untrimmed.
# One line with no text outside tags, so it renders identically with or without trim_blocks/lstrip_blocks.
CHAT_TEMPLATE = ("{{- bos_token }}{%- for message in messages %}{{- '<|start_header_id|>' + message['role'] + "
                 "'<|end_header_id|>\\n\\n' + message['content'] + '<|eot_id|>' }}{%- endfor %}"
                 "{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}")


def dump(obj, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def export(ckpt_path, data_path, out, limit=None):
    os.makedirs(f"{out}/eval", exist_ok=True)
    ck = torch.load(ckpt_path)
    d = torch.load(data_path)
    cfg = Config(**ck["cfg"])
    tok = Tokenizer(d["merges"])
    sp = tok.special
    bos, eot, eos = sp["<|begin_of_text|>"], sp["<|eot_id|>"], sp["<|end_of_text|>"]

    sd = {k: v for k, v in ck["model"].items() if not (cfg.tie_embeddings and k == "lm_head.weight")}
    safetensors_io.save_bf16(sd, f"{out}/model.safetensors")
    dump({"architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
          "bos_token_id": bos, "eos_token_id": [eos, eot], "head_dim": cfg.head_dim, "hidden_act": "silu",
          "hidden_size": cfg.dim, "initializer_range": 0.02, "intermediate_size": cfg.hidden_dim,
          "max_position_embeddings": cfg.max_seq_len, "mlp_bias": False, "model_type": "llama",
          "num_attention_heads": cfg.n_heads, "num_hidden_layers": cfg.n_layers, "num_key_value_heads": cfg.n_kv_heads,
          "pretraining_tp": 1, "rms_norm_eps": cfg.norm_eps, "rope_scaling": cfg.rope_scaling,
          "rope_theta": cfg.rope_theta, "tie_word_embeddings": cfg.tie_embeddings, "torch_dtype": "bfloat16",
          "transformers_version": "4.43.0", "use_cache": True, "vocab_size": cfg.vocab_size}, f"{out}/config.json")
    dump({"bos_token_id": bos, "do_sample": True, "eos_token_id": [eos, eot], "temperature": 0.6, "top_p": 0.9,
          "max_length": cfg.max_seq_len, "transformers_version": "4.43.0"}, f"{out}/generation_config.json")
    with open(f"{out}/tokenizer.json", "w", encoding="utf-8") as f:
        json.dump(tok.to_hf_json(), f, ensure_ascii=False)
    dump({"added_tokens_decoder": {str(i): {"content": s, "lstrip": False, "normalized": False, "rstrip": False,
                                            "single_word": False, "special": True} for s, i in sp.items()},
          "bos_token": "<|begin_of_text|>", "chat_template": CHAT_TEMPLATE, "clean_up_tokenization_spaces": True,
          "eos_token": "<|eot_id|>", "model_input_names": ["input_ids", "attention_mask"],
          "model_max_length": cfg.max_seq_len, "tokenizer_class": "PreTrainedTokenizerFast"},
         f"{out}/tokenizer_config.json")

    # held-out evaluation files (pairs never seen in training in either order; text from another seed)
    with open(f"{out}/eval/addition.jsonl", "w") as f:
        for a, b in data.heldout_pairs():
            f.write(json.dumps({"a": a, "b": b, "sum": a + b, "prompt": addition_prompt(a, b)}) + "\n")
    held, size = [], 0
    for doc in d["heldout_docs"]:
        if size + len(doc) > 6000:
            break
        held.append(doc)
        size += len(doc)
    with open(f"{out}/eval/heldout.txt", "w", encoding="utf-8") as f:
        f.write("".join(held))

    res = evaluate(out, limit)
    res["step"], res["train_s"] = ck["step"], ck["train_s"]
    res["final_train_loss"] = sum(h["loss"] for h in ck["hist"][-20:]) / len(ck["hist"][-20:])
    vals = [h for h in ck["hist"] if "val_loss" in h]
    res["final_val_loss"] = vals[-1]["val_loss"] if vals else None
    res["n_params"] = sum(v.numel() for v in sd.values())
    dump(res, f"{out}/eval/results.json")
    write_card(out, cfg, ck, d, res, tok)
    print(json.dumps({k: v for k, v in res.items() if k not in ("greedy_samples", "addition_failures")}, indent=1))
    return res


if __name__ == "__main__":
    export(*sys.argv[1:4], limit=int(sys.argv[4]) if len(sys.argv) > 4 else None)
