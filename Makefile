# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501
REPLICAS ?= 2

.PHONY: run dev cluster test test-fast lint setup bench clean

setup: $(STAMP) static/vendor/.installed

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip "setuptools>=77,<81" wheel
	# --no-build-isolation: the XStatic sdists import pkg_resources at build time
	$(BIN)/pip install --quiet --no-build-isolation -e ".[test,assets]"
	touch $(STAMP)

# Leaflet.draw has no XStatic package: its files are copied out of this wheel, which is
# downloaded without dependencies and never installed (pin and SHA-256: consultations/assets.py).
ASSET_WHEELS := $(VENV)/asset-wheels
DRAW_WHEEL := django-leaflet==0.34.0

static/vendor/.installed: $(STAMP) consultations/assets.py
	$(BIN)/pip download --quiet --no-deps --only-binary=:all: --dest $(ASSET_WHEELS) $(DRAW_WHEEL)
	$(BIN)/python -m consultations install-assets

# serve.py: app.py behind the app's HTTP policy (CSP, framing, no public metrics).
# FORWARDED_ALLOW_IPS="": Streamlit reports the real socket peer; the app alone decides
# whether to believe X-Forwarded-For (KARTINNSPILL_TRUSTED_PROXIES, docs/security).
run: setup
	FORWARDED_ALLOW_IPS="" KARTINNSPILL_DEMO=1 $(BIN)/streamlit run serve.py --server.port $(PORT)

# REPLICAS streamlit processes on PostgreSQL (data/pg) behind HAProxy on PORT, all on this
# machine (deploy/cluster.py, deploy/README.md); needs Debian's postgresql and haproxy.
cluster: setup
	KARTINNSPILL_DEMO=1 $(BIN)/python -m deploy.cluster run --port $(PORT) --replicas $(REPLICAS)

# For development: rerun on save (the shipped config turns the file watcher off for load).
dev: setup
	FORWARDED_ALLOW_IPS="" KARTINNSPILL_DEMO=1 $(BIN)/streamlit run serve.py --server.port $(PORT) \
		--server.fileWatcherType auto --server.runOnSave true

# The whole suite, in one process, in file order (as CI runs it). ARGS: more pytest options.
test: setup
	$(BIN)/python -m pytest -q $(ARGS)

# The tier to run before each commit: everything but the tests that drive Chromium, start
# PostgreSQL, a cluster or the app's server, render with LibreOffice, run pages under AppTest
# or the command line in a process of its own (the marks: pyproject.toml, applied in
# tests/conftest.py), and the few marked `slow` (seconds of CPU each). `make test` (and CI)
# runs them all. On both cores (pytest-xdist), each test file whole on one worker
# (`--dist loadfile`: a module's shared data and the bench runs are made once); FAST_WORKERS=0
# runs it in this process alone.
FAST := not (browser or postgres or cluster or office or pages or server or cli or slow)
FAST_WORKERS ?= 2
test-fast: setup
	$(BIN)/python -m pytest -q -m "$(FAST)" -n $(FAST_WORKERS) --dist loadfile $(ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup
	$(BIN)/python bench/map_bench.py

clean:
	rm -rf $(VENV) static/vendor
