# The OpenAPI contract, checked by machines (tools/api-contract). The Makefile includes this file.
#
#   api-fuzz      schemathesis against a release server on a fresh database: every operation,
#                 every check, positive and negative data, the stateful phase through the links
#   client-check  generate a typed Python client from doc/openapi.json (under target/, never
#                 committed) and run the README walkthrough through it against a release server
#
# Both install the pinned tools (tools/api-contract/requirements.txt) into target/venv-api, and
# create and drop a uniquely named database on PG_SERVER_URL (the user may CREATE DATABASE).

PG_SERVER_URL ?= postgresql://postgres@127.0.0.1:5432
API_PYTHON ?= python3
API_VENV := target/venv-api
API_REQUIREMENTS := tools/api-contract/requirements.txt
API_STAMP := $(API_VENV)/.installed
API_CLIENT_DIR := target/api-client
# Bounds of the fuzz run (≤ 5 min on a 2-core machine). API_FUZZ_SEED=N replays a run.
API_FUZZ_MAX_EXAMPLES ?= 40
API_FUZZ_MAX_TIME ?= 200
API_FUZZ_SEED ?=

.PHONY: api-tools api-fuzz client-check api-release

api-fuzz client-check api-tools api-release $(API_STAMP): SHELL := /bin/bash
api-fuzz client-check api-tools api-release $(API_STAMP): .SHELLFLAGS := -eu -o pipefail -c

api-tools: $(API_STAMP) ## Install the pinned schemathesis and openapi-python-client into target/venv-api

$(API_STAMP): $(API_REQUIREMENTS)
	@echo "installing the contract tools into $(API_VENV)"
	@rm -rf '$(API_VENV)'
	@$(API_PYTHON) -m venv '$(API_VENV)' || { \
		echo "$(API_PYTHON) -m venv failed: install python3-venv (apt-get install python3-venv)" >&2; exit 1; }
	@'$(API_VENV)/bin/pip' install --quiet --disable-pip-version-check --no-input \
		--require-virtualenv -r '$(API_REQUIREMENTS)'
	@touch '$@'

api-release:
	cargo build --release --locked --bin simplebank

api-fuzz: $(API_STAMP) api-release ## Fuzz the API from doc/openapi.json with schemathesis (release server, fresh database)
	@'$(API_VENV)/bin/python' tools/api-contract/fuzz.py --venv '$(API_VENV)' --pg-server '$(PG_SERVER_URL)' \
		--max-examples '$(API_FUZZ_MAX_EXAMPLES)' --max-time '$(API_FUZZ_MAX_TIME)' \
		$(if $(API_FUZZ_SEED),--seed '$(API_FUZZ_SEED)')

client-check: $(API_STAMP) api-release ## Generate a Python client from doc/openapi.json and run the README walkthrough through it
	@rm -rf '$(API_CLIENT_DIR)' && mkdir -p '$(API_CLIENT_DIR)'
	@PATH='$(CURDIR)/$(API_VENV)/bin':"$$PATH" '$(API_VENV)/bin/openapi-python-client' generate --path doc/openapi.json --meta none \
		--output-path '$(API_CLIENT_DIR)/simple_bank_client' --config tools/api-contract/client.yaml
	@'$(API_VENV)/bin/python' tools/api-contract/walkthrough.py --client-dir '$(API_CLIENT_DIR)' \
		--pg-server '$(PG_SERVER_URL)'
