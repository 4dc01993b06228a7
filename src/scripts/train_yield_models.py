"""Train one variant of the multimodal yield model on many splits and seeds at once.

Every run of the group (a split, a seed and a training fraction) trains side by side in
this one process, as it would alone (reeval/training/batched.py). Writes each run's test
predictions (reaction_id, y, mu, sigma in %) and metrics (JSON) into its folder, and the
weights of every run into one safetensors file.
"""

import argparse
import json
from pathlib import Path

import polars as pl

from reeval.cli import add_run_arguments, run
from reeval.io import write_run_outputs
from reeval.models.variants import variant
from reeval.settings import YieldTraining, from_mapping
from reeval.training.inputs import load_graphs, load_inputs
from reeval.training.run_yield import PlannedRun, run_yield_group
from reeval.training.runtime import choose_device, json_metadata, save_checkpoint, set_threads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_arguments(parser)
    parser.add_argument("--variant", required=True)
    parser.add_argument("--embeddings", required=True, type=Path)
    parser.add_argument("--settings", required=True, help="JSON: yield_model settings")
    parser.add_argument("--checkpoint", required=True, type=Path)
    args = parser.parse_args()
    settings_json = json.loads(args.settings)
    settings = from_mapping(YieldTraining, settings_json)
    planned = json.loads(args.runs)
    set_threads(args.threads)
    reactions = pl.read_parquet(args.reactions)
    inputs = load_inputs(
        reactions, args.features_dir, args.embeddings, list(settings.human_features)
    )
    runs = [PlannedRun(r["split"], int(r["seed"]), float(r["fraction"])) for r in planned]
    device = choose_device(settings.device)
    chosen = variant(args.variant)
    graphs, tokens = None, None
    if chosen.graph_end_to_end:  # the encoders trained with the head (the released code)
        graphs = load_graphs(reactions, args.features_dir, device)
        if settings.end_to_end is not None and settings.end_to_end.smiles:
            from reeval.training.end_to_end import ReactionTokens

            tokens = ReactionTokens.from_smiles(
                reactions["rxn_smiles"].to_list(), settings.smiles_encoder.max_tokens
            )
    outputs = run_yield_group(
        args.dataset,
        inputs,
        pl.read_parquet(args.splits),
        runs,
        chosen,
        settings,
        device,
        graphs=graphs,
        tokens=tokens,
    )
    tensors, metadata = {}, {}
    for planned_run, output in zip(planned, outputs, strict=True):
        key = Path(planned_run["out"]).as_posix()
        tensors |= {f"{key}/{k}": v for k, v in output.trained.state_dict.items()}
        metadata[key] = {"run": output.record, "history": output.trained.history}
    save_checkpoint(args.checkpoint, tensors, json_metadata(settings=settings_json, **metadata))
    for planned_run, output in zip(planned, outputs, strict=True):
        out = Path(planned_run["out"])
        write_run_outputs(
            output.predictions, output.record, out / "predictions.parquet", out / "metrics.json"
        )
        print(json.dumps(output.record, sort_keys=True))


if __name__ == "__main__":
    run(main)
