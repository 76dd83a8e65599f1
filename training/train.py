"""Train llama31-mini end to end: corpus -> BPE tokenizer -> model -> export to public/models/llama31-mini/.

    nice -n 10 /usr/bin/python3 -m training.train            # full recipe (seeded, repeatable)
    /usr/bin/python3 -m training.train --steps 20 --out /tmp/x # smoke test

Schedule: AdamW, linear warmup then cosine decay to 10% (as Llama 3 pre-training), and two context stages
(256 then 512 tokens, a miniature of Llama 3's staged context growth) at a constant number of tokens per step.
Then an annealing stage (Llama 3 section 3.4.3): --anneal-steps more steps on a fresh corpus with math upsampled
(data.ANNEAL_MIX), learning rate decaying linearly from --anneal-lr to 0.
A checkpoint is written every --ckpt-every steps to training/out/; --resume continues from it.
"""
import argparse
import json
import math
import os
import random
import time

import torch
import torch.nn.functional as F

from . import data
from .model import Config, Llama
from .tokenizer import Tokenizer, train_bpe

OUT = "training/out"


def prepare(args, log):
    """Corpus and tokenizer, cached in training/out/ by seed."""
    path = f"{OUT}/data-seed{args.seed}-{args.corpus_chars}.pt"
    if os.path.exists(path):
        return torch.load(path)
    t0 = time.time()
    docs, chars, stats, seen = data.generate(args.corpus_chars, args.seed)
    log(f"corpus: {len(docs)} docs, {sum(chars.values()) / 1e6:.1f}M chars, {stats}, "
        f"mix {({k: round(v / sum(chars.values()), 3) for k, v in chars.items()})} ({time.time() - t0:.0f}s)")
    # held-out text: same generator, different seed, any doc also in training removed
    held, _, _, _ = data.generate(args.heldout_chars, args.seed + 1000, exclude=seen)
    r = random.Random(args.seed)
    sample = r.sample(docs, min(len(docs), 12000))
    merges = train_bpe(sample, args.vocab_size - 256 - len(Tokenizer([]).special))
    tok = Tokenizer(merges)
    assert tok.vocab_size == args.vocab_size, tok.vocab_size
    ids = []
    for d in docs:
        ids.extend(tok.encode(d))
    held_ids = tok.encode("".join(held))
    log(f"tokenizer: {len(merges)} merges, {len(ids) / 1e6:.2f}M train tokens, "
        f"{sum(chars.values()) / len(ids):.2f} chars/token ({time.time() - t0:.0f}s)")
    d = {"merges": merges, "train": torch.tensor(ids, dtype=torch.int16), "heldout_docs": held,
         "heldout": torch.tensor(held_ids, dtype=torch.int16), "chars": chars, "stats": stats, "n_docs": len(docs)}
    torch.save(d, path)
    return d


def prepare_anneal(args, d, log):
    """Annealing corpus: same generator and tokenizer, another seed, math upsampled (data.ANNEAL_MIX)."""
    path = f"{OUT}/anneal-seed{args.seed}-{args.anneal_steps}.pt"
    if os.path.exists(path):
        return torch.load(path)
    tok = Tokenizer(d["merges"])
    chars = int(args.anneal_steps * args.tokens_per_step * 4.6)  # ~1 epoch at ~4.4 chars/token
    docs, _, stats, _ = data.generate(chars, args.seed + 2000, mix=data.ANNEAL_MIX)
    ids = []
    for doc in docs:
        ids.extend(tok.encode(doc))
    log(f"anneal corpus: {len(docs)} docs, {len(ids) / 1e6:.2f}M tokens, {stats}")
    t = torch.tensor(ids, dtype=torch.int16)
    torch.save(t, path)
    return t


def lr_at(step, args):
    if step >= args.steps:  # annealing stage: linear decay from anneal_lr to 0
        return args.anneal_lr * (1 - (step - args.steps) / args.anneal_steps)
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    p = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * p)))


def batch(stream, B, T, g):
    ix = torch.randint(0, len(stream) - T - 1, (B,), generator=g)
    x = torch.stack([stream[i:i + T + 1] for i in ix.tolist()]).long()
    return x[:, :-1], x[:, 1:]


