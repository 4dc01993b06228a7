# The two commands a user needs: `make paper` builds ms.pdf, `make test` runs the tests.
# Both set up the environment first (tools/setup.sh: idempotent, reinstalls nothing).
SHELL := /bin/bash
VENV ?= $(CURDIR)/.venv
CORES ?= $(shell nproc)
export PATH := $(VENV)/shims:$(VENV)/bin:$(PATH)
export REEVAL_VENV := $(VENV)

.PHONY: setup paper test test-slow test-all numbers verify check-pdf lint lock clean

setup:
	@bash tools/setup.sh

# Every output is written atomically, so a job killed mid-way leaves only snakemake's
# "incomplete" marker: rerunning that job is the resume, not an error.
# tools/progress.py prints a line per finished job ([done/total, elapsed] message; the jobs'
# own output stays in logs/), then the wall time and where ms.pdf is.
paper: setup
	@python tools/progress.py -- showyourwork build --cores $(CORES) --rerun-incomplete

test: setup
	python -m pytest -m "not slow"

test-slow: setup
	python -m pytest -m slow

test-all: setup
	python -m pytest

numbers: setup
	@python tools/list_numbers.py

# `make verify NAME=x` (or `make verify x`): rerun the rule behind number x in a scratch copy
ifeq (verify,$(firstword $(MAKECMDGOALS)))
  NAME ?= $(word 2,$(MAKECMDGOALS))
  ifneq ($(NAME),)
    $(eval $(NAME):;@:)
  endif
endif
verify: setup
	@test -n "$(NAME)" || { echo "usage: make verify NAME=<number> (make numbers lists them)"; exit 2; }
	@python tools/verify_number.py $(NAME) --cores $(CORES)

check-pdf: setup
	python tools/check_pdf.py ms.pdf

lint: setup
	ruff check . && ruff format --check .

lock:
	bash tools/lock.sh

clean:
	showyourwork clean --force || true
	rm -rf src/data/raw src/data/tidy src/tex/output/*.txt src/tex/output/*.tex src/tex/output/*.json .verify
