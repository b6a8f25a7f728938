# Shipping targets: container image, local compose stack, offline validation of every deployment
# file. Included by the Makefile (`include deploy.mk`); works alone too: `make -f deploy.mk lint-deploy`.
# Variables are DEPLOY_-prefixed so they cannot collide with the Makefile's.

# Alone, `make -f deploy.mk` validates; included, the Makefile's own default goal stays.
ifeq ($(.DEFAULT_GOAL),)
.DEFAULT_GOAL := lint-deploy
endif

# The validators (pinned in deploy/requirements-lint.txt) live in a venv under target/.
DEPLOY_TOOLS ?= target/deploy-tools
DEPLOY_PYTHON ?= python3
# Manifests are validated against this Kubernetes version's schemas (strict). Keep it at the EKS
# cluster's version; kubernetes-validate 1.37.0 knows 1.25 to 1.37.
DEPLOY_K8S_VERSION ?= 1.34.0
DEPLOY_IMAGE ?= simplebank:local
DEPLOY_COMPOSE ?= docker compose

DEPLOY_VENV := $(DEPLOY_TOOLS)/venv
DEPLOY_BIN := $(DEPLOY_VENV)/bin
DEPLOY_REQUIREMENTS := deploy/requirements-lint.txt
DEPLOY_STAMP := $(DEPLOY_VENV)/.installed
DEPLOY_WORKFLOWS = $(wildcard .github/workflows/*.yml .github/workflows/*.yaml)
DEPLOY_MANIFESTS = $(wildcard eks/*.yaml)

.PHONY: lint-deploy deploy-tools image up down

# Bash with errexit/pipefail for these targets only, whatever the including Makefile uses.
lint-deploy deploy-tools image up down $(DEPLOY_STAMP): SHELL := /bin/bash
lint-deploy deploy-tools image up down $(DEPLOY_STAMP): .SHELLFLAGS := -eu -o pipefail -c

deploy-tools: $(DEPLOY_STAMP) ## Install the pinned deployment validators into target/deploy-tools

$(DEPLOY_STAMP): $(DEPLOY_REQUIREMENTS)
	@echo "installing the deployment validators into $(DEPLOY_VENV)"
	@rm -rf '$(DEPLOY_VENV)'
	@$(DEPLOY_PYTHON) -m venv '$(DEPLOY_VENV)' || { \
		echo "$(DEPLOY_PYTHON) -m venv failed: install python3-venv (apt-get install python3-venv)" >&2; exit 1; }
	@'$(DEPLOY_BIN)/pip' install --quiet --disable-pip-version-check --no-input \
		--require-virtualenv -r '$(DEPLOY_REQUIREMENTS)'
	@touch '$@'

lint-deploy: $(DEPLOY_STAMP) ## Validate Dockerfile, workflows, eks/ manifests, compose file, all YAML and the Grafana dashboard offline
	@echo "== hadolint $$('$(DEPLOY_BIN)/hadolint' --version | awk '{print $$NF}'): Dockerfile"
	@'$(DEPLOY_BIN)/hadolint' --no-color --config .hadolint.yaml Dockerfile
	@echo "== actionlint $$('$(DEPLOY_BIN)/actionlint' --version | sed -n 1p | awk '{print $$NF}') + shellcheck: $(DEPLOY_WORKFLOWS)"
	@'$(DEPLOY_BIN)/actionlint' -no-color -shellcheck '$(DEPLOY_BIN)/shellcheck' $(DEPLOY_WORKFLOWS)
	@'$(DEPLOY_BIN)/check-jsonschema' --builtin-schema vendor.github-workflows $(DEPLOY_WORKFLOWS)
	@echo "== kubernetes-validate $$('$(DEPLOY_BIN)/kubernetes-validate' --version), Kubernetes $(DEPLOY_K8S_VERSION) strict: eks/"
	@'$(DEPLOY_BIN)/python' deploy/validate-manifests.py --kubernetes-version '$(DEPLOY_K8S_VERSION)' \
		--schemas deploy/schemas $(DEPLOY_MANIFESTS)
	@echo "== compose specification: docker-compose.yml"
	@'$(DEPLOY_BIN)/check-jsonschema' --builtin-schema vendor.compose-spec docker-compose.yml
	@'$(DEPLOY_BIN)/docker-compose' --file docker-compose.yml config --quiet
	@echo "   $$('$(DEPLOY_BIN)/docker-compose' version) config: ok"
	@echo "== yamllint $$('$(DEPLOY_BIN)/yamllint' --version | awk '{print $$NF}'): every YAML file"
	@'$(DEPLOY_BIN)/yamllint' --strict --format parsable .
	@echo "== Grafana dashboards: valid JSON, every query names a metric the server exports"
	@for dashboard in deploy/grafana/*.json; do \
		'$(DEPLOY_BIN)/python' deploy/check-dashboard.py "$$dashboard" deploy/grafana/metric-names.txt; \
	done
	@echo "lint-deploy: all deployment files are valid"

image: ## Build the container image (simplebank:local) with Docker
	docker build --tag '$(DEPLOY_IMAGE)' .

up: ## Start PostgreSQL and the API with Docker Compose; returns once both are healthy
	$(DEPLOY_COMPOSE) up --build --detach --wait
	@echo "API: http://localhost:$${HTTP_PORT:-8080} (GET /healthz, /readyz, /metrics)  gRPC: localhost:$${GRPC_PORT:-9090}"

down: ## Stop the compose stack (the database volume stays; docker compose down --volumes drops it)
	$(DEPLOY_COMPOSE) down
