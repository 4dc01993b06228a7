"""Typed settings: frozen dataclasses for the profile sections the models and their training
read, built once from the validated profile (or from the JSON a rule passes to its script)
and handed to the library, which never looks keys up in a dict.

`from_mapping(cls, mapping)` builds any of them (nested dataclasses included) and names an
unknown or missing key; `to_mapping(settings)` gives the plain mapping back, for JSON (rule
parameters, checkpoint metadata).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from reeval.errors import ConfigError

T = TypeVar("T")


def from_mapping(cls: type[T], mapping: Mapping[str, Any], where: str = "") -> T:
    """An instance of the dataclass `cls` from `mapping`: nested dataclasses from nested
    mappings, tuples from lists, floats from numbers. An unknown key, or a missing one
    without a default, is a ConfigError naming it (with its dotted path)."""
    if not isinstance(mapping, Mapping):
        raise ConfigError(f"{where or cls.__name__}: expected a mapping, got {mapping!r}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(mapping) - set(fields))
    if unknown:
        raise ConfigError(
            f"unknown key {where}{unknown[0]!r} for {cls.__name__}; allowed: {sorted(fields)}"
        )
    values = {}
    for name, field in fields.items():
        if name in mapping:
            values[name] = _convert(hints[name], mapping[name], f"{where}{name}")
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise ConfigError(f"{cls.__name__} needs the key {where}{name!r}")
    return cls(**values)


def _convert(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return _convert(inner, value, where)
    if dataclasses.is_dataclass(hint):
        return from_mapping(hint, value, f"{where}.")
    if origin is tuple:
        (inner, *_) = typing.get_args(hint) or (Any,)
        return tuple(_convert(inner, v, where) for v in value)
    if origin is dict:
        _, inner = typing.get_args(hint)
        return {k: _convert(inner, v, f"{where}.{k}") for k, v in value.items()}
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def to_mapping(settings: Any) -> dict[str, Any]:
    """The plain mapping of a settings dataclass (tuples as lists, as JSON has them)."""

    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return plain(settings)


def with_overrides(settings: T, overrides: Mapping[str, Any]) -> T:
    """A copy of `settings` with some values changed, nested sections merged key by key
    (`{"train": {"epochs": 3}}` changes one field of `train`): tests and tools start from a
    profile and change what they need."""

    def merged(base: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(base)
        for key, value in changes.items():
            if isinstance(value, Mapping) and isinstance(out.get(key), dict):
                out[key] = merged(out[key], value)
            else:
                out[key] = value
        return out

    return from_mapping(type(settings), merged(to_mapping(settings), overrides))


def to_json(settings: Any) -> str:
    """The settings as the JSON a rule passes to its script: sorted keys, and a field that
    is None (a section this job does not read) left out."""
    mapping = {k: v for k, v in to_mapping(settings).items() if v is not None}
    return json.dumps(mapping, sort_keys=True)


# --- data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DataSettings:
    """The profile's data section: the manifest, a local mirror (None: download), and how
    long a download may take."""

    manifest: str
    mirror: str | None
    download_timeout_s: float


# --- training -------------------------------------------------------------------------


@dataclass(frozen=True)
class Optimisation:
    """How a neural model is trained: AdamW, a cosine schedule per epoch down to `min_lr`,
    gradient-norm clipping, and early stopping after `patience` epochs without a lower
    validation MSE on `validation_fraction` of the training rows (the best epoch's weights
    are kept)."""

    epochs: int
    batch_size: int
    lr: float
    weight_decay: float
    min_lr: float
    grad_clip: float
    patience: int
    validation_fraction: float


def optimisation_of(settings: Any) -> Optimisation:
    """The `Optimisation` fields of a section that holds them beside its own (the graph
    baselines, the materials networks)."""
    return Optimisation(
        **{f.name: getattr(settings, f.name) for f in dataclasses.fields(Optimisation)}
    )


# --- the multimodal yield model -------------------------------------------------------


@dataclass(frozen=True)
class GraphEncoder:
    """The MPNN's sizes (yield_model.graph_encoder)."""

    hidden: int
    steps: int
    set2set_steps: int
    output_dim: int


@dataclass(frozen=True)
class SmilesEncoder:
    """The SMILES transformer's sizes (yield_model.smiles_encoder)."""

    embed_dim: int
    heads: int
    layers: int
    output_dim: int
    max_tokens: int
    dropout: float
    checkpoint_layers: bool


@dataclass(frozen=True)
class Pretraining:
    """Contrastive pretraining of both encoders (yield_model.pretrain)."""

    epochs: int
    batch_size: int
    lr: float
    weight_decay: float
    grad_clip: float
    projection_dim: int
    temperature: float
    learn_temperature: bool
    seed: int


