# The helpers every rule file uses: folders, priorities, the environment, the inputs a rule
# declares for its library and raw data, and the one builder of a rule's shell command.
# Included first by the Snakefile, after the profile (CFG) and the manifest (MANIFEST).

# Every parameter made from the profile is wrapped by from_profile(value, *sections): the
# same value for the shell command, marked with the sections it came from, so that the number
# manifest finds by itself which settings each number depends on (rules/article.smk).
from reeval.rule_settings import from_profile

# Every rule runs in the environment of environment.yml (conda users), or in the project
# venv that holds the same pins (tools/setup.sh). Absolute, as rules live in rules/*.smk.
CONDA_ENV = str(Path("environment.yml").resolve())

# Under `make paper`, tools/progress.py prints one line per finished job and sets
# REEVAL_QUIET_JOBS=1: every rule ends in `2>&1 | tee {log}`, and this `tee` then writes the
# job's output (tqdm bars too) to its log file only, not to the terminal. Other commands and
# Snakemake's own "set -euo pipefail" are as before. (Snakemake formats the prefix: {{ is {.)
if os.environ.get("REEVAL_QUIET_JOBS") == "1":
    shell.prefix('set -euo pipefail; tee() {{ command tee "$@" >/dev/null; }}; ')

# GPUs per neural-network job on a cluster: `--config neural_gpus=1`, as profiles/slurm-gpu
# sets (resources, so it never reruns anything); tree models and summaries request none.
def neural_gpus(value):
    if not str(value).isdigit():
        from reeval.errors import ConfigError

        raise ConfigError(f"--config neural_gpus={value!r}: allowed is a whole number >= 0")
    return int(value)


NEURAL_GPUS = neural_gpus(config.get("neural_gpus", 0))

# Snakemake starts the ready job of the highest priority first (every job holds one core).
# Fetching and tidying unlock everything and take seconds; then the heads of the long
# serial chains (reactions: featurize -> pretrain -> embed; materials: describe -> embed ->
# train); then the training jobs longest first (as measured by tools/build_costs.py: the
# multimodal learning curve, the Mordred forests and the DRFP learning curve take 2-4 min;
# the other yield-model and graph jobs, the materials recall and the MatBERT head to head
# 0.5-2 min; the other forests seconds), so that no long job is left to run alone at the
# end while the other core idles.
PRIORITY_FETCH = 100
CRITICAL_PATH = 90
PRIORITY_MATERIALS_CHAIN = 80
PRIORITY_LONGEST = 70
PRIORITY_LONG = 60
PRIORITY_SHORT = 40

# Every folder, from the one path registry (src/scripts/paths.py), relative to the root
RAW = paths.relative(paths.raw)
TIDY = paths.relative(paths.tidy)
DERIVED = paths.relative(paths.derived)
OUTPUT = paths.relative(paths.output)
LOGS = paths.relative(paths.logs)
BENCHMARKS = paths.relative(paths.benchmarks)
FEATURES = paths.relative(paths.features)
MODELS = paths.relative(paths.models)
YIELD_RESULTS = paths.relative(paths.yield_results)
BASELINE_RESULTS = paths.relative(paths.baseline_results)
COMPARISON_FIGURE_DATA = paths.relative(paths.comparison_figure_data)
MATERIALS = paths.relative(paths.materials)


LIBRARY = Path(paths.relative(paths.library))


def library(*packages):
    """Library files behind a rule's script: its core modules and these sub-packages.

    Listed as inputs so that editing the library reruns the rules that use it (Snakemake
    tracks only declared files). Not used by fetch_data: its output is checked by hash.
    """
    files = sorted(LIBRARY.glob("*.py"))
    files += [p for package in packages for p in sorted((LIBRARY / package).glob("*.py"))]
    return [str(p) for p in files]


def numbers(names):
    """The \\variable{} files of these names."""
    return [f"{OUTPUT}/{name}.txt" for name in names]


def raw(path):
    """Where the manifest file `path` lands once fetched."""
    MANIFEST.entry(path)  # fails at parse time if the file is not in the manifest
    return f"{RAW}/{path}"


# A job's output (tqdm bars too) goes to its log file, and outside `make paper` also to the
# terminal (see the shell prefix above).
LOG_TAIL = "2>&1 | tee {log:q}"


def command(arguments, *, settings=False, threads=False, environment="", script="{input.script}"):
    """The shell command of a rule: `python SCRIPT ARGUMENTS`, the common flags it asks for
    (`--settings {params.settings:q}`: the settings the rule passes as JSON; `--threads
    {threads}`), and the log tail. `environment` goes before `python` (`NAME=value`)."""
    parts = [environment, f"python {script}", arguments.strip()]
    parts += ["--settings {params.settings:q}"] if settings else []
    parts += ["--threads {threads}"] if threads else []
    return " ".join(part for part in parts if part) + " " + LOG_TAIL
