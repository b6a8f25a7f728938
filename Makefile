# Simple Bank. `make help` lists the targets.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The bank's database (the course's DB_SOURCE). The migrate targets pass it as DB_SOURCE.
DB_URL ?= postgresql://root:secret@localhost:5432/simple_bank
# A server for `cornucopia fresh`, without a database name: cornucopia creates and drops a
# temporary database there. The user needs a database of its own name (`postgres` has one).
PG_SERVER_URL ?= postgresql://postgres@127.0.0.1:5432
# The host port of the postgres16 container (`make postgres`).
POSTGRES_PORT ?= 5432
# The pinned query generator. Changing it means regenerating and committing codegen/.
CORNUCOPIA_VERSION := 1.0.1

# Migrations in order (six-digit versions sort lexically).
SCHEMA_UP = $(sort $(wildcard schema/*.up.sql))
# DB_URL's database name, and DB_URL pointed at the server's `postgres` database instead.
DB_NAME = $(shell sed -E 's#^[^/]*//[^/]*/([^?]*).*#\1#' <<< '$(DB_URL)')
DB_ADMIN_URL = $(shell sed -E 's#^([^/]*//[^/]*)/[^?]*#\1/postgres#' <<< '$(DB_URL)')
SIMPLEBANK = DB_SOURCE='$(DB_URL)' cargo run -q --locked --bin simplebank --

.PHONY: help server postgres createdb dropdb migrateup migrateup1 migratedown migratedown1 \
	migratestatus new_migration codegen codegen-check cornucopia-version test fmt fmt-check \
	lint check install-tools openapi openapi-check proto evans bench bench-hot-row bench-scale-out metric-names db-locks

help: ## List the targets
	@grep -hE '^[a-z0-9_-]+:.*## ' $(MAKEFILE_LIST) \
		| awk -F':.*## ' '{ printf "  make %-16s %s\n", $$1, $$2 }'

server: ## Build in release mode and serve against DB_SOURCE (starts PostgreSQL first if it can)
	tools/ensure-postgres.sh
	cargo run --release --locked --bin simplebank -- serve

postgres: ## Start PostgreSQL 16 in Docker as the course does (container postgres16, root/secret, POSTGRES_PORT)
	docker run --name postgres16 -p $(POSTGRES_PORT):5432 -e POSTGRES_USER=root -e POSTGRES_PASSWORD=secret \
		-d postgres:16-alpine

createdb: ## Create DB_URL's database (psql, else `docker exec postgres16`)
	@if command -v psql >/dev/null; then \
		psql '$(DB_ADMIN_URL)' -v ON_ERROR_STOP=1 -qc 'CREATE DATABASE "$(DB_NAME)"'; \
	else \
		docker exec postgres16 createdb --username=root --owner=root '$(DB_NAME)'; \
	fi
	@echo 'created database $(DB_NAME)'

dropdb: ## Drop DB_URL's database (psql, else `docker exec postgres16`)
	@if command -v psql >/dev/null; then \
		psql '$(DB_ADMIN_URL)' -v ON_ERROR_STOP=1 -qc 'DROP DATABASE "$(DB_NAME)"'; \
	else \
		docker exec postgres16 dropdb --username=root '$(DB_NAME)'; \
	fi
	@echo 'dropped database $(DB_NAME)'

migrateup: ## Apply every pending migration to DB_URL (creates the database if missing)
	@$(SIMPLEBANK) migrate up

migrateup1: ## Apply the next migration
	@$(SIMPLEBANK) migrate up 1

migratedown: ## Revert every applied migration
	@$(SIMPLEBANK) migrate down

migratedown1: ## Revert the last applied migration
	@$(SIMPLEBANK) migrate down 1

migratestatus: ## Show the applied version and the pending migrations
	@$(SIMPLEBANK) migrate status

new_migration: ## Create schema/NNNNNN_<name>.{up,down}.sql with the next version: make new_migration name=add_x
	@if [[ ! '$(name)' =~ ^[a-z0-9_]+$$ ]]; then \
		echo 'usage: make new_migration name=add_something (lower case, digits, _)' >&2; exit 1; \
	fi
	@last=$$(ls schema | sed -nE 's/^([0-9]{6})_.*\.up\.sql$$/\1/p' | sort | tail -n 1); \
	next=$$(printf '%06d' $$((10#$${last:-0} + 1))); \
	touch "schema/$${next}_$(name).up.sql" "schema/$${next}_$(name).down.sql"; \
	echo "created schema/$${next}_$(name).up.sql and schema/$${next}_$(name).down.sql"

cornucopia-version:
	@if [[ "$$(cornucopia --version 2>/dev/null)" != 'cornucopia $(CORNUCOPIA_VERSION)' ]]; then \
		echo 'cornucopia $(CORNUCOPIA_VERSION) is required (found: '"$$(cornucopia --version 2>/dev/null || echo none)"'): run make install-tools' >&2; \
		exit 1; \
	fi

codegen: cornucopia-version ## Regenerate codegen/ from schema/ and queries/ (then commit codegen/)
	cornucopia fresh $(SCHEMA_UP) --url '$(PG_SERVER_URL)'

codegen-check: cornucopia-version ## Fail if codegen/ differs from what queries/ and schema/ generate
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	cornucopia fresh $(SCHEMA_UP) --url '$(PG_SERVER_URL)' --destination "$$tmp/codegen"; \
	if ! diff -ru codegen "$$tmp/codegen"; then \
		echo 'codegen/ is out of date: run make codegen' >&2; exit 1; \
	fi; \
	echo 'codegen/ is up to date'

# The one test command. First a PostgreSQL must answer on TEST_DATABASE_URL's address (else
# 127.0.0.1:5432): tools/ensure-postgres.sh starts the postgres16 container or a stopped local
# cluster when nothing does, or stops saying what to install. Without TEST_DATABASE_URL the
# tests use that server as `postgres` without a password, else as DB_URL's user.
test: ## Run every test (starts PostgreSQL via Docker or a local cluster when none answers)
	@tools/ensure-postgres.sh "$${TEST_DATABASE_URL:-postgresql://127.0.0.1:5432}"
	@tools/ensure-postgres.test.sh
	@if [[ -z "$${TEST_DATABASE_URL:-}" ]] && pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		url=postgresql://postgres@127.0.0.1:5432/postgres; \
		if command -v psql >/dev/null && ! psql -w "$$url" -Atqc 'SELECT 1' >/dev/null 2>&1 \
			&& psql -w '$(DB_ADMIN_URL)' -Atqc 'SELECT 1' >/dev/null 2>&1; then \
			url='$(DB_ADMIN_URL)'; \
		fi; \
		export TEST_DATABASE_URL="$$url"; \
	fi; \
	echo "TEST_DATABASE_URL=$${TEST_DATABASE_URL:-(unset: the harness tries Docker)}" \
		| sed -E 's#//([^:/@]*):[^@]*@#//\1:***@#'; \
	log=$$(mktemp); trap 'rm -f "$$log"' EXIT; \
	status=0; cargo test --workspace --locked 2>&1 | tee "$$log" || status=$$?; \
	awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($$(i+1) ~ /^passed/) p += $$i; \
		if ($$(i+1) ~ /^failed/) f += $$i; if ($$(i+1) ~ /^ignored/) g += $$i } } \
		END { printf "\nTests: %d passed, %d failed, %d skipped\n", p, f, g }' "$$log"; \
	exit $$status

# cornucopia's output is already rustfmt-clean, so formatting the workspace leaves codegen/ as is.
fmt: ## Format every workspace crate
	cargo fmt --all

fmt-check: ## Fail if any workspace crate is not formatted
	cargo fmt --all -- --check

lint: ## Clippy on every target, warnings are errors
	cargo clippy --workspace --all-targets --locked -- -D warnings

check: fmt-check lint codegen-check openapi-check docs-check ## Every drift check, fmt-check and lint

openapi: ## Regenerate doc/openapi.json from the handlers (then commit it)
	cargo run -q --locked --bin simplebank -- openapi > doc/openapi.json

metric-names: ## Regenerate deploy/grafana/metric-names.txt, the metrics /metrics exports (then commit it)
	cargo run -q --locked --bin simplebank -- metric-names > deploy/grafana/metric-names.txt

db-locks: ## The lock monitor: blocked queries and what blocks them, in DB_URL's database
	@$(SIMPLEBANK) db locks

openapi-check: ## Fail if doc/openapi.json differs from what the handlers describe
	@tmp=$$(mktemp); trap 'rm -f "$$tmp"' EXIT; \
	cargo run -q --locked --bin simplebank -- openapi > "$$tmp"; \
	if ! diff -u doc/openapi.json "$$tmp"; then \
		echo 'doc/openapi.json is out of date: run make openapi' >&2; exit 1; \
	fi; \
	echo 'doc/openapi.json is up to date'

proto: ## Nothing to commit: build.rs compiles proto/ with protox (no protoc) on every build
	cargo build -q --locked --bin simplebank
	@echo 'proto/simple_bank.proto compiled into the binary (pb.SimpleBank, reflection descriptors)'

evans: ## Explore the gRPC API on localhost:9090 through reflection (needs evans installed)
	evans --host localhost --port 9090 -r repl

bench: ## Server vs pgbench ratios (GET, transfers), p50/p99, peak RSS, money check, growth table; memory under a sign-up/login burst; scale-out behind PgBouncer and haproxy
	bench/ratio.sh
	bench/memory.sh
	bench/scale_out.sh

bench-scale-out: ## Only the scale-out row: N = 1, 2, 4 servers behind haproxy and PgBouncer (transaction mode) vs one direct server
	bench/scale_out.sh

bench-hot-row: ## A row held 30 s under 40 transfers while other clients read and transfer (release build)
	bench/hot_row.sh

install-tools: ## Install the pinned cornucopia unless `cornucopia --version` already shows it
	@if [[ "$$(cornucopia --version 2>/dev/null)" == 'cornucopia $(CORNUCOPIA_VERSION)' ]]; then \
		echo 'cornucopia $(CORNUCOPIA_VERSION) is installed'; \
	else \
		cargo install --locked --force cornucopia --version $(CORNUCOPIA_VERSION); \
	fi

include docs.mk
include api.mk
include deploy.mk
