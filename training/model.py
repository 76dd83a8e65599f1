"""Llama 3.1 in miniature (PyTorch), laid out exactly like Hugging Face's LlamaForCausalLM so the state dict
exports under HF tensor names with no renaming or permutation.

References: Llama 3 (arXiv:2407.21783, Table 3); Meta's llama-models `apply_scaling` for RoPE llama3 scaling;
HF transformers `modeling_llama.py` for the rotate-half RoPE convention (x[i] pairs with x[i + head_dim/2]).
Pre-norm RMSNorm (eps 1e-5), grouped-query attention, SwiGLU FFN: down(silu(gate(x)) * up(x)).
"""
import math
from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    vocab_size: int = 2048
    dim: int = 128            # hidden_size
    hidden_dim: int = 384     # intermediate_size (SwiGLU)
    n_layers: int = 6
    n_heads: int = 4
    n_kv_heads: int = 2
    max_seq_len: int = 512
    rope_theta: float = 500000.0
    norm_eps: float = 1e-5
    tie_embeddings: bool = False
    rope_scaling: dict = field(default_factory=lambda: {
        "rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
        "original_max_position_embeddings": 256})

    @property
    def head_dim(self):
        return self.dim // self.n_heads


def apply_scaling(freqs, s):
    """Meta's llama3 RoPE frequency scaling (llama-models, reference implementation), parameterised."""
    factor, lo, hi, old = s["factor"], s["low_freq_factor"], s["high_freq_factor"], s["original_max_position_embeddings"]
    low_freq_wavelen, high_freq_wavelen = old / lo, old / hi
    new = []
    for freq in freqs.tolist():
        wavelen = 2 * math.pi / freq
        if wavelen < high_freq_wavelen:
            new.append(freq)
        elif wavelen > low_freq_wavelen:
            new.append(freq / factor)
        else:
            smooth = (old / wavelen - lo) / (hi - lo)
            new.append((1 - smooth) * freq / factor + smooth * freq)
    return torch.tensor(new, dtype=freqs.dtype)


def rope_inv_freq(cfg):
    d = cfg.head_dim
    freqs = 1.0 / (cfg.rope_theta ** (torch.arange(0, d, 2)[: d // 2].float() / d))  # [head_dim/2]
    return apply_scaling(freqs, cfg.rope_scaling) if cfg.rope_scaling else freqs


def rope_cos_sin(cfg, T):
    inv = rope_inv_freq(cfg)
    ang = torch.outer(torch.arange(T).float(), inv)   # [T, head_dim/2]
    emb = torch.cat([ang, ang], dim=-1)               # [T, head_dim]: HF duplicates halves
    return emb.cos(), emb.sin()


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat([-x2, x1], dim=-1)


def apply_rope(x, cos, sin):                          # x [B, H, T, hd]
    return x * cos + rotate_half(x) * sin


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        hd = c.head_dim
        self.q_proj = nn.Linear(c.dim, c.n_heads * hd, bias=False)     # wq
        self.k_proj = nn.Linear(c.dim, c.n_kv_heads * hd, bias=False)  # wk
        self.v_proj = nn.Linear(c.dim, c.n_kv_heads * hd, bias=False)  # wv
        self.o_proj = nn.Linear(c.n_heads * hd, c.dim, bias=False)     # wo

    def forward(self, x, cos, sin, mask, cache=None):
        B, T, _ = x.shape
        c, hd = self.c, self.c.head_dim
        q = self.q_proj(x).view(B, T, c.n_heads, hd).transpose(1, 2)     # [B, H, T, hd]
        k = self.k_proj(x).view(B, T, c.n_kv_heads, hd).transpose(1, 2)  # [B, KV, T, hd]
        v = self.v_proj(x).view(B, T, c.n_kv_heads, hd).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        if cache is not None:                                            # KV cache for generation: [B, KV, past+T, hd]
            if "k" in cache:
                k, v = torch.cat([cache["k"], k], 2), torch.cat([cache["v"], v], 2)
            cache["k"], cache["v"] = k, v
        rep = c.n_heads // c.n_kv_heads                                  # GQA: each kv head serves `rep` q heads
        k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hd) + mask           # [B, H, T, T]
        y = F.softmax(att, dim=-1) @ v                                   # [B, H, T, hd]
        return self.o_proj(y.transpose(1, 2).reshape(B, T, c.n_heads * hd))


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gate_proj = nn.Linear(c.dim, c.hidden_dim, bias=False)  # w1
        self.up_proj = nn.Linear(c.dim, c.hidden_dim, bias=False)    # w3
        self.down_proj = nn.Linear(c.hidden_dim, c.dim, bias=False)  # w2

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.input_layernorm = RMSNorm(c.dim, c.norm_eps)
        self.self_attn = Attention(c)
        self.post_attention_layernorm = RMSNorm(c.dim, c.norm_eps)
        self.mlp = MLP(c)

    def forward(self, x, cos, sin, mask, cache=None):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask, cache)
        return x + self.mlp(self.post_attention_layernorm(x))


class Inner(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab_size, c.dim)
        self.layers = nn.ModuleList(Block(c) for _ in range(c.n_layers))
        self.norm = RMSNorm(c.dim, c.norm_eps)


class Llama(nn.Module):
    """Module names give HF keys: model.embed_tokens.weight, model.layers.N.self_attn.q_proj.weight, ..."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        self.model = Inner(c)
        self.lm_head = nn.Linear(c.dim, c.vocab_size, bias=False)
        if c.tie_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight
        cos, sin = rope_cos_sin(c, c.max_seq_len)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        self.apply(self._init)
        for n, p in self.named_parameters():  # GPT-2 style scaled init of residual projections
            if n.endswith("o_proj.weight") or n.endswith("down_proj.weight"):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * c.n_layers))

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, 0.0, 0.02)

    def forward(self, idx, caches=None, pos=0):          # idx [B, T] -> logits [B, T, vocab]
        T = idx.shape[1]
        x = self.model.embed_tokens(idx)
        mask = torch.full((T, pos + T), float("-inf")).triu(pos + 1)  # token t sees positions <= pos + t
        cos, sin = self.cos[pos:pos + T], self.sin[pos:pos + T]
        for i, layer in enumerate(self.model.layers):
            x = layer(x, cos, sin, mask, caches[i] if caches is not None else None)
        return self.lm_head(self.model.norm(x))

    def n_params(self):
        return sum(p.numel() for p in self.parameters())
