"""Minimal safetensors reader/writer (the format: 8-byte little-endian header length, a JSON header mapping each
tensor name to dtype, shape and [begin, end) byte offsets into the data that follows, then the raw bytes).
Spec: https://github.com/huggingface/safetensors#format . Only what this model needs: BF16 and F32.
"""
import json
import struct

import numpy as np
import torch


def save_bf16(tensors, path, metadata=None):
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.bfloat16).contiguous()
        raw = t.view(torch.int16).numpy().tobytes()  # bf16 bits, little-endian
        header[name] = {"dtype": "BF16", "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    header["__metadata__"] = metadata or {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)  # pad so the data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def load(path):
    """Returns {name: float32 tensor}."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        if e["dtype"] == "BF16":
            bits = np.frombuffer(data[b:end], dtype="<u2").astype(np.uint32) << 16
            arr = bits.view(np.float32)
        elif e["dtype"] == "F32":
            arr = np.frombuffer(data[b:end], dtype="<f4")
        else:
            raise ValueError(f"{name}: unsupported dtype {e['dtype']}")
        out[name] = torch.from_numpy(arr.copy()).reshape(e["shape"])
    return out
