# chibo — `make run` serves the demo on SQLite; `make test` runs lint and the whole suite.
UV_VERSION := 0.13.9
UV := .uv/bin/uv
BIN := .venv/bin
export PICCOLO_CONF := db.piccolo_conf
# pytest-xdist workers: three on two cores, as many tests wait on servers they started
TEST_WORKERS ?= 3

.DEFAULT_GOAL := help
.PHONY: help install run serve test lint fmt migrate migration bench worker contract

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(UV):
	python3 -m venv .uv
	.uv/bin/pip install --quiet uv==$(UV_VERSION)

$(BIN)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	touch $@

install: $(BIN)/.installed ## install the locked dependencies into .venv

run: install ## migrate, seed the demo once, serve on http://127.0.0.1:8000 (SQLite)
	$(BIN)/chibo migrate
	$(BIN)/chibo seed-demo
	$(BIN)/chibo serve

test: install lint ## lint, then the whole suite (PostgreSQL too when CHIBO_TEST_POSTGRES_URL is set)
	$(BIN)/pytest -n $(TEST_WORKERS)

contract: install ## the API contract alone: OpenAPI validity, client generation, titles, schemathesis (also in `test`)
	$(BIN)/pytest tests/api/test_openapi_document.py tests/unit/test_error_titles.py tests/api/test_reply_envelope.py tests/api/test_schemathesis.py

lint: install ## ruff, mypy --strict and the import layers (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

fmt: install ## format and autofix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: install ## apply pending migrations
	$(BIN)/chibo migrate

migration: install ## new auto migration from db/tables.py
	$(BIN)/piccolo migrations new chibo --auto

worker: install ## the scheduler and push dispatcher (PostgreSQL: run beside `chibo serve`)
	$(BIN)/chibo worker

bench: install ## load benchmarks (see bench/README.md); prints numbers
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench.run