@torch.no_grad()
def eval_loss(model, stream, T=512):
    model.eval()
    n = (len(stream) - 1) // T
    x = stream[: n * T + 1].long()
    tot, cnt = 0.0, 0
    for i in range(0, n, 8):
        xb = torch.stack([x[j * T: j * T + T] for j in range(i, min(n, i + 8))])
        yb = torch.stack([x[j * T + 1: j * T + T + 1] for j in range(i, min(n, i + 8))])
        tot += F.cross_entropy(model(xb).flatten(0, 1), yb.flatten(), reduction="sum").item()
        cnt += yb.numel()
    model.train()
    return tot / cnt


def main():
    global OUT
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus-chars", type=int, default=30_000_000)
    ap.add_argument("--heldout-chars", type=int, default=60_000)
    ap.add_argument("--vocab-size", type=int, default=2048)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--hidden-dim", type=int, default=384)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=800)
    ap.add_argument("--tokens-per-step", type=int, default=4096)
    ap.add_argument("--stage2-frac", type=float, default=0.12, help="final fraction of steps at 512 context")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--anneal-steps", type=int, default=100, help="extra steps on the math-upsampled ANNEAL_MIX")
    ap.add_argument("--anneal-lr", type=float, default=3e-4, help="start of the linear decay to 0")
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ckpt-every", type=int, default=50)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--workdir", default=OUT, help="checkpoints, caches and logs")
    ap.add_argument("--out", default="public/models/llama31-mini")
    ap.add_argument("--no-export", action="store_true")
    args = ap.parse_args()

    OUT = args.workdir
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    logf = open(f"{OUT}/train.log", "a")

    def log(s):
        print(s, flush=True)
        logf.write(s + "\n")
        logf.flush()

    d = prepare(args, log)
    cfg = Config(vocab_size=args.vocab_size, dim=args.dim, hidden_dim=args.hidden_dim, n_layers=args.layers,
                 n_heads=args.heads, n_kv_heads=args.kv_heads, max_seq_len=512)
    model = Llama(cfg)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95), eps=1e-8)
    g = torch.Generator().manual_seed(args.seed)
    step, hist, train_s = 0, [], 0.0
    ck = f"{OUT}/ckpt.pt"
    if args.resume and os.path.exists(ck):
        s = torch.load(ck)
        model.load_state_dict(s["model"])
        opt.load_state_dict(s["opt"])
        g.set_state(s["gen"])
        step, hist, train_s = s["step"], s["hist"], s["train_s"]
        log(f"resumed at step {step}")
    log(f"config {cfg}; {model.n_params()} params; args {vars(args)}")
    stream = d["train"]
    stage2 = int(args.steps * (1 - args.stage2_frac))
    total = args.steps + args.anneal_steps
    if args.anneal_steps:
        anneal = prepare_anneal(args, d, log)
    t_last, tok_last = time.time(), 0
    while step < total:
        if step >= args.steps:
            stream = anneal
        T = 256 if step < stage2 else 512
        B = args.tokens_per_step // T
        for group in opt.param_groups:
            group["lr"] = lr_at(step, args)
        t0 = time.time()
        x, y = batch(stream, B, T, g)
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        train_s += time.time() - t0
        step += 1
        tok_last += B * T
        rec = {"step": step, "loss": round(loss.item(), 4), "lr": round(lr_at(step - 1, args), 6), "T": T,
               "train_s": round(train_s, 1)}
        if step % 10 == 0:
            rec["tok_s"] = round(tok_last / (time.time() - t_last))
            t_last, tok_last = time.time(), 0
            log(json.dumps(rec))
        if step % args.ckpt_every == 0 or step == total:
            rec["val_loss"] = round(eval_loss(model, d["heldout"][:8 * 512 + 1]), 4)
            log(json.dumps(rec))
        hist.append(rec)
        if step % args.ckpt_every == 0 or step == total:
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "gen": g.get_state(), "step": step,
                        "hist": hist, "train_s": train_s, "cfg": cfg.__dict__, "args": vars(args)}, ck + ".tmp")
            os.replace(ck + ".tmp", ck)
    log(f"done: {step} steps, {train_s / 60:.1f} min of training")
    if not args.no_export:
        from .export import export
        export(ck, f"{OUT}/data-seed{args.seed}-{args.corpus_chars}.pt", args.out)


if __name__ == "__main__":
    main()
