"""Writes MODEL_CARD.md and loss.png for an exported model from its checkpoint history and eval results."""
import math
import platform

from . import data
from .model import rope_inv_freq


def loss_plot(hist, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=100)
    ax.plot([h["step"] for h in hist], [h["loss"] for h in hist], lw=0.6, alpha=0.6, label="train (per step)")
    v = [h for h in hist if "val_loss" in h]
    ax.plot([h["step"] for h in v], [h["val_loss"] for h in v], "o-", ms=3, label="held-out")
    ax.set_yscale("log")
    ax.set_xlabel("step (4096 tokens each)")
    ax.set_ylabel("cross-entropy (nats/token)")
    ax.set_title("llama31-mini training loss")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def rope_table(cfg):
    import torch
    d = cfg.head_dim
    base = 1.0 / (cfg.rope_theta ** (torch.arange(0, d, 2).float() / d))
    new = rope_inv_freq(cfg)
    rows = []
    for i, (f0, f1) in enumerate(zip(base.tolist(), new.tolist())):
        kind = "kept" if abs(f1 - f0) < 1e-12 else ("/ factor" if abs(f1 - f0 / 8) < 1e-12 * f0 + 1e-15 else "smoothed")
        rows.append(f"| {i} | {2 * math.pi / f0:,.1f} | {f0:.6g} | {f1:.6g} | {kind} |")
    return "\n".join(rows)


