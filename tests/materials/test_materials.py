"""Materials library: structures, text, encoders, representations, recall, MMoE."""

import zipfile

import numpy as np
import polars as pl
import pytest
import torch

from reeval.config import load_config
from reeval.errors import ConfigError
from reeval.materials import experiments, language, recall, representations, structures, text
from reeval.materials.mmoe import MMoE
from reeval.materials.property_models import fit_predict
from reeval.materials.thermoelectrics import load_thermoelectrics, temperature_one_hot
from reeval.settings import Materials, from_mapping, with_overrides

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
    """The expected vector is computed from the raw model, not from the encoder's helpers:
    the tokenizer's own overflow splitting into sequences of at most 512 tokens, the model
    run on each chunk alone, the last hidden state averaged over each chunk's tokens, and
    the chunk means averaged."""
    long_text = " ".join(
        [
            "PbTe is rock salt structured and crystallizes in the cubic Fm-3m space group.",
            "Pb(1)2+ is bonded to six equivalent Te(1)2- atoms to form PbTe6 octahedra.",
        ]
        * 25
    )
    tokenizer, model = encoder.tokenizer, encoder.model
    pieces = tokenizer(
        long_text, max_length=512, truncation=True, return_overflowing_tokens=True, stride=0
    )["input_ids"]
    assert len(pieces) >= 2 and len(pieces[-1]) < 512  # the last chunk is shorter
    means = []
    with torch.no_grad():
        for ids in pieces:
            hidden = model(input_ids=torch.tensor([ids])).last_hidden_state[0]
            means.append(hidden.mean(0).numpy())
    expected = np.mean(means, axis=0)
    np.testing.assert_allclose(encoder.embed([long_text])[0], expected, rtol=1e-4, atol=1e-5)
    # embedded with other texts, a text's vector does not change in a single bit: a cached
    # vector is the same whatever it was first embedded with
    both = encoder.embed(["PbTe", long_text])
    np.testing.assert_array_equal(both[1], encoder.embed([long_text])[0])
    np.testing.assert_array_equal(both[0], encoder.embed(["Bi2Te3", "PbTe"])[1])

    np.testing.assert_allclose(both[1], expected, rtol=1e-4, atol=1e-5)
    with torch.no_grad():
        short = model(**tokenizer("PbTe", return_tensors="pt")).last_hidden_state[0].mean(0)
    np.testing.assert_allclose(both[0], short.numpy(), rtol=1e-4, atol=1e-5)
    assert both.shape == (2, 384)
    assert encoder.n_tokens([long_text])[0] == sum(len(p) - 2 for p in pieces)