@dataclass(frozen=True)
class HumanEncoder:
    """The human-feature encoder: a mixture of experts (or an MLP) of residual blocks."""

    hidden: int
    output_dim: int
    layers: int
    experts: int
    top_k: int
    dropout: float


@dataclass(frozen=True)
class Head:
    """The head on the fused features: two hidden layers."""

    hidden: int
    dropout: float


@dataclass(frozen=True)
class Loss:
    """0.9 MSE + 0.1 heteroscedastic + 0.01 MoE auxiliary, as the released code; the MSE of
    the reparameterised sample mu + eps sigma instead of mu with `sample_in_mse`."""

    mse_weight: float
    heteroscedastic_weight: float
    aux_weight: float
    sample_in_mse: bool


@dataclass(frozen=True)
class EndToEnd:
    """The released code's regime: the SMILES encoder trained end to end too (`smiles`), or
    its frozen, pretrained embedding."""

    smiles: bool


@dataclass(frozen=True)
class YieldModelProfile:
    """The profile's yield_model section, the shared training budget merged into `train`."""

    device: str
    pretrain_on: str
    splits: dict[str, tuple[str, ...]]
    ablation_splits: dict[str, tuple[str, ...]]
    seeds: tuple[int, ...]
    human_features: tuple[str, ...]
    graph_encoder: GraphEncoder
    smiles_encoder: SmilesEncoder
    pretrain: Pretraining
    human_encoder: HumanEncoder
    head: Head
    loss: Loss
    end_to_end: EndToEnd
    train: Optimisation
    test_seeds: tuple[int, ...] | None = None

    @classmethod
    def from_profile(cls, config: Mapping[str, Any]) -> YieldModelProfile:
        """From a whole (validated) profile: its yield_model section with training_budget
        merged into `train`."""
        section = config["yield_model"]
        merged = {**section, "train": {**section["train"], **config["training_budget"]}}
        return from_mapping(cls, merged, "yield_model.")

    def training_job(self, end_to_end: bool = False) -> YieldTraining:
        """What a training job reads (the encoders' sizes and `end_to_end` for the
        end-to-end regime only: changing them reruns just its jobs)."""
        return YieldTraining(
            self.device,
            self.human_features,
            self.human_encoder,
            self.head,
            self.loss,
            self.train,
            self.graph_encoder if end_to_end else None,
            self.smiles_encoder if end_to_end else None,
            self.end_to_end if end_to_end else None,
        )


@dataclass(frozen=True)
class PretrainingJob:
    """What the pretraining job reads: the encoders' sizes and their CLIP training."""

    device: str
    graph_encoder: GraphEncoder
    smiles_encoder: SmilesEncoder
    pretrain: Pretraining


@dataclass(frozen=True)
class YieldTraining:
    """What a training job of the multimodal model reads: the rule passes these keys of the
    yield_model section, the training budget merged into `train`; the encoders' sizes and
    `end_to_end` only to the jobs of the end-to-end regime."""

    device: str
    human_features: tuple[str, ...]
    human_encoder: HumanEncoder
    head: Head
    loss: Loss
    train: Optimisation
    graph_encoder: GraphEncoder | None = None
    smiles_encoder: SmilesEncoder | None = None
    end_to_end: EndToEnd | None = None


# --- the baselines --------------------------------------------------------------------


@dataclass(frozen=True)
class Forest:
    """A random forest (scikit-learn's RandomForestRegressor)."""

    n_estimators: int
    max_features: float
    min_samples_leaf: int


@dataclass(frozen=True)
class Boosting:
    """Gradient boosting (scikit-learn's HistGradientBoostingRegressor, no early stopping)."""

    max_iter: int
    learning_rate: float
    max_leaf_nodes: int
    min_samples_leaf: int


@dataclass(frozen=True)
class YieldBertSettings:
    """One data set's fine-tuning settings (Schwaller et al.'s, in the profile)."""

    model: str  # the rxnfp model fine-tuned: bert_pretrained or bert_ft
    epochs: int
    lr: float
    dropout: float  # hidden_dropout_prob of every BERT layer and of the head
    batch_size: int
    max_tokens: int  # simpletransformers' max_seq_length
    grad_clip: float


@dataclass(frozen=True)
class YieldBertSection:
    """Yield-BERT fine-tuning: on or off, and the settings of each data set."""

    enabled: bool
    bh: YieldBertSettings
    sm: YieldBertSettings


