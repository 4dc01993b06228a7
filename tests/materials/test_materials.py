"""Materials library: structures, text, encoders, representations, recall, MMoE."""

import zipfile

import numpy as np
import polars as pl
import pytest
import torch

from reeval.errors import ConfigError
from reeval.materials import experiments, language, recall, representations, structures, text
from reeval.materials.mmoe import MMoE
from reeval.materials.property_models import fit_predict
from reeval.materials.thermoelectrics import load_thermoelectrics, temperature_one_hot

MR = "materials/material_recommender/data"


@pytest.fixture(scope="module")
def queries(mirror):
    paths = sorted((mirror / MR / "query_structure").glob("*.cif"))
    return structures.load_cif_files(paths, "query")


@pytest.fixture(scope="module")
def encoder():
    return language.TextEncoder(language.encoder_folder(language.DEFAULT_ENCODER))


def test_query_structures_parse(queries):
    assert len(queries.records) == 7 and not queries.failures
    assert {r.formula for r in queries.records} >= {"PbTe", "Bi2Te3", "CoSb3"}


def test_a_bad_cif_is_counted_with_its_name(tmp_path, mirror):
    with pytest.raises(structures.StructureError, match=r"broken\.cif: not a readable CIF"):
        structures.parse_cif("data_x\n_cell_length_a nonsense\n", "broken.cif")
    archive = tmp_path / "mixed.zip"
    good = (mirror / MR / "query_structure/TePb.cif").read_text()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("good.cif", good)
        z.writestr("bad.cif", "this is not a CIF")
    report = structures.load_cif_zip(archive, "test")
    assert [r.id for r in report.records] == ["good"]
    assert [f[0] for f in report.failures] == ["bad"] and "mixed.zip:bad.cif" in report.failures[0][
        1
    ]


def test_pooling_over_chunks_is_the_mean_of_chunk_means(encoder):
    long_text = " ".join(
        ["PbTe is rock salt structured and crystallizes in the cubic space group Fm-3m."] * 60
    )
    chunks = encoder.chunks(long_text)
    assert len(chunks) >= 2 and all(len(c) <= 512 for c in chunks)
    per_chunk = [encoder.chunk_means([c])[0] for c in chunks]
    np.testing.assert_allclose(
        encoder.embed([long_text])[0], np.mean(per_chunk, axis=0), rtol=1e-4, atol=1e-5
    )
    # batching with other texts (padding) does not change an embedding
    both = encoder.embed(["PbTe", long_text])
    np.testing.assert_allclose(both[0], encoder.embed(["PbTe"])[0], rtol=1e-4, atol=1e-5)
    assert both.shape == (2, 384)


def test_a_local_model_folder_loads_like_the_default(encoder, tmp_path):
    folder = language.encoder_folder(language.DEFAULT_ENCODER)
    again = language.TextEncoder(language.encoder_folder(str(folder)))
    np.testing.assert_allclose(again.embed(["Bi2Te3"]), encoder.embed(["Bi2Te3"]), atol=1e-6)
    with pytest.raises(ConfigError, match="not a model folder"):
        language.encoder_folder(str(tmp_path))


def test_embeddings_are_cached_per_text_and_a_corrupt_cache_is_recomputed(
    encoder, tmp_path, monkeypatch
):
    cache = tmp_path / "lm.parquet"
    first = language.embed_cached(encoder, ["PbTe", "Bi2Te3", "PbTe"], cache)
    np.testing.assert_allclose(first, encoder.embed(["PbTe", "Bi2Te3", "PbTe"]), atol=1e-6)
    embedded: list[list[str]] = []
    original = encoder.embed
    monkeypatch.setattr(encoder, "embed", lambda texts: embedded.append(texts) or original(texts))
    again = language.embed_cached(encoder, ["Bi2Te3", "CoSb3", "PbTe"], cache)
    assert embedded == [["CoSb3"]]  # only the new text is embedded
    np.testing.assert_array_equal(again[[0, 2]], first[[1, 0]])
    cache.write_bytes(b"not parquet")
    embedded.clear()
    language.embed_cached(encoder, ["PbTe"], cache)
    assert embedded == [["PbTe"]]
    # another encoder identity (weights, tokenizer or chunk length) never reuses a vector
    monkeypatch.setattr(encoder, "identity", "another model")
    embedded.clear()
    language.embed_cached(encoder, ["PbTe"], cache)
    assert embedded == [["PbTe"]]


def test_cosine_recall_returns_the_query_first():
    rng = np.random.default_rng(0)
    pool = rng.normal(size=(50, 8))
    sims = recall.cosine_similarities(pool[[7, 21]], pool)
    top = recall.top_k(sims, 5)
    assert top[:, 0].tolist() == [7, 21]
    agreement = recall.ranking_agreement(sims, sims, ks=(3, 5))
    assert agreement["overlap_5"] == [1.0, 1.0] and agreement["spearman"][0] == pytest.approx(1)


