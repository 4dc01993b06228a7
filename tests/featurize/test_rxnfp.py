"""The rxnfp BERTs: tokenizer over the shipped vocabulary, weights, [CLS] vectors."""

import shutil

import numpy as np
import polars as pl
import pytest
import torch
from safetensors.numpy import load_file

from reeval.errors import DataError
from reeval.featurize.rxnfp import (
    RxnTokenizer,
    cls_vectors,
    length_batches,
    load_rxn_bert,
    write_rxnfp_vectors,
)
from reeval.featurize.rxnfp_files import RXNFP_MODELS
from reeval.io import CorruptFileError, verify_checksum

RXNFP = "reactions/rxnfp"


@pytest.fixture(scope="module")
def bert_ft(mirror):
    return load_rxn_bert(mirror / RXNFP / "bert_ft")


@pytest.fixture(scope="module")
def tokenizer(mirror):
    return RxnTokenizer.from_folder(mirror / RXNFP / "bert_ft", 512)


def test_every_bh_and_sm_reaction_tokenises_without_unknown_tokens(bh_tables, sm_tables, tokenizer):
    for tables in (bh_tables, sm_tables):
        smiles = tables.reactions["rxn_smiles"].to_list()
        encoded = [tokenizer.encode(s) for s in smiles]
        assert sum(missing for _, missing in encoded) == 0
        lengths = [len(ids) for ids, _ in encoded]
        assert max(lengths) <= 512
    # [CLS] first, [SEP] last, the regex tokens between them, in order
    ids, _ = tokenizer.encode("CC(=O)O.OCC>>CC(=O)OCC")
    words = [tokenizer.tokens[i] for i in ids]
    assert words[0] == "[CLS]" and words[-1] == "[SEP]"
    assert "".join(words[1:-1]) == "CC(=O)O.OCC>>CC(=O)OCC"
    assert ">>" in words  # rxnfp's vocabulary has the reaction arrow as one token


def test_unknown_and_too_long_inputs_are_refused(tokenizer, bert_ft):
    _, missing = tokenizer.encode("[Og]C>>C")  # [Og] is not in the vocabulary
    assert missing == 1
    with pytest.raises(DataError, match="outside the rxnfp vocabulary"):
        cls_vectors(bert_ft, tokenizer, ["CC>>C", "[Og]C>>C"])
    short = RxnTokenizer(tokenizer.tokens, 8)
    with pytest.raises(DataError, match="more than 8"):
        short.encode("CCCCCCCC>>C")


def test_both_models_load_every_encoder_weight(mirror):
    for name in RXNFP_MODELS:
        model = load_rxn_bert(mirror / RXNFP / name)
        assert model.config.hidden_size == 256 and model.config.num_hidden_layers == 12
        state = torch.load(
            mirror / RXNFP / name / "pytorch_model.bin", map_location="cpu", weights_only=True
        )
        key = "encoder.layer.11.output.dense.weight"
        original = state.get(key, state.get(f"bert.{key}"))
        assert torch.equal(model.state_dict()[key], original)  # not a fresh initialisation


def test_a_bad_weight_file_names_the_folder(mirror, tmp_path):
    folder = tmp_path / "bert_ft"
    shutil.copytree(mirror / RXNFP / "bert_ft", folder)
    (folder / "pytorch_model.bin").write_bytes(b"not a state dict")
    with pytest.raises(DataError, match="cannot load the rxnfp BERT"):
        load_rxn_bert(folder)


def test_batched_vectors_equal_one_reaction_at_a_time(bh_tables, bert_ft, tokenizer):
    """Padding and batching by length do not change a reaction's [CLS] vector (beyond float
    rounding), and the rows come back in input order."""
    smiles = [*bh_tables.reactions["rxn_smiles"].to_list()[:6], "CC(=O)O.OCC>>CC(=O)OCC"]
    batched = cls_vectors(bert_ft, tokenizer, smiles, batch_size=4)
    with torch.inference_mode():
        alone = np.stack(
            [
                bert_ft(input_ids=torch.tensor([tokenizer.encode(s)[0]]))
                .last_hidden_state[0, 0]
                .numpy()
                for s in smiles
            ]
        )
    assert batched.shape == (7, 256)
    np.testing.assert_allclose(batched, alone, atol=2e-5)
    # different reactions, different vectors
    assert np.abs(batched[-1] - batched[0]).max() > 0.1


def test_length_batches_cover_every_row_once_shortest_first():
    batches = length_batches([5, 1, 3, 3, 9], 2)
    assert [b.tolist() for b in batches] == [[1, 2], [3, 0], [4]]


def test_written_vectors_are_checksummed_and_keep_the_reaction_ids(mirror, tmp_path):
    reactions = pl.DataFrame(
        {"reaction_id": [7, 3], "rxn_smiles": ["CC(=O)O.OCC>>CC(=O)OCC", "CCBr.N>>CCN"]}
    )
    out = tmp_path / "rxnfp_bert_ft.safetensors"
    write_rxnfp_vectors(reactions, mirror / RXNFP / "bert_ft", out)
    verify_checksum(out)
    arrays = load_file(str(out))
    assert arrays["reaction_id"].tolist() == [7, 3]
    assert arrays["vectors"].shape == (2, 256)
    out.write_bytes(out.read_bytes()[:-4] + b"\0\0\0\0")
    with pytest.raises(CorruptFileError):
        verify_checksum(out)
