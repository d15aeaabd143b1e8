# Quick start: `make run` (the bot: console without Slack credentials, Slack with them)
#              `make test` (the whole suite, on SQLite and on a throwaway PostgreSQL)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/consultbot start

test: $(STAMP)
	bash .ci/postgres-binaries
	bash .ci/office-binaries
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/ack.py --rounds 20

clean:
	rm -rf $(VENV) .pytest_cache
