# Schema docs from doc/db.dbml (tools/dbdocs). The Makefile includes this file; it also works
# alone: `make -f docs.mk db_docs`.
#
#   db_docs          doc/db/index.html: tables, ER diagram, query catalogue (one static page)
#   db_schema        doc/schema.sql: the DDL doc/db.dbml describes, in dbml2sql --postgres order
#   db_drift         fail if doc/db.dbml differs from the schema the migrations build
#   docs-check       fail if the committed doc/db/index.html or doc/schema.sql are stale
#   docs-screenshot  headless Chromium: the filter works; target/docs-screenshot*.png
#   query-vet        plan every named query on a grown database; fail on full scans, unbounded sorts

# A PostgreSQL server where the user may CREATE DATABASE (the drift check makes a scratch one).
PG_SERVER_URL ?= postgresql://postgres@127.0.0.1:5432
DBDOCS ?= cargo run --quiet --locked -p simplebank-dbdocs --
DBDOCS_BROWSER_CHECK := tools/dbdocs/browser-check
DBDOCS_CHROMIUM ?= /usr/bin/chromium

.PHONY: db_docs db_schema db_drift docs-check docs-screenshot docs-browser-deps query-vet

db_docs: ## Render doc/db/index.html from doc/db.dbml and queries/
	$(DBDOCS) html --dbml doc/db.dbml --queries queries --out doc/db/index.html

db_schema: ## Write doc/schema.sql (the DDL doc/db.dbml describes)
	$(DBDOCS) sql --dbml doc/db.dbml --out doc/schema.sql

# The URL gets the server's `postgres` database when it names none.
db_drift: ## Fail if doc/db.dbml differs from what the migrations build (on PG_SERVER_URL)
	@url=$$(printf '%s' '$(PG_SERVER_URL)' | sed -E 's#^([a-z]+://[^/?]*)(\?.*)?$$#\1/postgres\2#'); \
	$(DBDOCS) drift --dbml doc/db.dbml --server-url "$$url"

docs-check: ## Fail if doc/db/index.html or doc/schema.sql differ from what doc/db.dbml generates
	$(DBDOCS) check --dbml doc/db.dbml --queries queries --html doc/db/index.html --sql doc/schema.sql

docs-screenshot: docs-browser-deps ## Check the docs page in headless Chromium; screenshots in target/
	CHROMIUM='$(DBDOCS_CHROMIUM)' node $(DBDOCS_BROWSER_CHECK)/check.mjs doc/db/index.html target

# Debian's chromium and the pinned playwright-core (package-lock.json), each installed when missing.
docs-browser-deps:
	@if [ ! -x '$(DBDOCS_CHROMIUM)' ]; then \
		if [ "$$(id -u)" != 0 ]; then \
			echo '$(DBDOCS_CHROMIUM) is missing: apt-get install chromium (as root)' >&2; exit 1; \
		fi; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	fi
	@if ! command -v npm >/dev/null; then \
		echo 'node and npm are needed for the browser check (apt-get install nodejs npm)' >&2; exit 1; \
	fi
	@if [ ! -d $(DBDOCS_BROWSER_CHECK)/node_modules/playwright-core ]; then \
		npm ci --prefix $(DBDOCS_BROWSER_CHECK) --no-audit --no-fund; \
	fi

# The URL gets the server's `postgres` database when it names none.
query-vet: ## Plan every query on a grown scratch database; fail on full scans / unbounded sorts; write doc/query-plans.tsv (then make db_docs)
	@url=$$(printf '%s' '$(PG_SERVER_URL)' | sed -E 's#^([a-z]+://[^/?]*)(\?.*)?$$#\1/postgres\2#'); \
	$(DBDOCS) vet --queries queries --server-url "$$url" --plans-out doc/query-plans.tsv
