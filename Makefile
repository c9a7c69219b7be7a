# affbill — the two commands of README.md are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never
UV ?= $(shell command -v uv 2>/dev/null || echo "$$(python3 -m site --user-base)/bin/uv")
PYTEST_ARGS ?=
LOCAL := deploy/local
ENV := eval "$$($(LOCAL)/env.sh)"

.PHONY: help setup infra demo test test-unit services stop status asyncapi openapi lint bench

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup:  ## install the Python workspace (uv, one lockfile)
	@command -v uv >/dev/null || [ -x "$(UV)" ] || python3 -m pip install --quiet --user uv
	@$(UV) sync --frozen --python python3 --quiet
	@$(LOCAL)/kafka.sh fetch

infra:  ## start Kafka and PostgreSQL on loopback (idempotent)
	@$(LOCAL)/up.sh

services: setup infra  ## start the five services and wait until all are ready
	@$(LOCAL)/services.sh start

demo: setup  ## fresh machine → the whole stack, a sync, a batch run, rendered invoices
	@$(MAKE) --no-print-directory services
	@.venv/bin/python deploy/local/demo.py

status:  ## show what runs
	@$(LOCAL)/kafka.sh status || true; $(LOCAL)/postgres.sh status || true; $(LOCAL)/services.sh status || true

stop:  ## stop services, Kafka and PostgreSQL (state stays in .state/)
	@$(LOCAL)/down.sh

test: setup infra  ## the whole suite: unit, integration (real Kafka + Postgres), e2e
	@$(ENV); set +e; .venv/bin/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing on purpose" >&2; exit 1; fi; exit $$rc

test-unit: setup  ## unit tests only (no infrastructure)
	@.venv/bin/python -m pytest tests/unit $(PYTEST_ARGS)

asyncapi: setup  ## write every service's AsyncAPI document to docs/asyncapi/
	@mkdir -p docs/asyncapi; for s in sync billing documents jobs gateway; do \
	  .venv/bin/faststream docs gen --factory --out docs/asyncapi/$$s.json affbill_$$s.entrypoints.asyncapi:asyncapi >/dev/null; \
	  echo "docs/asyncapi/$$s.json"; done

openapi: setup  ## write the services' operations the gateway forwards (its typed OpenAPI)
	@.venv/bin/python -m tools.upstream_openapi

lint: setup  ## ruff, and the layering contracts of .importlinter (import-linter)
	@.venv/bin/ruff check libs services tests bench tools
	@.venv/bin/lint-imports --no-cache
