# `make mock` and `make test` each build their own environment from the pinned files on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: mock test lint env clean

$(ENV_STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --editable .
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

env: $(ENV_STAMP)

mock: $(ENV_STAMP)
	$(BIN)/sivi-mock

lint: $(ENV_STAMP) $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m openapi_spec_validator openapi.yaml
	node_modules/.bin/spectral lint --fail-severity=warn openapi.yaml

test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) node_modules