def test_short_texts_are_embedded_in_batches_whatever_their_company(encoder):
    """Formulas run in batches of one length (BATCH_ROWS rows, filled up with copies): a
    formula's vector is the model's on the formula alone (to float rounding), and the same
    in every bit whether it is embedded alone, among many of its length (more than one
    batch) or among others."""
    from reeval.materials.language import BATCH_ROWS

    formulas = [f"Bi{a}Te{b}" for a in range(2, 9) for b in range(2, 9)][: BATCH_ROWS + 5]
    lengths = {len(encoder.chunks(f)[0]) for f in formulas}
    assert len(lengths) == 1  # one length: the formulas fill more than one batch
    together = encoder.embed(formulas)
    with torch.no_grad():
        ids = encoder.chunks(formulas[-1])[0]
        alone = encoder.model(input_ids=torch.tensor([ids])).last_hidden_state[0].mean(0)
    np.testing.assert_allclose(together[-1], alone.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(together[-1], encoder.embed([formulas[-1]])[0])
    np.testing.assert_array_equal(together[3], encoder.embed(["PbTe", formulas[3], "SnSe"])[1])


def test_the_shipped_encoder_records_its_training_length(tmp_path):
    folder = language.encoder_folder(language.DEFAULT_ENCODER)
    assert language.training_length(folder) == 256  # MiniLM's sentence_bert_config.json
    assert language.training_length(tmp_path) is None


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


def test_ranking_agreement_of_a_partial_overlap():
    # query 0: a's top 5 are items 0-4, b's are 0, 1, 5, 6, 7 (2 of 5 shared); b reverses
    # the order of a's similarities beyond item 1, so their Spearman correlation is known
    sim_a = np.array([[1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]])
    sim_b = np.array([[1.0, 0.9, 0.1, 0.2, 0.3, 0.8, 0.7, 0.6, 0.5, 0.4]])
    agreement = recall.ranking_agreement(sim_a, sim_b, ks=(2, 5))
    assert agreement["overlap_2"] == [1.0]
    assert agreement["overlap_5"] == [pytest.approx(2 / 5)]
    ranks_a, ranks_b = np.arange(10, 0, -1), np.array([10, 9, 1, 2, 3, 8, 7, 6, 5, 4])
    d = ranks_a - ranks_b
    assert agreement["spearman"][0] == pytest.approx(1 - 6 * (d**2).sum() / (10 * 99))


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
    cfg = with_overrides(
        from_mapping(Materials, load_config("quick")["materials"]).mmoe,
        dict(
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
        ),
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


def _fake_robocrys(structure_dict: dict, mineral_matching: bool) -> str:
    """A describer that fails on PbTe (monkeypatched in for robocrys)."""
    from pymatgen.core import Structure

    formula = structures.compact_formula(Structure.from_dict(structure_dict).composition)
    if formula == "PbTe":
        raise ValueError("no description for this one")
    return f"{formula} is described."


def test_a_robocrys_failure_is_counted_not_fatal(queries, tmp_path, monkeypatch):
    from reeval.materials import pool

    monkeypatch.setattr(text, "_robocrys_text", _fake_robocrys)
    records = [
        structures.StructureRecord(f"query:{r.id}", "query", r.structure) for r in queries.records
    ]
    described = text.describe_structures(records, tmp_path / "cache.parquet", progress=False)
    failed = described.filter(pl.col("error").is_not_null())
    assert failed["id"].to_list() == ["query:TePb"]
    assert "ValueError: no description for this one" in failed["error"][0]
    assert described["text"].is_not_null().sum() == len(records) - 1
    excluded = pool.excluded_frame(pool.undescribed(records, described))
    assert excluded.select("id", "kind").rows() == [("query:TePb", "undescribed")]
    assert excluded["reason"][0].startswith("robocrys: ValueError")


def test_an_mp_entry_of_an_authors_structure_is_kept_once(queries):
    from reeval.materials import pool

    structure = queries.records[0].structure
    authors = [structures.StructureRecord(f"mp-{i}", "authors", structure) for i in (1, 2)]
    mp = [
        structures.StructureRecord(f"mp-{i}", "mp_elasticity", structure, {"bulk_modulus_vrh": i})
        for i in (2, 3)
    ]
    unique, duplicates = pool.merge_duplicates(authors, mp)
    assert [r.id for r in unique] == ["mp-3"]
    assert [(d[0], d[1], d[2]) for d in duplicates] == [("mp_elasticity", "mp-2", "duplicate")]
    assert authors[1].properties == {"bulk_modulus_vrh": 2}  # its labels move over
    assert authors[0].properties == {}


def test_missing_and_failed_features_are_listed():
    features = representations.fill_missing(
        [[1.0, np.nan, 3.0], None, [1.0, 2.0, 3.0]], [None, "ValueError: odd", None], 3
    )
    np.testing.assert_array_equal(features.matrix[0], [1.0, 0.0, 3.0])
    assert np.isnan(features.matrix[1]).all()  # a failed row stays unusable, not zeros
    assert features.incomplete == {0: 1} and features.failed == {1: "ValueError: odd"}


class _FailingFingerprint:
    def feature_labels(self):
        return ["a", "b"]

    def featurize(self, structure):
        if "Pb" in structure.composition:
            raise RuntimeError("CrystalNN gave up")
        return [1.0, float("nan")]


def test_a_crystalnn_failure_is_listed_not_fatal(queries, monkeypatch):
    monkeypatch.setattr(representations, "_crystalnn_featurizer", _FailingFingerprint)
    chosen = [r.structure for r in queries.records]
    lead = [i for i, s in enumerate(chosen) if "Pb" in s.composition]
    assert lead and len(lead) < len(chosen)
    features = representations.crystalnn_features(chosen, threads=1)
    assert sorted(features.failed) == lead
    assert all("RuntimeError: CrystalNN gave up" in why for why in features.failed.values())
    assert set(features.incomplete) == set(range(len(chosen))) - set(lead)
    assert np.isnan(features.matrix[lead]).all()
    assert (features.matrix[[i for i in range(len(chosen)) if i not in lead]] == [1, 0]).all()


def test_magpie_keeps_its_width_and_lists_missing_features():
    features = representations.magpie_features(["PbTe", "Xe", "Og"])
    assert features.matrix.shape == (3, 132) and not np.isnan(features.matrix).any()
    assert not features.failed and 0 not in features.incomplete  # PbTe is complete


def test_thermoelectric_rows_dropped_are_counted(tmp_path, monkeypatch):
    from reeval.materials import thermoelectrics

    ucsb = tmp_path / "ucsb.csv"
    pl.DataFrame(
        {
            "composition": ["PbTe", "PbTe", "not a formula", "Bi2Te3", "SnSe"],
            "T [K]": [300.0, 300.0, 300.0, None, 600.0],
            "S [muV/K]": [200.0, 220.0, 100.0, 150.0, 300.0],
            "sigma [S/cm]": [100.0, 120.0, 10.0, 50.0, -1.0],
            "kappa [W/mK]": [2.0, 2.2, 1.0, 1.5, 0.7],
            "PF [W/mK^2]": [0.004, 0.005, 0.001, 0.002, None],
            "zT": [0.6, 0.7, 0.1, 0.5, None],
        }
    ).write_csv(ucsb)
    monkeypatch.setattr(thermoelectrics, "_estm", lambda path: thermoelectrics._ucsb(ucsb).head(0))
    data = thermoelectrics.load_thermoelectrics(ucsb, tmp_path / "estm.xlsx", min_labels=4)
    assert data.n_bad_formula == 1 and data.n_no_temperature == 1
    assert data.n_nonpositive == 1  # SnSe's sigma
    assert data.n_sparse == 1  # SnSe at 600 K: Seebeck and kappa only
    assert data.table.select("formula", "temperature_k").rows() == [("PbTe", 300.0)]
    assert data.table["seebeck"][0] == pytest.approx(210.0)
    assert data.counts()["n_raw"] == {"UCSB": 5, "ESTM": 0}


def test_the_structure_benchmark_uses_the_same_rows_for_every_representation():
    import json

    props = [
        {"bulk_modulus_vrh": 100.0, "shear_modulus_vrh": 50.0},
        {"bulk_modulus_vrh": 80.0, "shear_modulus_vrh": 0.0},  # no logarithm
        {},  # not an elasticity entry
        {"bulk_modulus_vrh": 60.0, "shear_modulus_vrh": 30.0},  # CrystalNN failed
        {"bulk_modulus_vrh": 10.0, "shear_modulus_vrh": 5.0},
    ]
    pool_frame = pl.DataFrame({"properties": [json.dumps(p) for p in props]})
    arrays = {rep: np.ones((5, 3)) for rep in experiments.STRUCTURE_REPRESENTATIONS}
    arrays["crystalnn"][3] = np.nan
    rows, y, counts = experiments.elasticity_rows(pool_frame, arrays)
    assert rows.tolist() == [0, 4]
    np.testing.assert_allclose(y, np.log10([[100.0, 50.0], [10.0, 5.0]]))
    assert counts == {"n_labelled": 4, "n_unlabelled": 1, "n_unrepresented": 1}


def test_the_top_candidates_skip_the_query_composition_and_repeats():
    from reeval.materials import summary

    ranked = pl.DataFrame(
        {
            "representation": ["lm_structure"] * 5,
            "query": ["query:TePb"] * 5,
            "query_formula": ["PbTe"] * 5,
            "candidate": ["mp:a", "mp:b", "authors:c", "mp:d", "wbm:e"],
            "formula": ["PbTe", "PbSe", "PbSe", "SnTe", "PbSe"],
            "similarity": [0.99, 0.9, 0.95, 0.8, 0.7],
            "score": [0.0, 0.1, 0.1, 0.2, 0.3],
            "zt": [1.0, 0.9, 0.9, 0.8, 0.7],
        }
    )
    kept, counts = summary.distinct_candidates(ranked)
    # PbSe once, its best score (a tie is broken by the higher similarity); PbTe never
    assert kept["candidate"].to_list() == ["authors:c", "mp:d"]
    assert counts.select("n_recalled", "n_query_formula", "n_duplicates").rows() == [(5, 1, 2)]
    table = summary.top_table(kept, "query:TePb", "lm_structure", 10)
    assert "PbTe" not in table and table.count("PbSe") == 1


def test_agreement_compares_each_representation_with_its_matbert_part():
    from reeval.materials import recall

    rng = np.random.default_rng(0)
    n = 12
    pool_frame = pl.DataFrame({"source": ["query"] + ["authors"] * n})
    matbert = rng.normal(size=(n, 8)).astype(np.float32)
    arrays = {name: rng.normal(size=(n + 1, 4)) for name in recall.RECALL_REPRESENTATIONS}
    # LM-C equal to MatBERT's composition half, LM-S to its description half
    arrays["lm_composition"][1:] = matbert[:, :4]
    arrays["lm_structure"][1:] = matbert[:, 4:]
    lm = np.hstack([matbert[:, 4:], matbert[:, :4]])  # LM-SC: [description | composition]
    arrays["lm"] = np.vstack([np.ones((1, 8)), lm])
    arrays["crystalnn"][3] = np.nan  # left out of every comparison
    table, used, left_out = recall.agreement_table(pool_frame, arrays, matbert, [3])
    assert (used, left_out) == (n - 1, 1)
    spearman = {
        (rep, part): value
        for rep, part, value in table.group_by("representation", "reference")
        .agg(pl.col("spearman").mean())
        .iter_rows()
    }
    assert spearman[("lm_composition", "composition")] == pytest.approx(1.0)
    assert spearman[("lm_structure", "description")] == pytest.approx(1.0)
    assert spearman[("lm", "full")] == pytest.approx(1.0)
    assert spearman[("lm_composition", "description")] < 0.9
    assert len(spearman) == len(recall.AGREEMENT_PAIRS)


def test_the_rules_import_a_module_that_imports_nothing(repo_root):
    import subprocess
    import sys

    code = (
        "import sys; import reeval.materials.names; "
        "print(sorted(m for m in ('numpy', 'polars', 'pymatgen', 'scipy', 'torch') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=repo_root,
        env={"PYTHONPATH": str(repo_root / "src/scripts")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]"
    assert "from reeval.materials.names import" in (repo_root / "rules/materials.smk").read_text()


def _plain(phrase: str) -> bool:
    """A generated phrase must survive TeX and pdftotext verbatim."""
    return not set(phrase) & set("\\$&%#_{}~^'`\"|")


def test_the_typed_claims_follow_the_numbers():
    from reeval.materials import summary

    verdicts = [summary.aflow_verdict(w, 6, "all-MiniLM-L6-v2") for w in (0, 3, 6)]
    assert "no advantage of the general-domain encoder all-MiniLM-L6-v2" in verdicts[0]
    assert all("all-MiniLM-L6-v2" in v for v in verdicts)
    assert not any("language models" in v or "need a language model" in v for v in verdicts)
    assert summary.mineral_matching_text(False).startswith("off")
    assert summary.mineral_matching_text(True).startswith("on")
    assert len(set(verdicts)) == 3

    def runs(lm, lm_c):
        return pl.DataFrame(
            [
                {"benchmark": "mp_elasticity", "property": p, "representation": rep, "r2": v}
                for p in ("log_bulk_modulus", "log_shear_modulus")
                for rep, values in (("lm", lm), ("lm_composition", lm_c))
                for v in values
            ]
        )

    gain, spread, words = summary.structure_gain(runs([0.50, 0.51, 0.52], [0.30, 0.55, 0.80]))
    assert words == "smaller in size than" and abs(gain) < spread
    gain, spread, words = summary.structure_gain(runs([0.80, 0.81, 0.82], [0.50, 0.51, 0.52]))
    assert words == "at least as large as" and gain == pytest.approx(0.3)

    assert summary.ranking_temperature(650.0) == (
        "650",
        "the other bin of the one-hot input, as in the code of the authors",
    )
    assert "instead" in summary.ranking_temperature(600.0)[1]
    counts = {"kept": {"authors": 60, "mp_elasticity": 100, "wbm": 20}}
    counts["readable"] = {"authors": 300, "mp_elasticity": 3953, "wbm": 972}
    assert "subsets" in summary.pool_sampling(counts)
    counts["kept"] = counts["readable"]
    assert "every readable structure" in summary.pool_sampling(counts)
    assert "at most 1500" in summary.aflow_sizes(1500, 500)
    assert "full splits" in summary.aflow_sizes(None, None)
    report = {
        "chunk_tokens": 512,
        "training_length": 256,
        "n_descriptions": 10,
        "n_multi_chunk": 1,
        "n_beyond_training": 4,
    }
    assert "4 of 10 descriptions run past" in summary.encoder_length_note(report)
    assert "past" not in summary.encoder_length_note(report | {"chunk_tokens": 256})
    assert "not record" in summary.encoder_length_note(report | {"training_length": None})
    assert "although" in summary.mp_query_formula(3, "PbTe")
    assert "although" not in summary.mp_query_formula(0, "PbTe")
    phrases = [
        *verdicts,
        summary.ranking_temperature(600.0)[1],
        summary.pool_sampling(counts),
        summary.aflow_sizes(1500, None),
        summary.encoder_length_note(report),
        summary.mp_query_formula(3, "PbTe"),
    ]
    assert all(_plain(p) for p in phrases), [p for p in phrases if not _plain(p)]


def test_the_layout_check_reads_the_agreement():
    from reeval.materials import summary

    def agreement(first, second):
        return pl.DataFrame(
            {
                "representation": ["lm_composition"] * 2,
                "reference": ["composition", "description"],
                "query": [0, 0],
                "spearman": [first, second],
            }
        )

    agree = summary.layout_check(agreement(0.4, 0.1))
    doubt = summary.layout_check(agreement(0.1, 0.4))
    assert "as the composition-first layout" in agree and "doubt" in doubt
    assert _plain(agree) and _plain(doubt)


def test_the_once_read_molecule_namer_gives_robocrys_own_text(queries):
    """The condenser reused across structures (its molecule database read once) writes the
    same words as a condenser built afresh for each structure, as robocrys does."""
    from robocrys import StructureCondenser, StructureDescriber

    for record in queries.records[:2]:
        fresh = StructureDescriber().describe(
            StructureCondenser(mineral_matcher=False).condense_structure(record.structure)
        )
        assert text._robocrys_text(record.structure.as_dict(), False) == fresh


def test_each_neighbour_search_is_made_once_for_robocrys_own_text(queries, monkeypatch):
    """Describing a structure searches each site's Voronoi neighbours once (robocrys alone
    searches every site twice), and the words are those of robocrys without the reuse."""
    from pymatgen.analysis.local_env import VoronoiNN
    from robocrys import StructureCondenser, StructureDescriber

    record = next(r for r in queries.records if r.formula == "Bi2Te3")
    searches: list[tuple] = []
    polyhedra = VoronoiNN.get_voronoi_polyhedra

    def counted(self, structure, n):
        searches.append((structure.frac_coords.tobytes(), n))
        return polyhedra(self, structure, n)

    monkeypatch.setattr(VoronoiNN, "get_voronoi_polyhedra", counted)
    robocrys_alone = StructureDescriber().describe(
        StructureCondenser(mineral_matcher=False).condense_structure(record.structure)
    )
    searched_alone = len(searches)
    searches.clear()
    assert text._robocrys_text(record.structure.as_dict(), False) == robocrys_alone
    assert len(searches) == len(set(searches)) and 2 * len(searches) == searched_alone
