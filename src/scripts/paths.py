"""
Exposes common paths useful for manipulating datasets and generating figures.

"""

from pathlib import Path

# Absolute path to the top level of the repository
root = Path(__file__).resolve().parents[2].absolute()

# Absolute path to the `src` folder
src = root / "src"

# Absolute path to the `src/data` folder (contains datasets)
data = src / "data"

# Absolute path to the `src/static` folder (contains static images)
static = src / "static"

# Absolute path to the `src/scripts` folder (contains figure/pipeline scripts)
scripts = src / "scripts"

# Absolute path to the `src/tex` folder (contains the manuscript)
tex = src / "tex"

# Absolute path to the `src/tex/figures` folder (contains figure output)
figures = tex / "figures"

# Absolute path to the `src/tex/output` folder (contains other user-defined output)
output = tex / "output"

# Raw files fetched through the data manifest (config/data_manifest.yaml)
raw = data / "raw"

# Tidy tables derived from the raw files
tidy = data / "tidy"

# Other intermediate results (samples, features, model outputs)
derived = data / "derived"

# Project configuration (profiles, schema, data manifest)
config = root / "config"
