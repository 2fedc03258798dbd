# Two commands on a fresh machine: `make demo` and `make test`. Needs Python >= 3.11 and npm.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SCALE ?= 1
SEED ?= 2024
# Each scale gets its own SQLite file, so a rerun reuses what exists.
DEMO_DB := var/demo-scale-$(SCALE).sqlite3
DEMO_URL ?= sqlite:///$(CURDIR)/$(DEMO_DB)

.PHONY: setup demo test bench lint format clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "需要 Python 3.11 或更高版本"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: setup
	mkdir -p var
	DATABASE_URL=$(DEMO_URL) $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=$(DEMO_URL) $(BIN)/python manage.py load_demo --scale $(SCALE) --seed $(SEED)
	DATABASE_URL=$(DEMO_URL) $(BIN)/python manage.py serve --port $(PORT)

test: setup
	$(BIN)/python bin/run_tests.py

bench: setup
	$(BIN)/python bench/run.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules var
