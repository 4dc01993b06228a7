"""MatBERT head to head: formation energy and band gap of the authors' Materials Project
structures, on their own train/test split (200/100 in the mirror), from every
representation of the study and from the authors' MatBERT vectors.

Each representation is fed to the same regressors: a ridge whose penalty is chosen by
leave-one-out on the training structures (nothing else to tune) and the property MLP of
the embedding-quality benchmark, trained with several seeds; the training mean is the
no-information reference. Only the test structures' predictions are kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
from sklearn.linear_model import RidgeCV

from reeval.errors import DataError
from reeval.materials.pool import MR
from reeval.materials.property_models import fit_predict
from reeval.materials.representations import matbert_part
from reeval.settings import PropertyNetwork

TARGETS = ["eform", "egap"]  # the columns of the authors' train_data.csv / test_data.csv
# the authors' MatBERT vectors (both halves and each) and the study's own representations
MATBERT = {
    "matbert": "full",
    "matbert_composition": "composition",
    "matbert_structure": "description",
}
OWN = ["lm", "lm_structure", "lm_composition", "mat2vec", "magpie", "crystalnn"]
REPRESENTATIONS = [*MATBERT, *OWN]
TRAINING_MEAN = "training_mean"  # the no-information reference
REGRESSORS = ["ridge", "mlp"]
RUN_SCHEMA = {
    "regressor": pl.String,
    "representation": pl.String,
    "seed": pl.Int64,
    "id": pl.String,
    "target": pl.String,
    "y": pl.Float64,
    "prediction": pl.Float64,
}


@dataclass(frozen=True)
class AuthorsSplit:
    """The authors' structures of the pool that every representation has.

    ids: pool ids (n,); is_train: (n,) bool, the authors' split; targets: (n, 2) in the
    order of TARGETS; features: representation -> (n, d); left_out: (pool id, reason) of
    each authors' structure of the pool without every representation."""

    ids: list[str]
    is_train: np.ndarray
    targets: np.ndarray
    features: dict[str, np.ndarray]
    left_out: list[tuple[str, str]]

    @property
    def n_train(self) -> int:
        return int(self.is_train.sum())

    @property
    def n_test(self) -> int:
        return int((~self.is_train).sum())


def _authors_table(raw: Path) -> pl.DataFrame:
    """id, part (train | test) and the targets of the authors' structures, from the mirror."""
    parts = []
    for part in ("train", "test"):
        path = raw / MR / f"{part}_structure_egap" / f"{part}_data.csv"
        if not path.is_file():
            raise DataError(f"{path} is missing: run the fetch rule (make paper) first")
        table = pl.read_csv(path)
        missing = [c for c in ["id", *TARGETS] if c not in table.columns]
        if missing:
            raise DataError(f"{path} lacks the column(s) {missing}: is it the authors' file?")
        parts.append(table.select("id", *TARGETS).with_columns(part=pl.lit(part)))
    return pl.concat(parts)


def authors_split(
    pool: pl.DataFrame, arrays: dict[str, np.ndarray], matbert: np.ndarray, raw: Path
) -> AuthorsSplit:
    """The authors' structures of `pool` (in pool order; `matbert` holds their vectors in
    that order, as `build_pool` keeps them) with their split and targets; a structure
    lacking a representation (robocrys or CrystalNN failed) is left out and listed."""
    rows = np.flatnonzero((pool["source"] == "authors").to_numpy())
    if len(rows) != len(matbert):
        raise DataError(
            f"the pool has {len(rows)} authors' structures but matbert.npy {len(matbert)} rows: "
            "rerun the describe_materials rule"
        )
    features = {name: matbert_part(matbert, part) for name, part in MATBERT.items()}
    features |= {name: arrays[name][rows] for name in OWN}
    complete = np.all([np.isfinite(x).all(axis=1) for x in features.values()], axis=0)
    ids = [pool["id"][int(i)] for i in rows]
    left_out = [
        (ids[i], "no " + ", ".join(n for n, x in features.items() if not np.isfinite(x[i]).all()))
        for i in np.flatnonzero(~complete)
    ]
    table = _authors_table(raw)
    lookup = {row["id"]: row for row in table.iter_rows(named=True)}
    plain = [i.split(":", 1)[1] for i in ids]
    unknown = [i for i in plain if i not in lookup]
    if unknown:
        raise DataError(f"authors' structures {unknown[:3]} are in no split file of the mirror")
    keep = np.flatnonzero(complete)
    return AuthorsSplit(
        ids=[ids[i] for i in keep],
        is_train=np.array([lookup[plain[i]]["part"] == "train" for i in keep]),
        targets=np.array([[lookup[plain[i]][t] for t in TARGETS] for i in keep], dtype=float),
        features={name: x[keep] for name, x in features.items()},
        left_out=left_out,
    )


def _standardised(x: np.ndarray, train: np.ndarray) -> np.ndarray:
    """Scaled by the training rows' mean and spread (a constant column becomes 0), clipped
    at 10 as in the property MLP."""
    mean, std = x[train].mean(axis=0), x[train].std(axis=0)
    return np.clip((x - mean) / np.where(std > 1e-8, std, np.inf), -10, 10)


def ridge_predictions(x: np.ndarray, y: np.ndarray, train: np.ndarray, alphas) -> np.ndarray:
    """Ridge on standardised features, its penalty per target chosen from `alphas` by
    efficient leave-one-out on the training rows; predictions for every row, (n, targets)."""
    z = _standardised(x, train)
    model = RidgeCV(alphas=np.asarray(alphas, dtype=float), alpha_per_target=True)
    return model.fit(z[train], y[train]).predict(z).reshape(len(z), -1)


def _rows(regressor, representation, seed, split: AuthorsSplit, predicted) -> list[dict]:
    test = np.flatnonzero(~split.is_train)
    return [
        {
            "regressor": regressor,
            "representation": representation,
            "seed": seed,
            "id": split.ids[i],
            "target": target,
            "y": float(split.targets[i, t]),
            "prediction": float(predicted[i, t]),
        }
        for t, target in enumerate(TARGETS)
        for i in test
    ]


def run_authors_split(
    split: AuthorsSplit,
    mlp_settings: PropertyNetwork,
    seeds: Sequence[int],
    ridge_alphas: Sequence[float],
) -> pl.DataFrame:
    """Test-set predictions of every regressor x representation (x seed for the MLP), and
    of the training mean (once per regressor, so that every family has its reference)."""
    if split.n_train < 2 or split.n_test < 2:
        raise DataError(
            f"the authors' split has {split.n_train} training and {split.n_test} test "
            "structures with every representation: at least 2 of each are needed"
        )
    train = np.flatnonzero(split.is_train)
    rows = []
    mean = np.broadcast_to(split.targets[train].mean(axis=0), split.targets.shape)
    for regressor in REGRESSORS:
        rows += _rows(regressor, TRAINING_MEAN, 0, split, mean)
    for name in REPRESENTATIONS:
        x = split.features[name]
        rows += _rows(
            "ridge", name, 0, split, ridge_predictions(x, split.targets, train, ridge_alphas)
        )
        for seed in seeds:
            predicted = fit_predict("single_task", x, split.targets, train, mlp_settings, seed)
            rows += _rows("mlp", name, seed, split, predicted)
    return pl.DataFrame(rows, schema=RUN_SCHEMA)
