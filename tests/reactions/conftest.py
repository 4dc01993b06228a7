import pytest

from reeval.reactions import buchwald_hartwig, suzuki_miyaura

BH_XLSX = "reactions/buchwald_hartwig/rxn_yields/Dreher_and_Doyle_input_data.xlsx"
SM_DIR = "reactions/suzuki_miyaura/rxn_yields"


@pytest.fixture(scope="session")
def bh_tables(mirror):
    return buchwald_hartwig.build_tables(mirror / BH_XLSX)


@pytest.fixture(scope="session")
def sm_split_files(mirror):
    return [mirror / SM_DIR / f"random_splits/random_split_{i}.tsv" for i in range(10)]


@pytest.fixture(scope="session")
def sm_tables(mirror, sm_split_files):
    return suzuki_miyaura.build_tables(
        mirror / SM_DIR / "aap9112_Data_File_S1.xlsx", sm_split_files
    )
