"""Embed every reaction of a data set once with the frozen pretrained encoders."""

import argparse
import json
from pathlib import Path

import polars as pl
import torch

from reeval.cli import run
from reeval.featurize.store import load_graph_cache, load_molecules
from reeval.featurize.tokens import Vocabulary
from reeval.settings import GraphEncoder, SmilesEncoder, from_mapping
from reeval.training.pretrain import ReactionCorpus, build_encoders, embed_reactions
from reeval.training.runtime import choose_device, load_checkpoint, save_checkpoint, set_threads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reactions", required=True, type=Path)
    parser.add_argument("--features-dir", required=True, type=Path)
    parser.add_argument("--encoders", required=True, type=Path)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--embeddings", required=True, type=Path)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    set_threads(args.threads)
    device = choose_device(args.device)
    state, metadata = load_checkpoint(args.encoders)
    vocab = Vocabulary.from_json(metadata["vocabulary"])
    smiles_settings = from_mapping(SmilesEncoder, json.loads(metadata["smiles_encoder"]))
    graph_encoder, smiles_encoder = build_encoders(
        from_mapping(GraphEncoder, json.loads(metadata["graph_encoder"])),
        smiles_settings,
        len(vocab),
    )
    graph_encoder.load_state_dict(
        {
            k.removeprefix("graph_encoder."): v
            for k, v in state.items()
            if k.startswith("graph_encoder.")
        }
    )
    smiles_encoder.load_state_dict(
        {
            k.removeprefix("smiles_encoder."): v
            for k, v in state.items()
            if k.startswith("smiles_encoder.")
        }
    )
    reactions = pl.read_parquet(args.reactions)
    corpus = ReactionCorpus(
        load_molecules(args.features_dir),
        load_graph_cache(args.features_dir),
        [vocab.encode(t) for t in reactions["rxn_smiles"]],
    )
    graph, smiles = embed_reactions(
        graph_encoder, smiles_encoder, corpus, vocab, smiles_settings.max_tokens, device
    )
    ids = torch.tensor(reactions["reaction_id"].to_numpy(), dtype=torch.int64)
    save_checkpoint(args.embeddings, {"reaction_id": ids, "graph": graph, "smiles": smiles}, {})
    print(
        f"embedded {len(ids)} reactions: graph {tuple(graph.shape)}, smiles {tuple(smiles.shape)}"
    )


if __name__ == "__main__":
    run(main)
