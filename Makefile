# Doorstep — the two commands: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
DATA   ?= .data
STAMP  := $(VENV)/.installed

.PHONY: run test setup system lint typecheck bench translations clean

# `make run USER=super01` starts as the supervisor (only a USER given on the command line counts: the
# shell's own $$USER is the login name, not a demo account).
RUN_USER := $(if $(filter command line,$(origin USER)),$(USER),agent01)

run: setup ## start Doorstep on demo data, synced from a local head office (USER=super01: the supervisor)
	$(PY) tools/run_demo.py --data-dir $(DATA) --user $(RUN_USER)

test: setup ## the whole suite, as CI runs it: the import contracts first, then the tests
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -n auto --durations=15

setup: system $(STAMP)

system:
	@bash tools/system-packages.sh

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Doorstep needs Python 3.11 or newer")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

lint: setup
	$(VENV)/bin/ruff check .

typecheck: setup
	$(VENV)/bin/mypy

bench: setup ## every performance figure next to its target
	$(PY) -m benchmarks

translations: setup
	$(PY) tools/update_translations.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
