"""The reaction BERT of Schwaller et al. (rxnfp): its tokenizer, its weights, and the [CLS]
vector of each reaction.

Two models ship with rxnfp (MIT; fetched or mirrored like every data file, see the data
manifest): `bert_pretrained`, the masked-language model of USPTO reaction SMILES that
Yield-BERT fine-tunes (Schwaller et al. 2021, Mach. Learn.: Sci. Technol. 2:015016), and
`bert_ft`, the same model fine-tuned on reaction classes, whose [CLS] vector of the last
layer is the "rxnfp" reaction fingerprint (Schwaller et al. 2021, Nat. Mach. Intell. 3:144).
Both are a 12-layer BERT, hidden 256, loaded into Hugging Face's `BertModel` from a plain
state dict with `torch.load(weights_only=True)`; the tokenizer is the atom-level regex of
`reeval.featurize.tokens` in rxnfp's form (">>" one token) over the shipped `vocab.txt`,
with [CLS] ... [SEP] around it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import polars as pl
import torch
from safetensors.numpy import save_file

from reeval.errors import DataError
from reeval.featurize.tokens import REACTION_PATTERN, tokenize
from reeval.io import atomic_path, canonical_safetensors

CLS, SEP, PAD, UNK = "[CLS]", "[SEP]", "[PAD]", "[UNK]"


@dataclass(frozen=True)
class RxnTokenizer:
    """Reaction SMILES -> ids of rxnfp's vocabulary: [CLS], the regex tokens, [SEP].

    A token outside the vocabulary becomes [UNK]; `encode` reports how many there were, so a
    caller can refuse inputs the model has never seen (our BH and SM reactions have none)."""

    tokens: tuple[str, ...]
    max_length: int

    @classmethod
    def from_folder(cls, model_dir: Path, max_length: int) -> RxnTokenizer:
        path = Path(model_dir) / "vocab.txt"
        try:
            tokens = tuple(line.rstrip("\n") for line in path.read_text().splitlines())
        except OSError as exc:
            raise DataError(f"{path}: cannot read the rxnfp vocabulary ({exc})") from exc
        missing = [t for t in (CLS, SEP, PAD, UNK) if t not in tokens]
        if missing:
            raise DataError(f"{path}: not an rxnfp vocabulary (no {missing})")
        return cls(tokens, max_length)

    @cached_property
    def index(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.tokens)}

    @property
    def pad_id(self) -> int:
        return self.index[PAD]

    def encode(self, rxn_smiles: str) -> tuple[list[int], int]:
        """(ids, number of unknown tokens). Raises when the reaction is longer than
        `max_length` tokens with [CLS] and [SEP] (BERT has 512 positions)."""
        index = self.index
        unknown = index[UNK]
        ids = [index[CLS]]
        missing = 0
        for token in tokenize(rxn_smiles, REACTION_PATTERN):
            token_id = index.get(token, unknown)
            missing += token_id == unknown
            ids.append(token_id)
        ids.append(index[SEP])
        if len(ids) > self.max_length:
            raise DataError(
                f"the reaction {rxn_smiles[:60]}... has {len(ids)} rxnfp tokens, more than "
                f"{self.max_length}; the rxnfp BERT cannot read it"
            )
        return ids, missing


def load_rxn_bert(model_dir: Path, **config_overrides):
    """rxnfp's BERT as a `transformers.BertModel` in eval mode (weights read without
    executing pickled code), with `config_overrides` set on its config (for example
    `hidden_dropout_prob` for fine-tuning). The pretraining heads of `bert_pretrained`
    (`cls.*`) are not part of `BertModel` and are left out; a missing encoder weight is an
    error."""
    from transformers import BertConfig, BertModel

    model_dir = Path(model_dir)
    try:
        config = BertConfig.from_json_file(str(model_dir / "config.json"))
        for key, value in config_overrides.items():
            setattr(config, key, value)
        state = torch.load(model_dir / "pytorch_model.bin", map_location="cpu", weights_only=True)
    except Exception as exc:
        raise DataError(
            f"{model_dir}: cannot load the rxnfp BERT ({exc}); rerun the build, which "
            "fetches and verifies the files of the data manifest"
        ) from exc
    encoder = {
        key.removeprefix("bert."): value
        for key, value in state.items()
        if not key.startswith("cls.")
    }
    model = BertModel(config)
    missing, unexpected = model.load_state_dict(encoder, strict=False)
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        raise DataError(
            f"{model_dir / 'pytorch_model.bin'} does not fit its config.json "
            f"(missing {missing[:3]}, unexpected {unexpected[:3]})"
        )
    return model.eval()


def length_batches(lengths: list[int], batch_size: int) -> list[np.ndarray]:
    """Row indices in batches of similar length (sorted, ties by row), so that padding costs
    little; the order depends on nothing but the lengths."""
    order = np.lexsort((np.arange(len(lengths)), np.asarray(lengths)))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


@torch.inference_mode()
def cls_vectors(
    model, tokenizer: RxnTokenizer, rxn_smiles: list[str], batch_size: int = 32
) -> np.ndarray:
    """The last layer's [CLS] vector of each reaction, (n, hidden) float32, in input order.

    Raises DataError when a reaction has tokens outside the vocabulary."""
    encoded = [tokenizer.encode(s) for s in rxn_smiles]
    unknown = [s for s, (_, missing) in zip(rxn_smiles, encoded, strict=True) if missing]
    if unknown:
        raise DataError(
            f"{len(unknown)} reactions have tokens outside the rxnfp vocabulary, e.g. "
            f"{unknown[0][:80]}"
        )
    out = np.zeros((len(encoded), model.config.hidden_size), dtype=np.float32)
    for rows in length_batches([len(ids) for ids, _ in encoded], batch_size):
        width = max(len(encoded[r][0]) for r in rows)
        ids = torch.full((len(rows), width), tokenizer.pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, r in enumerate(rows):
            seq = encoded[r][0]
            ids[i, : len(seq)] = torch.tensor(seq)
            mask[i, : len(seq)] = 1
        hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
        out[rows] = hidden[:, 0, :].numpy()
    return out


def write_rxnfp_vectors(
    reactions: pl.DataFrame, model_dir: Path, out: Path, batch_size: int = 32
) -> float:
    """Write the [CLS] vectors of `reactions` (a tidy table: reaction_id, rxn_smiles) under
    the key "vectors", beside their reaction ids, atomically and with a checksum; returns
    the seconds the model took."""
    model = load_rxn_bert(model_dir)
    tokenizer = RxnTokenizer.from_folder(model_dir, model.config.max_position_embeddings)
    start = time.perf_counter()
    vectors = cls_vectors(model, tokenizer, reactions["rxn_smiles"].to_list(), batch_size)
    seconds = time.perf_counter() - start
    arrays = {
        "reaction_id": reactions["reaction_id"].to_numpy().astype(np.int64),
        "vectors": vectors,
    }
    with atomic_path(out, checksum=True) as tmp:
        save_file(arrays, str(tmp), metadata={"model": Path(model_dir).name})
        canonical_safetensors(tmp)
    return seconds
