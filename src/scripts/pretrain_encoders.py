"""Contrastive pretraining of the graph and SMILES encoders on one data set's reactions.

Uses reaction SMILES only (no yields): all reactions (--scope all) or the training
reactions of one split (--scope <split>). Writes the encoders and vocabulary as safetensors.
"""

import argparse
import json
from pathlib import Path

import polars as pl

from reeval.cli import run
from reeval.featurize.store import load_graph_cache, load_molecules
from reeval.featurize.tokens import Vocabulary
from reeval.io import write_parquet_atomic
from reeval.models.contrastive import ContrastiveModel
from reeval.settings import PretrainingJob, from_mapping, to_mapping
from reeval.training.pretrain import ReactionCorpus, build_encoders, pretrain
from reeval.training.runtime import (
    choose_device,
    json_metadata,
    save_checkpoint,
    seed_everything,
    set_threads,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reactions", required=True, type=Path)
    parser.add_argument("--splits", required=True, type=Path)
    parser.add_argument("--features-dir", required=True, type=Path)
    parser.add_argument("--scope", required=True, help="'all' or a split name")
    parser.add_argument("--settings", required=True, help="JSON: yield_model settings")
    parser.add_argument("--encoders", required=True, type=Path)
    parser.add_argument("--history", required=True, type=Path)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    settings = from_mapping(PretrainingJob, json.loads(args.settings))
    set_threads(args.threads)
    device = choose_device(settings.device)
    generator = seed_everything(settings.pretrain.seed)

    reactions = pl.read_parquet(args.reactions)
    ids = reactions["reaction_id"].to_list()
    if args.scope != "all":
        splits = pl.read_parquet(args.splits)
        ids = splits.filter((pl.col("split") == args.scope) & (pl.col("subset") == "train"))[
            "reaction_id"
        ].to_list()
        reactions = reactions.filter(pl.col("reaction_id").is_in(ids))
    molecules = load_molecules(args.features_dir).subset(reactions["reaction_id"].to_list())
    texts = reactions["rxn_smiles"].to_list()
    vocab = Vocabulary.build(texts)
    corpus = ReactionCorpus(
        molecules, load_graph_cache(args.features_dir), [vocab.encode(t) for t in texts]
    )
    graph_encoder, smiles_encoder = build_encoders(
        settings.graph_encoder, settings.smiles_encoder, len(vocab)
    )
    cfg = settings.pretrain
    model = ContrastiveModel(
        graph_encoder, smiles_encoder, cfg.projection_dim, cfg.temperature, cfg.learn_temperature
    )
    history = pretrain(
        model, corpus, vocab, cfg, settings.smiles_encoder.max_tokens, generator, device
    )
    save_checkpoint(
        args.encoders,
        model.state_dict(),
        {
            "vocabulary": vocab.to_json(),
            "n_reactions": str(len(corpus)),
            **json_metadata(
                graph_encoder=to_mapping(settings.graph_encoder),
                smiles_encoder=to_mapping(settings.smiles_encoder),
            ),
        },
    )
    write_parquet_atomic(pl.DataFrame(history), args.history)
    print(f"pretrained on {len(corpus)} reactions; last epoch: {history[-1]}")


if __name__ == "__main__":
    run(main)