@dataclass(frozen=True)
class LearningCurve:
    """The Buchwald-Hartwig learning curves: fractions of the data set, splits, seeds, models."""

    fractions: tuple[float, ...]
    splits: tuple[str, ...]
    seeds: tuple[int, ...]
    models: tuple[str, ...]


@dataclass(frozen=True)
class GraphBaseline:
    """The MPNN baselines (baselines.mpnn with the training budget merged): the encoder's
    sizes, the head, MC dropout, and their training."""

    hidden: int
    steps: int
    set2set_steps: int
    output_dim: int
    head_hidden: int
    dropout: float
    mc_samples: int
    batch_size: int
    lr: float
    weight_decay: float
    min_lr: float
    grad_clip: float
    epochs: int
    patience: int
    validation_fraction: float

    @property
    def optimisation(self) -> Optimisation:
        return optimisation_of(self)


@dataclass(frozen=True)
class Baselines:
    """The profile's baselines section, the shared training budget merged into `mpnn`."""

    seeds: tuple[int, ...]
    random_forest: Forest
    mordred_max_features: float
    boosting: Boosting
    mpnn: GraphBaseline
    yield_bert: YieldBertSection
    learning_curve: LearningCurve
    test_seeds: tuple[int, ...] | None = None

    @classmethod
    def from_profile(cls, config: Mapping[str, Any]) -> Baselines:
        section = config["baselines"]
        merged = {**section, "mpnn": {**section["mpnn"], **config["training_budget"]}}
        return from_mapping(cls, merged, "baselines.")

    def forest(self, features: str) -> Forest:
        """The forest's settings for these features (Mordred: a smaller feature share)."""
        if features == "mordred":
            return dataclasses.replace(self.random_forest, max_features=self.mordred_max_features)
        return self.random_forest


def seeds_of_split(settings: YieldModelProfile | Baselines, split: str) -> list[int]:
    """The seeds to run on `split`: `test_seeds` (default: `seeds`) on the out-of-sample
    splits Test1-4; `seeds` elsewhere."""
    if split.startswith(OUT_OF_SAMPLE_PREFIX) and settings.test_seeds is not None:
        return list(settings.test_seeds)
    return list(settings.seeds)


OUT_OF_SAMPLE_PREFIX = "Test"  # the additive out-of-sample splits Test1-4 of BH


# --- the materials study -----------------------------------------------------------------


@dataclass(frozen=True)
class PropertyNetwork:
    """A property MLP (materials.property_mlp) or the MMoE (materials.mmoe): the networks'
    sizes, their training, and the experiment's seeds and test share; the MMoE's own keys
    (experts, the labels a task needs, its inputs, the ranking) are None for the MLP."""

    expert: tuple[int, ...]
    tower: tuple[int, ...]
    dropout: float
    epochs: int
    batch_size: int
    lr: float
    min_lr: float
    weight_decay: float
    patience: int
    validation_fraction: float
    grad_clip: float
    seeds: tuple[int, ...]
    test_fraction: float
    n_experts: int | None = None
    min_labels: int | None = None
    representations: tuple[str, ...] = ()
    ranking_representation: str | None = None
    ranking_temperature_k: float | None = None

    @property
    def optimisation(self) -> Optimisation:
        return optimisation_of(self)


@dataclass(frozen=True)
class MaterialsPool:
    """How many structures of each source the pool keeps (None: all)."""

    authors: int | None
    mp_elasticity: int | None
    wbm: int | None


@dataclass(frozen=True)
class Umap:
    """The UMAP projection of the pool's embeddings (the materials figure)."""

    n_neighbors: int
    min_dist: float
    seed: int


@dataclass(frozen=True)
class Aflow:
    """The AFLOW properties and the compositions per property (training, test)."""

    properties: tuple[str, ...]
    max_train: int
    max_test: int


@dataclass(frozen=True)
class AuthorsSplitSettings:
    """The MatBERT head to head on the authors' split: MLP seeds, the ridge's penalties,
    the equivalence margin (a share of the training mean's MAE) and the power."""

    seeds: tuple[int, ...]
    ridge_alphas: tuple[float, ...]
    equivalence_fraction: float
    power: float


@dataclass(frozen=True)
class Materials:
    """The profile's materials section."""

    seed: int
    pool: MaterialsPool
    mineral_matching: bool
    text_encoder: str
    chunk_tokens: int
    recall_k: int
    agreement_ks: tuple[int, ...]
    umap: Umap
    aflow: Aflow
    property_mlp: PropertyNetwork
    mmoe: PropertyNetwork
    authors_split: AuthorsSplitSettings
    ranking_top: int
