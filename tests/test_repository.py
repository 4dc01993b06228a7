"""Repository hygiene: small tracked files, one environment, citations that resolve."""

import re
import subprocess

import yaml

from pins import parse_pins
from reeval.config import load_yaml
from reeval.data.manifest import load_manifest

MAX_TRACKED_BYTES = 2 * 1024 * 1024


def tracked_files(repo_root):
    out = subprocess.run(["git", "ls-files", "-z"], cwd=repo_root, capture_output=True, check=True)
    return [repo_root / name for name in out.stdout.decode().split("\0") if name]


def test_no_tracked_file_is_over_2_mb(repo_root):
    big = [
        str(p)
        for p in tracked_files(repo_root)
        if p.is_file() and p.stat().st_size > MAX_TRACKED_BYTES
    ]
    assert not big, f"tracked files over 2 MB (data, weights and outputs stay out of git): {big}"


def test_no_data_or_outputs_are_tracked(repo_root):
    names = [str(p.relative_to(repo_root)) for p in tracked_files(repo_root)]
    generated = [
        n for n in names if re.match(r"src/(data|tex/output|tex/figures)/(?!\.gitignore$)", n)
    ]
    assert not generated
    assert not [n for n in names if n.endswith((".parquet", ".npy", ".pdf", ".xlsx"))]


def environment_pip_section(repo_root) -> list[str]:
    environment = yaml.safe_load((repo_root / "environment.yml").read_text())
    return next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))


