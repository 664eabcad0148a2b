# qlearn — one Makefile for readers, students and CI.
#   make setup   create .venv and install qlearn (editable) with the pinned dev tools and the
#                hardware extra (qiskit, qiskit-aer, qiskit-ibm-runtime, pennylane-qiskit: the
#                calibrated fake IBM devices of chapter 7)
#   make test    ruff, unit tests, then every notebook executed in fast mode (what CI runs)
#   make book    build the HTML book into _build/html, executing every notebook
#   make lab     JupyterLab at the repository root, to work the exercises
#   make exercises  regenerate exercises/ from the worked solutions in solutions/
#   make bench   simulator speed versus PennyLane

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.qlearn-installed
NB_DIRS := $(wildcard book exercises solutions)
JOBS    ?= auto

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export MPLBACKEND := Agg

.PHONY: setup test lint unit notebooks book lab bench lock clean exercises

setup: $(STAMP)

# Re-runs only when the project's requirements change, so a second `make setup` takes seconds.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,hardware]'
	@touch $(STAMP)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check qlearn tests bench

unit: setup
	$(BIN)/python -m pytest -q -n $(JOBS) tests --doctest-modules qlearn

notebooks: setup
	QLEARN_FAST=1 $(BIN)/python -m pytest -q -n $(JOBS) --nbmake $(NB_DIRS)

test: lint unit notebooks

book: setup
	$(BIN)/jupyter-book build . --warningiserror --keep-going --path-output .
	@echo "Open _build/html/index.html"

# exercises/ is generated: edit solutions/ and run this (a unit test fails while they differ).
exercises: setup
	$(BIN)/python -m qlearn.exercises build

lab: setup
	$(BIN)/jupyter lab --notebook-dir=.

bench: setup
	$(BIN)/python bench/sim_vs_pennylane.py

# Refresh the pinned versions from the current environment (then commit constraints.txt).
lock: setup
	{ echo "# Tested versions: every install (make setup, CI) uses exactly these."; \
	  echo "# Regenerate with: make lock"; \
	  $(BIN)/python -m pip freeze --exclude-editable | sed 's/^torch==\([0-9.]*\)+.*/torch==\1/'; \
	} > constraints.txt

clean:
	rm -rf _build .pytest_cache .ruff_cache