def test_mat2vec_of_one_element_is_its_vector(mirror):
    table = representations.ElementTable(mirror / "materials/mat2vec_elements/mat2vec.csv")
    np.testing.assert_allclose(table.composition_vector("Te2"), table.vectors[table.index["Te"]])
    half = 0.5 * (table.vectors[table.index["Pb"]] + table.vectors[table.index["Te"]])
    np.testing.assert_allclose(table.composition_vector("PbTe"), half)


def test_structure_text_is_cached_per_structure(queries, tmp_path):
    records = [
        structures.StructureRecord(r.id, r.source, r.structure.copy())
        for r in queries.records
        if r.id in {"TePb", "Bi2Te3"}
    ]
    described = text.describe_structures(records, tmp_path / "none.parquet", progress=False)
    assert described["error"].is_null().all()
    assert "Fm-3m" in described.filter(pl.col("id") == "TePb")["text"][0]
    cache = tmp_path / "cache.parquet"
    described.with_columns(text=pl.lit("cached")).write_parquet(cache)
    again = text.describe_structures(records, cache, progress=False)
    assert again["text"].to_list() == ["cached", "cached"]
    # a changed structure is described again, not taken from the cache
    records[0].structure.perturb(0.05, 0.05)
    changed = text.describe_structures(records, cache, progress=False)
    assert changed["text"].to_list()[0] != "cached" and changed["text"].to_list()[1] == "cached"
    # other robocrys settings: described again
    minerals = text.describe_structures(records[1:], cache, mineral_matching=True, progress=False)
    assert minerals["text"].to_list() != ["cached"]


def test_mmoe_gates_sum_to_one_and_it_overfits_a_tiny_set():
    torch.set_num_threads(1)  # tiny networks: one thread is fastest
    model = MMoE(6, 3, n_experts=4, expert=[16, 8], tower=[8])
    x = torch.randn(10, 6)
    np.testing.assert_allclose(model.gate_weights(x).sum(-1).detach(), 1.0, rtol=1e-6)
    rng = np.random.default_rng(0)
    features = rng.normal(size=(40, 6))
    targets = np.stack([features[:, 0] * 2, features[:, 1] - features[:, 2], features[:, 3]], 1)
    targets[::5, 1] = np.nan  # missing labels are left out of the loss
    cfg = dict(
        n_experts=4,
        expert=[32, 16],
        tower=[16],
        dropout=0.0,
        epochs=150,
        batch_size=10,
        lr=5e-3,
        min_lr=5e-3,
        weight_decay=0.0,
        patience=150,
        validation_fraction=0.0,
        grad_clip=5.0,
    )
    rows = np.arange(40)
    for kind in ("mmoe", "single_task"):
        predicted = fit_predict(kind, features, targets, rows, cfg, seed=0)
        ok = ~np.isnan(targets)
        assert np.corrcoef(predicted[ok], targets[ok])[0, 1] > 0.98, kind


def test_thermoelectric_join(mirror):
    data = load_thermoelectrics(
        mirror / "materials/ucsb_thermoelectrics/ucsb_thermoelectrics.csv",
        mirror / "materials/estm/estm.xlsx",
    )
    assert data.n_raw == {"UCSB": 1093, "ESTM": 5205}
    keys = data.table.select("formula", "temperature_k")
    assert keys.is_duplicated().sum() == 0
    assert "PbTe" in data.table["formula"].to_list()
    assert temperature_one_hot(np.array([300.0, 650.0])).tolist() == [[1, 0, 0, 0], [0, 0, 0, 1]]


def test_candidates_are_ranked_by_closeness_of_predicted_properties():
    from reeval.materials.summary import ranked_candidates

    def props(seebeck, zt):
        return {"seebeck": seebeck, "log_sigma": 4.0, "log_kappa": 0.0, "log_pf": -3.0, "zt": zt}

    predictions = pl.DataFrame(
        [
            {"id": "query:Q", "formula": "PbTe", **props(200.0, 1.0)},
            {"id": "pool:same", "formula": "PbSe", **props(200.0, 1.0)},
            {"id": "pool:far", "formula": "NaCl", **props(20.0, 0.1)},
        ]
    )
    recall_rows = pl.DataFrame(
        {
            "representation": ["lm_structure"] * 2,
            "query": ["query:Q"] * 2,
            "rank": [1, 2],
            "candidate": ["pool:far", "pool:same"],
            "similarity": [0.9, 0.8],
        }
    )
    ranked = ranked_candidates(recall_rows, predictions)
    assert ranked["candidate"].to_list() == ["pool:same", "pool:far"]
    assert ranked["score"][0] == pytest.approx(0.0)
    assert ranked["score"][1] == pytest.approx((0.9 + 0.9) / 5)


def test_thermoelectric_test_compositions_are_unseen_in_training():
    formulas = ["PbTe", "PbTe", "Bi2Te3", "SnSe", "SnSe", "CoSb3", "Mg3Sb2", "Cu2Se"] * 3
    train, test = experiments.group_split(formulas, 0.25, seed=0)
    assert len(train) + len(test) == len(formulas) and len(test) > 0
    assert not {formulas[i] for i in train} & {formulas[i] for i in test}
    again, _ = experiments.group_split(formulas, 0.25, seed=0)
    np.testing.assert_array_equal(train, again)  # seeded
