"""
The one path registry of the project: every folder the workflow's rules, the figure
scripts and the tools read or write, as absolute paths (showyourwork's convention), and
`relative(path)`, the same path relative to the repository root, as the Snakemake rules
name their files.

"""

from pathlib import Path

# Absolute path to the top level of the repository
root = Path(__file__).resolve().parents[2].absolute()

# Absolute path to the `src` folder
src = root / "src"

# Absolute path to the `src/data` folder (contains datasets)
data = src / "data"

# Absolute path to the `src/static` folder (hand-compiled tables, with their provenance)
static = src / "static"

# Absolute path to the `src/scripts` folder (contains figure/pipeline scripts)
scripts = src / "scripts"

# The importable library behind the scripts
library = scripts / "reeval"

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

# Other intermediate results (samples)
derived = data / "derived"

# The reaction feature stores and rxnfp vectors, one folder per data set
features = data / "features"

# Pretrained encoders and their embeddings, per data set and pretraining scope
models = data / "models"

# Every run's predictions and metrics
yield_results = data / "results/yield_model"
baseline_results = data / "results/baselines"
comparison_figure_data = data / "results/comparison"

# The materials study's pool, representations, caches and results
materials = data / "materials"

# Project configuration (profiles, schema, data manifest)
config = root / "config"

# Each job's log and benchmark (wall time, memory) file, named after its rule
logs = root / "logs"
benchmarks = root / "benchmarks"


def relative(path: Path) -> str:
    """`path` relative to the repository root, as the workflow's rules name files."""
    return path.relative_to(root).as_posix()