def test_environment_yml_pins_exactly_requirements_txt(repo_root):
    requirements = [
        line.strip()
        for line in (repo_root / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    environment = yaml.safe_load((repo_root / "environment.yml").read_text())
    assert environment_pip_section(repo_root) == requirements
    assert "python=3.11" in environment["dependencies"]


def test_one_resolution_without_no_deps(repo_root):
    """conda's pip step installs every package with its dependencies, so the project does
    too: no package list installed `--no-deps` (the resolution itself is checked against the
    package index by tests/test_environment_resolution.py, in CI)."""
    assert not (repo_root / "requirements-nodeps.txt").exists()
    for name in ("tools/setup.sh", "tools/lock.sh", "Makefile", "environment.yml"):
        assert "--no-deps" not in (repo_root / name).read_text(), name
    pins = dict(line.split("==") for line in environment_pip_section(repo_root))
    # the packages once installed without their dependencies are in the one resolution,
    # with a pandas that matminer 0.10.1 accepts (it declares pandas<3)
    assert pins["matminer"] == "0.10.1" and pins["robocrys"] == "0.2.13"
    assert pins["drfp"] == "0.3.7"
    assert int(pins["pandas"].split(".")[0]) < 3


def test_requirements_are_all_pinned_with_the_cpu_torch(repo_root):
    lines = [
        line
        for line in (repo_root / "requirements.txt").read_text().splitlines()
        if line and line[0] != "#"
    ]
    assert all("==" in line for line in lines), [line for line in lines if "==" not in line]
    pins = dict(line.split("==") for line in lines)
    assert pins["torch"] == "2.13.0"
    assert pins["showyourwork"] == "0.4.3"
    assert pins["snakemake"] == "7.15.2"
    major, minor = map(int, pins["PuLP" if "PuLP" in pins else "pulp"].split(".")[:2])
    assert (major, minor) < (2, 8)


def test_every_manifest_citation_is_in_the_bibliography(repo_root):
    keys = set(re.findall(r"@\w+\{([^,\s]+),", (repo_root / "src/tex/bib.bib").read_text()))
    manifest = load_manifest(repo_root / "config/data_manifest.yaml")
    cited = {key for source in manifest.sources.values() for key in source.citation}
    assert cited <= keys, cited - keys


def test_every_citation_of_the_manuscript_resolves(repo_root):
    keys = set(re.findall(r"@\w+\{([^,\s]+),", (repo_root / "src/tex/bib.bib").read_text()))
    text = (repo_root / "src/tex/ms.tex").read_text()
    cited = {
        k.strip() for group in re.findall(r"\\cite[tp]?\{([^}]*)\}", text) for k in group.split(",")
    }
    assert cited <= keys, cited - keys


def braced_arguments(text: str, command: str) -> list[str]:
    """The {...} argument of every `command{` in `text` (nested braces balanced)."""
    found, start = [], text.find(command + "{")
    while start >= 0:
        depth, end = 0, start + len(command)
        for end in range(start + len(command), len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                break
        found.append(text[start + len(command) + 1 : end])
        start = text.find(command + "{", end)
    return found


def test_no_generated_number_sits_in_a_caption(repo_root):
    """showyourwork's \\variable puts a \\label after its \\input: in a caption (a moving
    argument) pdflatex stops with hyperref's "Argument of \\Hy@tempa has an extra }"."""
    text = (repo_root / "src/tex/ms.tex").read_text()
    captions = braced_arguments(text, "\\caption")
    assert len(captions) > 10
    assert not [c for c in captions if "\\variable" in c]


def test_ci_runs_the_readme_test_command(repo_root):
    readme = (repo_root / "README.md").read_text()
    ci = (repo_root / ".ci/run").read_text()
    assert "make test" in readme and "make paper" in readme
    assert re.search(r"^(step )?make test\b", ci, re.M)
    assert re.search(r"^(step )?make paper\b", ci, re.M)


def test_showyourwork_figure_dependencies_are_workflow_outputs(repo_root):
    config = load_yaml(repo_root / "showyourwork.yml")
    for script, deps in config["dependencies"].items():
        assert (repo_root / script).is_file(), script
        assert all(
            d.startswith(("src/data/", "src/scripts/reeval/", "src/tex/output/")) for d in deps
        )
        assert all((repo_root / d).is_file() for d in deps if d.startswith("src/scripts/"))


UNSAFE_LOADS = {
    r"\btorch\.load\((?![^)]*weights_only\s*=\s*True)": "torch.load without weights_only=True",
    r"\bpickle\.loads?\(": "pickle.load",
    r"\bjoblib\.load\(": "joblib.load (pickle)",
    r"\bread_pickle\(": "read_pickle",
    r"\bnp\.load\((?![^)]*allow_pickle\s*=\s*False)": "np.load without allow_pickle=False",
}


def test_no_input_reaches_pickle(repo_root):
    """Caches and checkpoints are safetensors, Parquet, JSON or pickle-free .npy/.npz files:
    nothing the workflow reads can run code when loaded."""
    tracked = subprocess.run(
        ["git", "ls-files", "*.py", "*.smk", "Snakefile"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    found = []
    for name in tracked:
        if name == "tests/test_repository.py":
            continue
        text = (repo_root / name).read_text(encoding="utf-8")
        found += [
            f"{name}: {why}" for pattern, why in UNSAFE_LOADS.items() if re.search(pattern, text)
        ]
    assert not found, found


# The inputs of showyourwork/showyourwork-action (its action.yml at the pinned commit)
ACTION_INPUTS = {
    "conda-cache-number",
    "article-cache-number",
    "output-branch-suffix",
    "github-token",
    "build-tarball",
    "build-diff-on-pull-request",
    "latexdiff-url",
    "latexdiff-options",
    "latexpand-url",
    "showyourwork-spec",
}


def test_the_github_build_needs_no_repository_variable(repo_root):
    text = (repo_root / ".github/workflows/build.yml").read_text()
    workflow = yaml.safe_load(text)
    assert "vars." not in text and "REEVAL_DATA_MIRROR" not in text
    (step,) = [
        s
        for job in workflow["jobs"].values()
        for s in job["steps"]
        if s.get("uses", "").startswith("showyourwork/showyourwork-action@")
    ]
    assert set(step["with"]) <= ACTION_INPUTS
    # `pip install -U <showyourwork-spec>`: the runner's requirements, then the Python 3.11
    # mend of ratelimiter
    spec = step["with"]["showyourwork-spec"].split()
    assert spec == ["-r", "requirements-workflow.txt", "&&", "python", "tools/mend_ratelimiter.py"]
    assert re.fullmatch(r"showyourwork/showyourwork-action@[0-9a-f]{40}", step["uses"])


def test_the_snakemake_runner_pins_agree_with_the_environment(repo_root):
    """requirements-workflow.txt (where showyourwork runs Snakemake when it uses conda):
    showyourwork 0.4.3 with a pulp below 2.8, every pin as in requirements.txt."""
    runner = parse_pins((repo_root / "requirements-workflow.txt").read_text().splitlines())
    pins = parse_pins((repo_root / "requirements.txt").read_text().splitlines())
    assert runner["showyourwork"] == "0.4.3" and runner["pulp"].startswith("2.7")
    assert {name: pins.get(name) for name in runner} == runner
