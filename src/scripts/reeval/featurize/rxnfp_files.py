"""Names of the rxnfp models and of their cached vectors: plain constants, importable where
Snakemake parses the workflow (no torch, no RDKit)."""

from __future__ import annotations

RXNFP_MODELS = ("bert_ft", "bert_pretrained")
MODEL_FILES = ("config.json", "vocab.txt", "pytorch_model.bin")
# feature kind -> the rxnfp model whose [CLS] vectors it is (rule rxnfp_reactions)
RXNFP_KINDS = {"rxnfp": "bert_ft", "rxnfp_pretrained": "bert_pretrained"}


def rxnfp_file(model: str) -> str:
    """The file of one rxnfp model's [CLS] vectors in a data set's feature folder."""
    return f"rxnfp_{model}.safetensors"
