import pytest

from reeval.errors import DataError
from reeval.featurize.tokens import CLS, PAD, UNK, Vocabulary, tokenize


def test_regex_tokens():
    assert tokenize("Brc1cc[nH]c1Cl") == ["Br", "c", "1", "c", "c", "[nH]", "c", "1", "Cl"]
    assert tokenize("C%12CC%12>>O") == ["C", "%12", "C", "C", "%12", ">", ">", "O"]
    reaction = "CC(=O)[O-].[Na+]>>CC#N"
    assert "".join(tokenize(reaction)) == reaction


def test_untokenizable_text_is_refused():
    with pytest.raises(DataError, match="losslessly"):
        tokenize("C C")


def test_vocabulary_is_deterministic_with_unknown_token():
    a = Vocabulary.build(["CCO", "CCN", "c1ccccc1"])
    b = Vocabulary.build(["c1ccccc1", "CCN", "CCO"])
    assert a.tokens == b.tokens
    assert a.tokens[:3] == (PAD, UNK, CLS)
    assert a.tokens[3] == "c"  # the most frequent token first
    encoded = a.encode("CCBr")
    assert encoded[0] == a.index[CLS] and encoded[-1] == a.index[UNK]
    assert Vocabulary.from_json(a.to_json()) == a


def test_padding_and_mask():
    vocab = Vocabulary.build(["CCO", "C"])
    ids, padding = vocab.encode_batch(["CCO", "C"], max_tokens=10)
    assert ids.shape == (2, 10)  # rounded up to a multiple of 16, capped at max_tokens
    assert padding[:, :4].tolist() == [[False] * 4, [False, False, True, True]]
    assert padding[:, 4:].all()
    wide, _ = vocab.encode_batch(["CCO" * 12], max_tokens=100)
    assert wide.shape == (1, 48)
    with pytest.raises(DataError, match="max_tokens"):
        vocab.encode_batch(["CCO"], max_tokens=3)
