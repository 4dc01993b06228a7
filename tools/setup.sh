#!/usr/bin/env bash
# One-time, idempotent set-up of everything `make paper` and `make test` need:
#   1. the project venv (.venv) holding exactly the pinned requirements.txt: the resolution
#      of pip's normal resolver that environment.yml repeats for conda (every package with
#      its dependencies; packages outside it are removed, then `pip check`),
#   1b. the library (src/scripts: reeval and paths) installed editable into that venv,
#   2. the Python 3.11 mend of snakemake's `ratelimiter` dependency,
#   3. stand-ins for conda/tectonic when they are absent (.venv/shims, first on PATH),
#   4. Debian TeX Live + latexmk + poppler-utils when pdflatex/latexmk/pdftotext are missing.
# A second run checks and reinstalls nothing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${REEVAL_VENV:-$root/.venv}"
cd "$root"

say() { echo "[setup] $*"; }

pick_python() {
  for candidate in "${PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      echo "$candidate"; return 0
    fi
  done
  echo "[setup] Python 3.11 is required: install it, or set PYTHON=/path/to/python3.11" >&2
  return 1
}

# 1. virtual environment from pinned requirements
if [ ! -x "$venv/bin/python" ]; then
  python="$(pick_python)"
  say "creating $venv with $python"
  "$python" -m venv "$venv"
fi
stamp="$venv/.requirements.sha256"
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing requirements.txt into $venv (about 3 minutes, 2.6 GB)"
  # (the sed drops pip's warnings about this machine's empty local index folders)
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt 2>&1 \
    | sed "/is ignored: it is neither a file nor a directory/d"
  # an older .venv may hold packages the resolution no longer has: remove them
  extra="$("$venv/bin/python" tools/venv_extras.py requirements.txt)"
  if [ -n "$extra" ]; then
    say "removing packages outside requirements.txt: $extra"
    # shellcheck disable=SC2086
    "$venv/bin/python" -m pip uninstall --quiet --disable-pip-version-check -y $extra
  fi
  if ! check="$("$venv/bin/python" -m pip check --disable-pip-version-check 2>&1)"; then
    echo "[setup] pip check: $check" >&2
    exit 1
  fi
  echo "$want" > "$stamp"
fi

# 1b. the library, editable: the tools import it from this checkout (pyproject.toml; it
# declares no dependencies of its own: they are requirements.txt)
if ! (cd / && "$venv/bin/python" -c 'import sys, reeval; sys.exit(reeval.__file__ != sys.argv[1])' \
      "$root/src/scripts/reeval/__init__.py") 2>/dev/null; then
  say "installing the library (src/scripts) editable into $venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-build-isolation -e "$root"
fi

# 2. ratelimiter uses asyncio.coroutine, removed in Python 3.11
"$venv/bin/python" tools/mend_ratelimiter.py

# 3. stand-ins, only for what is missing
mkdir -p "$venv/shims"
link_shim() {  # name, needed (1/0)
  if [ "$2" = 1 ]; then
    ln -sfn "$root/tools/shims/$1" "$venv/shims/$1"
  else
    rm -f "$venv/shims/$1"
  fi
}
# look past our own shims when asking whether the real tool exists
path_without_shims="$(echo "$PATH" | tr ':' '\n' | grep -vxF "$venv/shims" | paste -sd:)"
has() { PATH="$path_without_shims" command -v "$1" >/dev/null 2>&1; }
if has conda || has mamba; then link_shim snakemake 0; else link_shim snakemake 1; fi
if has tectonic; then link_shim tectonic 0; else link_shim tectonic 1; fi

# 4. TeX Live (pdflatex, latexmk, bibtex) and pdftotext (the CI check of the PDF)
tex_packages="texlive-latex-base texlive-latex-recommended texlive-latex-extra texlive-pictures \
texlive-fonts-recommended texlive-plain-generic latexmk poppler-utils"
missing=""
for tool in pdflatex latexmk bibtex kpsewhich pdftotext; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian TeX Live for:$missing (about 2 minutes, 400 MB)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $tex_packages >/dev/null
  else
    echo "[setup] missing:$missing; install them with: sudo apt-get install $tex_packages" >&2
    exit 1
  fi
fi