def write_card(out, cfg, ck, d, res, tok):
    loss_plot(ck["hist"], f"{out}/loss.png")
    a = ck["args"]
    st = d["stats"]
    kept = {k: st.get("kept_chars_" + k, 0) for k in ("general", "math", "code", "spanish")}
    tot = sum(kept.values())
    mix = ", ".join(f"{k} {100 * v / tot:.1f}%" for k, v in kept.items())
    n_tok = len(d["train"])
    seen = ck["step"] * a["tokens_per_step"]
    tok_s = seen / ck["train_s"]
    rs = cfg.rope_scaling
    scaling_args = ", ".join(f"`{k}: {v}`" for k, v in rs.items())
    hi_wl = rs["original_max_position_embeddings"] / rs["high_freq_factor"]
    lo_wl = rs["original_max_position_embeddings"] / rs["low_freq_factor"]
    anneal_txt = ""
    if a.get("anneal_steps"):
        anneal_txt = (f" Then, as Llama 3 does at the end of pre-training (section 3.4.3, annealing on upsampled "
                      f"math and code), {a['anneal_steps']} annealing steps at 512 tokens on a fresh corpus from the same "
                      f"generator (seed {a['seed'] + 2000}) with the mix {data.ANNEAL_MIX}, learning rate decaying "
                      f"linearly from {a['anneal_lr']} to 0.")
    samples = "\n\n".join(f"**User:** {q}\n\n```text\n{r}\n```" for q, r in res["greedy_samples"].items())
    card = f"""# llama31-mini

A Llama 3.1 in miniature, trained from scratch by this project on a corpus it generates itself, for the
playground's offline default. Same architecture as Llama 3.1 8B (pre-norm RMSNorm, grouped-query attention,
SwiGLU, RoPE theta 500000 with `llama3` frequency scaling, untied embeddings, Llama 3.1 special tokens and chat
format), scaled down about 5,000x. Stored in the Hugging Face layout (`LlamaForCausalLM`, BF16 safetensors).

It can tell short, simple stories, add two numbers from 0 to 99 (showing ones and tens), answer simple facts,
say what a tiny Python program prints, and speak a little Spanish. It knows nothing beyond its generated corpus.

## Model

| | llama31-mini | Llama 3.1 8B |
|---|---|---|
| layers | {cfg.n_layers} | 32 |
| model dim | {cfg.dim} | 4,096 |
| FFN dim (SwiGLU) | {cfg.hidden_dim} | 14,336 |
| attention heads / KV heads | {cfg.n_heads} / {cfg.n_kv_heads} (head dim {cfg.head_dim}) | 32 / 8 (head dim 128) |
| vocabulary | {cfg.vocab_size} ({tok.n_bpe} BPE + {cfg.vocab_size - tok.n_bpe} special) | 128,256 |
| context | {cfg.max_seq_len} | 131,072 |
| RMSNorm eps | {cfg.norm_eps} | 1e-5 |
| RoPE | theta {cfg.rope_theta:.0f}, llama3 scaling, factor {rs['factor']:g}, original ctx {rs['original_max_position_embeddings']} | theta 500000, factor 8, original ctx 8192 |
| parameters | {res['n_params']:,} | 8.0B |
| weights | BF16, untied `lm_head` | BF16, untied |

**RoPE scaling.** HF convention (rotate halves: x[i] pairs with x[i + head_dim/2]). Inverse frequencies
`1 / theta^(2i/head_dim)`, then Meta's `apply_scaling` with {scaling_args}: wavelengths below {hi_wl:g} tokens are
kept, those above {lo_wl:g} are divided by the factor, those in between are smoothly interpolated. The original
context is scaled down from 8192 to {rs['original_max_position_embeddings']} so that the scaling is active inside
the 512-token window. With head dim {cfg.head_dim} the frequency pairs are:

| i | wavelength (tokens, unscaled) | freq | scaled freq | |
|---|---|---|---|---|
{rope_table(cfg)}

The model was trained with these scaled frequencies from the start (it is not a context extension of a
shorter model); `max_position_embeddings` is {cfg.max_seq_len}, the longest context seen in training.

## Tokenizer

Byte-level BPE trained by `training/tokenizer.py` on 12,000 corpus documents: 256 byte tokens + {len(tok.merges)}
merges (ids 0..{tok.n_bpe - 1}), then Llama 3.1's 16 special tokens at {tok.n_bpe}..{cfg.vocab_size - 1} in Llama's order
(`<|begin_of_text|>` {tok.special['<|begin_of_text|>']}, `<|end_of_text|>` {tok.special['<|end_of_text|>']},
`<|start_header_id|>` {tok.special['<|start_header_id|>']}, `<|end_header_id|>` {tok.special['<|end_header_id|>']},
`<|eom_id|>` {tok.special['<|eom_id|>']}, `<|eot_id|>` {tok.special['<|eot_id|>']}, `<|python_tag|>` {tok.special['<|python_tag|>']}, the rest reserved).
Llama 3's pre-tokenizer regex, GPT-2's bytes_to_unicode, `ignore_merges: true`. No merge involves a digit, so every
digit is a single token. {tot / n_tok:.2f} characters per token on the training corpus. `tokenizer.json` follows
Meta-Llama-3's layout (Split + ByteLevel pre-tokenizer, ByteLevel decoder, TemplateProcessing post-processor that
prepends `<|begin_of_text|>`).

## Chat format

`tokenizer_config.json` carries a Jinja `chat_template` producing exactly the Llama 3.1 format:
`<|begin_of_text|>` then per message `<|start_header_id|>{{role}}<|end_header_id|>\\n\\n{{content}}<|eot_id|>`, and with
`add_generation_prompt` `<|start_header_id|>assistant<|end_header_id|>\\n\\n`. It is **simplified** relative to Meta's:
no "Cutting Knowledge Date / Today Date" system preamble, no tool-calling branches, and message content is not trimmed.
Generation stops at `<|eot_id|>` or `<|end_of_text|>` (`generation_config.json`: temperature 0.6, top_p 0.9, as Llama 3.1).

## Data

Everything is generated by `training/data.py` (seed {a['seed']}): {d['n_docs']:,} documents, {tot / 1e6:.1f}M characters,
{n_tok / 1e6:.2f}M tokens, after removing {st['duplicates']:,} exact duplicates (of {st['generated']:,} generated) and
filtering (length bounds, repeated lines). The mix mirrors Llama 3's 50/25/17/8 by characters: {mix}.

- **General knowledge**: short stories from a plot generator (lost toy, learning a skill, sharing, a storm, planting
  a seed) about animals and children, and simple facts (animal sounds, food and homes, colours, capitals, days and
  months, shapes, the solar system), as chat dialogues and plain text.
- **Math**: addition of 0..99 with a short worked answer (`3 + 6 = 9 and 80 + 60 = 140, so 83 + 66 = 140 + 9 = 149.`),
  addition tables, subtraction, times tables, word problems, comparisons, counting, even/odd. Every answer is
  computed. The 200 held-out pairs in `eval/addition.jsonl` never appear in training, in either order.
- **Code**: tiny Python programs (arithmetic, loops, strings, lists, functions, conditionals) with their printed
  output, obtained by executing each program; plus short "write a function" answers, also executed.
- **Multilingual**: simple Spanish stories, Spanish chat, English-Spanish word translation.

About 3/4 of documents are chat dialogues in the Llama 3.1 format (some with a system prompt), so chatting works.
Licence-clean: no third-party text, model or tokenizer was used.

## Training

`bash training/train.sh` (= `nice -n 10 /usr/bin/python3 -m training.train`), seed {a['seed']}, PyTorch (Debian
`python3-torch`, OpenBLAS), float32 on CPU, {a['threads']} intra-op thread (on the shared, oversubscribed machine one
thread measured 2.5x faster than two: 908 vs 362 tokens/s under the same load). AdamW (beta 0.9/0.95, weight decay 0.1 on matrices),
peak LR {a['lr']}, {a['warmup']} warmup steps, cosine decay to 10%, gradient clipping 1.0, {a['tokens_per_step']} tokens per step.
Two context stages in the spirit of Llama 3's staged context growth: 256-token windows for the first
{100 * (1 - a['stage2_frac']):.0f}% of the {a['steps']} main steps, then 512.{anneal_txt} {ck['step']} steps in all,
{seen / 1e6:.2f}M tokens seen.

Machine: {platform.machine()} ({_cpu()}), 2 cores shared with other jobs. Training time
{ck['train_s'] / 60:.0f} min ({tok_s:,.0f} tokens/s average; throughput varied with the other load).
Final training loss {res['final_train_loss']:.3f} (mean of the last 20 steps), held-out loss {res['final_val_loss']}.

![loss curve](loss.png)

The held-out loss is measured on 512-token windows: it stays near 0.8 while training sees only 256-token windows
(positions 256..511 are never trained) and halves as soon as the 512-token stage starts, which is why the context
stage exists.

## Evaluation

Measured in Python (`/usr/bin/python3 -m training.evaluate public/models/llama31-mini`) on the exported BF16 weights:

| metric | value |
|---|---|
| held-out addition accuracy (`eval/addition.jsonl`, {res['addition_n']} pairs, greedy, last number in reply == A + B) | **{100 * res['addition_accuracy']:.1f}%** |
| perplexity on `eval/heldout.txt` ({res['heldout_tokens']} tokens) | **{res['heldout_perplexity']:.3f}** |

Protocols (for the JS tests): the addition prompt is the chat template applied to one user message
`What is A + B?` with the generation prompt (the `prompt` field of each line), greedy decoding up to 64 tokens
until `<|eot_id|>`/`<|end_of_text|>`, correct when the last integer in the reply equals `sum`. Perplexity: the
file's text is encoded with no added BOS (it starts with a literal `<|begin_of_text|>`, and special-token strings in
it map to their ids) into {res['heldout_tokens']} tokens; windows of 512 tokens start at 0, 511, 1022, ... so
each token but the first is predicted once; ppl = exp(mean NLL). `heldout.txt` comes from the same generator with a
different seed, with every document that also occurs in the training corpus removed. `eval/results.json` has the
numbers and the first failures.

Greedy samples:

{samples}

## Limitations

A toy: a few thousand words of vocabulary, template-shaped stories, facts limited to what the generator knows,
no safety tuning. It will confidently continue any prompt in the style of its corpus. Stories are fluent but
often ignore the animal asked for and mix up names; facts are often wrong (it mixes countries and capitals).

Known weakness in addition: sums of two single-digit numbers (e.g. `What is 2 + 3?`). The generator answers those
in a short form (`2 + 3 = 5.`) while every other pair gets the worked answer, and they are only 1% of pairs, so the
model carries on with the worked pattern and ends on a wrong number: 1 of the 100 pairs with A, B < 10 correct,
87% of a sample of 100 pairs with exactly one operand below 10 (measured after training; the random held-out set
has few such pairs). The fix for a next run is to give these pairs the same worked template and upsample them. Use it to watch a real
Llama 3.1 forward pass run, not for information.

## Licence

Weights, tokenizer, data generator and data: original work of this project, generated without third-party
text, models or tokenizers. Dedicated to the public domain under CC0-1.0.
"""
    with open(f"{out}/MODEL_CARD.md", "w", encoding="utf-8") as f:
        f.write(card)


def _cpu():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"
