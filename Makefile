# `make mock` and `make test` each build their own environment from the pinned files on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# The docs site's tools (Material for MkDocs) live in their own environment: the kit's stays small.
DOCS_VENV := .venv-docs
DOCS_STAMP := $(DOCS_VENV)/.installed
UV := $(BIN)/uv
ENVS := .envs
INSTALL_ENVS := $(ENVS)/lowest/.installed $(ENVS)/lowest-contract/.installed \
                $(ENVS)/fastapi/.installed $(ENVS)/pytest8/.installed
# The test tools the lowest environment adds, at the lock's versions (the kit's own dependencies go lowest there).
TEST_TOOLS = $$(grep -E '^(httpx|pytest-timeout)==' requirements.lock)
# openapi-python-client, which make test runs on the spec, brings its own tree (typer, jinja2, ruamel.yaml, its ruff
# range): it lives in its own environment, so its pins and the kit's never constrain each other.
CODEGEN_VENV := .venv-codegen
CODEGEN_STAMP := $(CODEGEN_VENV)/.installed

.PHONY: mock proxy test lint env envs browser clean bench soak docs

$(ENV_STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --editable .
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(DOCS_STAMP): docs/requirements.lock
	test -x $(DOCS_VENV)/bin/python || $(PYTHON) -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r docs/requirements.lock
	touch $@

$(CODEGEN_STAMP): requirements-codegen.lock
	test -x $(CODEGEN_VENV)/bin/python || $(PYTHON) -m venv $(CODEGEN_VENV)
	$(CODEGEN_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-codegen.lock
	touch $@

env: $(ENV_STAMP)

# `make envs`: the installs tests/test_installs.py checks, built ahead of the test run (set-up, not test time).
# lowest: the lowest versions pyproject.toml allows, base install (uv's lowest-direct resolution), where the mock's
# and the plugin's tests run; lowest-contract: the same with [contract]; fastapi, pytest8: consumer projects
# (tests/consumers/*) whose pinned packages are installed first, then the kit with pip, as their developers would.
# Each is rebuilt from scratch when pyproject.toml (or the consumer's pins) change; the kit is installed editable,
# so they always run the code of this checkout.
envs: $(INSTALL_ENVS)

$(ENVS)/lowest/.installed: pyproject.toml requirements.lock $(ENV_STAMP)
	rm -rf $(@D) && $(UV) venv --quiet --python $(PYTHON) $(@D)
	$(UV) pip install --quiet --python $(@D)/bin/python --resolution lowest-direct -r pyproject.toml \
	  "pytest>=8" $(TEST_TOOLS)
	$(UV) pip install --quiet --python $(@D)/bin/python --no-deps --editable .
	touch $@

$(ENVS)/lowest-contract/.installed: pyproject.toml $(ENV_STAMP)
	rm -rf $(@D) && $(UV) venv --quiet --python $(PYTHON) $(@D)
	$(UV) pip install --quiet --python $(@D)/bin/python --resolution lowest-direct -r pyproject.toml --extra contract
	$(UV) pip install --quiet --python $(@D)/bin/python --no-deps --editable .
	touch $@

$(ENVS)/%/.installed: tests/consumers/%/requirements.txt pyproject.toml $(ENV_STAMP)
	rm -rf $(@D) && $(UV) venv --quiet --seed --python $(PYTHON) $(@D)
	$(UV) pip install --quiet --python $(@D)/bin/python -r $<
	$(@D)/bin/python -m pip install --quiet --disable-pip-version-check --editable .
	touch $@

MOCK_PORT ?= 4010
mock: $(ENV_STAMP)
	$(BIN)/sivi-mock --port $(MOCK_PORT)

# `make proxy`: the mock in front of staging, beside `make mock` (its own port). The real key is read from the
# variable PROXY_KEY_ENV names, never passed as a flag; pages may call it from PROXY_ORIGIN only: one origin or
# several, space-separated, each its own --cors-origin, quoted (so that `*` reaches sivi-mock, which refuses it).
PROXY_URL ?= https://connect.sivi.ai/api/staging/v2
PROXY_PORT ?= 4011
PROXY_KEY_ENV ?= SIVI_STAGING_KEY
PROXY_ORIGIN ?= http://localhost:5173
proxy: $(ENV_STAMP)
	$(BIN)/sivi-mock --port $(PROXY_PORT) --proxy $(PROXY_URL) --upstream-key-env $(PROXY_KEY_ENV) \
	  $(foreach origin,$(PROXY_ORIGIN),--cors-origin '$(origin)') --fixtures-first

lint: $(ENV_STAMP) $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m openapi_spec_validator openapi.yaml
	node_modules/.bin/spectral lint --fail-severity=hint openapi.yaml

# The CORS test drives a real headless Chromium: Debian's package, installed here when missing (as root, e.g. in CI).
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null); } || \
	  echo "chromium is missing and cannot be installed here: install it, or run with SIVI_SKIP_BROWSER=1"

# Three workers on two cores (pytest-xdist): much of the tests' time is spent waiting on a browser, a subprocess or a
# socket, and a third worker fills it (measured: 180 s with two, 160 s with three). A module marked xdist_group stays
# on one worker, so that its module-wide set-up (a wheel, the docs site, the lowest-versions runs) happens once.
# Bytecode is written even where the machine says not to (PYTHONDONTWRITEBYTECODE, as in many CI images): the run
# starts a hundred Python processes, and each would compile the kit, Schemathesis and Hypothesis again (and pytest
# rewrite their asserts again): measured, 8 s of CPU a start instead of 2.5 s. It goes to git-ignored __pycache__/.
test: lint browser envs $(DOCS_STAMP) $(CODEGEN_STAMP)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n 3 --dist loadgroup

# `make bench`: the mock vs a bare-Starlette baseline (and Prism when npm is there), loaded by wrk; under 3 minutes;
# then the proxy vs calling its upstream directly (and Prism's proxy), under 3 minutes more; then what a sivi-mutate
# run costs against its clean run, as the tests grow (under a minute); then what only a clock sees: the key check
# whichever key matches, recording one more answer over a large recording, one sivi-spec diff (5 to 20 s).
# `timeout` is a safety net only: the bench keeps its own time budget and stops its servers by PID.
bench: $(ENV_STAMP)
	timeout --signal=INT --kill-after=10 180 $(BIN)/python -m bench.run
	timeout --signal=INT --kill-after=10 180 $(BIN)/python -m bench.proxy
	timeout --signal=INT --kill-after=10 120 $(BIN)/python -m bench.mutation --output bench/results/mutation.md
	timeout --signal=INT --kill-after=10 60 $(BIN)/python -m bench.costs --output bench/results/costs.md

# `make soak`: the contract suite at length against a running mock, then 60 s of mixed load (about 2.5 minutes).
soak: $(ENV_STAMP)
	timeout --signal=INT --kill-after=10 300 $(BIN)/python -m soak.run

# `make docs`: the site, built offline with no warning allowed, into the git-ignored site/ (open site/index.html).
# Its flag tables are generated from the options the CLIs declare, which is why it needs the kit's environment too.
docs: $(ENV_STAMP) $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(DOCS_VENV)/bin/mkdocs build --strict --quiet

clean:
	rm -rf $(VENV) $(DOCS_VENV) $(CODEGEN_VENV) $(ENVS) node_modules site
