# Two entry points for newcomers (see README): `make run` and `make test`.
# Both create .venv from the committed lock files first, so every machine gets the tested versions.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The SLURM executor plugin lives apart from the environment: Snakemake imports every executor
# plugin it can find at each start, and this one imports pandas (~0.3 s of a no-op rerun).
# Cluster runs put it on PYTHONPATH (`make slurm`, profiles/slurm/README.md).
SLURM_PLUGINS := $(VENV)/slurm

.PHONY: run slurm test lint install manifest lock clean-results report bench bench-record bytecode

install: $(STAMP)

# --clear: the environment holds what the lock files name and nothing an older lock left behind.
$(STAMP): requirements.lock requirements-slurm.lock pyproject.toml
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps --target $(SLURM_PLUGINS) \
		-r requirements-slurm.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP) bytecode
	$(BIN)/snakemake --cores all
	$(BIN)/snakemake --report results/report.html

# The package's bytecode, compiled once instead of in each of a run's ~110 job processes (where
# PYTHONDONTWRITEBYTECODE is set, nothing else writes it); only changed modules are recompiled.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q analysis benchmarks

# The whole pipeline as SLURM jobs (start a cluster first; profiles/slurm/README.md).
slurm: $(STAMP) bytecode
	PYTHONPATH=$(SLURM_PLUGINS) $(BIN)/snakemake --profile profiles/slurm

# The Snakemake report: every table and figure with its caption, the claims ledger, the DAG.
report: $(STAMP)
	$(BIN)/snakemake --report results/report.html

# Speed and memory (results/benchmarks/*.json); see benchmarks/README.md.
bench: $(STAMP) bytecode
	$(BIN)/python -m benchmarks

# Run every benchmark (an otherwise idle machine, please), keep its JSON files as the committed
# record and render the README's performance table from them.
bench-record: bench
	rm -f benchmarks/measured/*.json
	cp results/benchmarks/*.json benchmarks/measured/
	$(BIN)/python -m analysis readme

# One pytest-xdist worker per core: the suite is mostly single-threaded, and the SLURM test
# mostly waits (tests/session.py shares the pipeline run and the SLURM run between workers).
test: $(STAMP) bytecode
	$(BIN)/pytest -n auto

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakemake --lint

# Maintenance: regenerate the manifest from the mirror, then the README's data table.
manifest: $(STAMP)
	$(BIN)/python -m analysis build-manifest --mirror ../shared/raw --out data/raw/sources.yaml
	$(BIN)/python -m analysis readme

# The SLURM lock pins, consistently with the main lock, only what the main lock lacks.
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--generate-hashes -o requirements.lock
	$(PYTHON) -m uv pip compile pyproject.toml --extra slurm --python-version 3.11 \
		--generate-hashes -c requirements.lock --custom-compile-command "make lock" \
		$$(sed -n 's/^\([A-Za-z0-9._-]*\)==.*/--no-emit-package \1/p' requirements.lock) \
		-o requirements-slurm.lock

clean-results:
	rm -rf results .snakemake
