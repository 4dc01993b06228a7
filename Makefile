# The two commands a user needs: `make paper` builds ms.pdf, `make test` runs the tests.
# Both set up the environment first (tools/setup.sh: idempotent, reinstalls nothing).
SHELL := /bin/bash
VENV ?= $(CURDIR)/.venv
CORES ?= $(shell nproc)
export PATH := $(VENV)/shims:$(VENV)/bin:$(PATH)
export REEVAL_VENV := $(VENV)

.PHONY: setup paper test test-slow test-all numbers check-pdf lint lock clean

setup:
	@bash tools/setup.sh

# Every output is written atomically, so a job killed mid-way leaves only snakemake's
# "incomplete" marker: rerunning that job is the resume, not an error.
paper: setup
	showyourwork build --cores $(CORES) --rerun-incomplete

test: setup
	python -m pytest -m "not slow"

test-slow: setup
	python -m pytest -m slow

test-all: setup
	python -m pytest

numbers: setup
	@python tools/list_numbers.py

check-pdf: setup
	python tools/check_pdf.py ms.pdf

lint: setup
	ruff check . && ruff format --check .

lock:
	bash tools/lock.sh

clean:
	showyourwork clean --force || true
	rm -rf src/data/raw src/data/tidy src/tex/output/*.txt src/tex/output/*.tex
