# Hội trường số — `make run` starts the demo hall server, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
KIOSK  := $(shell find kiosk -type f 2>/dev/null)

.PHONY: setup run test test-fast messages clean
.DEFAULT_GOAL := run

setup: $(VENV)/.installed static/build/.built translations

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/build/.built: node_modules/.installed $(KIOSK)
	npm run --silent build
	@touch $@

translations: $(VENV)/.installed
	@$(BIN)/pybabel -q compile -d server/translations

ERROR_KEYWORDS := N_ HallError Invalid Unauthenticated Forbidden NotFound InvalidState Conflict RateLimited
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l $(addprefix -k ,$(ERROR_KEYWORDS)) -o server/translations/messages.pot .
	$(BIN)/pybabel update -i server/translations/messages.pot -d server/translations

run: setup
	$(BIN)/hoitruong db upgrade
	$(BIN)/hoitruong pki init >/dev/null
	$(BIN)/hoitruong seed-demo --if-empty
	$(BIN)/hoitruong serve

test: setup
	$(BIN)/pytest

test-fast: setup
	$(BIN)/pytest tests/unit tests/integration

clean:
	rm -rf $(VENV) node_modules static/build
