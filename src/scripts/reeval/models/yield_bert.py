"""Yield-BERT (Schwaller et al. 2021, Mach. Learn.: Sci. Technol. 2:015016): rxnfp's
pretrained reaction BERT with a regression head, fine-tuned end to end on yields."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from reeval.featurize.rxnfp import load_rxn_bert


class YieldBert(nn.Module):
    """BERT -> pooled [CLS] (dense + tanh, BERT's pooler) -> dropout -> linear -> yield.

    The head of Hugging Face's `BertForSequenceClassification` with one regression output,
    which Yield-BERT used (through simpletransformers): its dropout is the BERT's
    `hidden_dropout_prob`, which Schwaller et al. set for the whole network (0.80 on
    Buchwald-Hartwig).

    Args:
        model_dir: an rxnfp model folder (config.json, pytorch_model.bin, vocab.txt).
        hidden_dropout: the dropout of every BERT layer and of the head.

    Shapes: `input_ids` and `attention_mask` (batch, tokens) -> (batch,) standardised yields.
    """

    def __init__(self, model_dir: Path, hidden_dropout: float):
        super().__init__()
        self.bert = load_rxn_bert(model_dir, hidden_dropout_prob=hidden_dropout)
        hidden = self.bert.config.hidden_size
        self.dropout = nn.Dropout(hidden_dropout)
        self.head = nn.Linear(hidden, 1)
        # BERT's initialisation of a new layer (normal, std = initializer_range; zero bias)
        nn.init.normal_(self.head.weight, std=self.bert.config.initializer_range)
        nn.init.zeros_(self.head.bias)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        pooled = self.bert(input_ids=input_ids, attention_mask=attention_mask).pooler_output
        return self.head(self.dropout(pooled)).squeeze(-1)
