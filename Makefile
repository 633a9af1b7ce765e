# Two entry points for a fresh machine (Python 3.11+ and the package index are all that is needed):
#   make report   builds .venv on first use and prints the parity report
#   make test     builds .venv on first use and runs the whole test suite (lint included)
#   make site     builds .venv on first use and builds the docs site into site/ (open site/index.html)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: report test lint site clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

report: $(BIN)/.installed
	$(BIN)/python -m parity_tests

site: $(BIN)/.installed
	$(BIN)/python -m parity_tests site --out site

lint: $(BIN)/.installed
	$(BIN)/ruff check .

test: $(BIN)/.installed lint
	MPLBACKEND=Agg $(BIN)/python -m pytest -n 2 --dist loadgroup -q

clean:
	rm -rf $(VENV)
