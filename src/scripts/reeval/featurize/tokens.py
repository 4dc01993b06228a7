"""A regex SMILES tokenizer (the atom-level pattern of Schwaller et al.) and its vocabulary."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

import torch

from reeval.errors import DataError

SMILES_PATTERN = re.compile(
    r"(\[[^\]]+]|Br?|Cl?|N|O|S|P|F|I|b|c|n|o|s|p|\(|\)|\.|=|#|-|\+|\\|\/|:|~|@|\?|>|\*|\$|"
    r"\%[0-9]{2}|[0-9])"
)
# rxnfp's form of the same pattern (rxnfp.tokenization): the reaction arrow ">>" is one token
REACTION_PATTERN = re.compile(SMILES_PATTERN.pattern.replace(r"|>|", r"|>>?|"))
PAD, UNK, CLS = "[PAD]", "[UNK]", "[CLS]"
SPECIAL = [PAD, UNK, CLS]
PAD_MULTIPLE = 16


def tokenize(smiles: str, pattern: re.Pattern = SMILES_PATTERN) -> list[str]:
    """Atom-level tokens; raises if the pattern does not cover the whole string."""
    tokens = pattern.findall(smiles)
    if "".join(tokens) != smiles:
        raise DataError(f"the SMILES tokenizer cannot split {smiles!r} losslessly")
    return tokens


@dataclass(frozen=True)
class Vocabulary:
    """Token -> id; ids 0, 1, 2 are padding, unknown and the pooled first token."""

    tokens: tuple[str, ...]

    @classmethod
    def build(cls, texts: list[str]) -> Vocabulary:
        """From training texts: by frequency, ties broken by the token itself (deterministic)."""
        counts = Counter(t for text in texts for t in tokenize(text))
        ordered = sorted(counts, key=lambda t: (-counts[t], t))
        return cls(tuple(SPECIAL + ordered))

    @cached_property
    def index(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.tokens)}

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, smiles: str) -> list[int]:
        index = self.index
        return [index[CLS]] + [index.get(t, index[UNK]) for t in tokenize(smiles)]

    def encode_batch(self, texts: list[str], max_tokens: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(ids, padding mask) padded to the longest text; True in the mask marks padding."""
        return self.pad([self.encode(t) for t in texts], max_tokens)

    def pad(self, encoded: list[list[int]], max_tokens: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Pad already encoded sequences (see `encode_batch`)."""
        longest = max(map(len, encoded))
        if longest > max_tokens:
            raise DataError(
                f"a SMILES has {longest} tokens, more than smiles_encoder.max_tokens "
                f"= {max_tokens}; raise it in the profile"
            )
        # round the padded length up to a multiple of PAD_MULTIPLE: a few distinct tensor
        # shapes instead of one per batch keep the CPU kernels' per-shape caches (and the
        # process's memory) bounded, for a few per cent more compute
        width = min(max_tokens, -(-longest // PAD_MULTIPLE) * PAD_MULTIPLE)
        ids = torch.zeros((len(encoded), width), dtype=torch.long)
        for row, seq in enumerate(encoded):
            ids[row, : len(seq)] = torch.tensor(seq)
        return ids, ids == self.index[PAD]

    def to_json(self) -> str:
        return json.dumps(list(self.tokens))

    @classmethod
    def from_json(cls, text: str) -> Vocabulary:
        return cls(tuple(json.loads(text)))
