# One command per job; each installs what it needs into .venv first.
#   make example   generate examples/blog.yaml into build/blog (the main job)
#   make test      the whole test suite (starts a throwaway PostgreSQL unless PRPGEN_TEST_DATABASE_URL is set);
#                  the slowest gates run on a daily rotating sample of the projects (see tests/conftest.py)
#   make test-all  the same with every project through every slow gate (about 40 minutes on 2 cores)
#   make matrix    every row of the pairwise spec matrix through every gate (tests/matrix.py; about 15 minutes)
#   make golden    refresh the golden projects under examples/ after an intended template change
#   make drift     fail (with a diff) if a golden project under examples/ differs from what its spec generates
#   make bench     every benchmark (generator speed, API under load vs two baselines); writes benchmarks/RESULTS.md

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: example test test-all matrix golden readme drift bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(INSTALLED)

example: $(INSTALLED)
	rm -rf build/blog
	$(BIN)/prpgen generate examples/blog.yaml --out build/blog

test: $(INSTALLED)
	$(BIN)/python -m pytest --cov=prpgen --cov-report=term

test-all: $(INSTALLED)
	PRPGEN_ALL_GATES=1 $(BIN)/python -m pytest --cov=prpgen --cov-report=term

matrix: $(INSTALLED)
	PRPGEN_ALL_GATES=1 $(BIN)/python -m pytest tests/test_matrix.py

golden: $(INSTALLED)
	$(BIN)/python -m tests.golden

readme: $(INSTALLED)
	$(BIN)/python -m tests.cli_reference

drift: $(INSTALLED)
	for spec in examples/*.yaml examples/*.toml; do \
		$(BIN)/prpgen generate "$$spec" --out "$${spec%.*}" --check || exit 1; \
	done

bench: $(INSTALLED)
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf build .venv .coverage .mypy_cache .pytest_cache .ruff_cache
