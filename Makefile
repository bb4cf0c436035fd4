# The two commands of the README: `make run` and `make test`. Everything they need is
# installed here, into .venv (Python) and from Debian's packages (Chromium, CJK fonts).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export PORT

.PHONY: run test setup install install-test browser redis lint assets translations

STATIC_BUILD := webui/static/build

run: install setup
	$(BIN)/diagflow serve --port $(PORT)

test: install-test assets translations browser redis
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

setup: install
	$(BIN)/diagflow setup --demo

install: $(VENV)/.installed assets translations

# Front-end packages from the npm registry (package-lock.json pins them), copied into static files.
assets: $(STATIC_BUILD)/.built $(STATIC_BUILD)/modeler.js

$(STATIC_BUILD)/.built: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the diagram viewer (Debian: apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(STATIC_BUILD) && mkdir -p $(STATIC_BUILD)
	cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js $(STATIC_BUILD)/
	cp -r node_modules/bpmn-js/dist/assets/* $(STATIC_BUILD)/
	cp node_modules/echarts/dist/echarts.min.js $(STATIC_BUILD)/
	touch $@

# The browser modeler: webui/frontend/modeler/ bundled by esbuild (package.json "build:modeler").
$(STATIC_BUILD)/modeler.js: $(STATIC_BUILD)/.built $(wildcard webui/frontend/modeler/*)
	npm run --silent build:modeler

# The English catalogue (webui/translations/en/LC_MESSAGES/messages.po, committed) compiled to its
# .mo (git-ignored). After changing texts: `$(BIN)/pybabel extract -F babel.cfg --no-location
# --sort-output -o messages.pot . && $(BIN)/pybabel update -i messages.pot -d webui/translations -D messages
# -N --ignore-obsolete --no-wrap`, translate every new entry, then delete messages.pot.
# The process content (forms, instructions) has a catalogue of its own, processes.po (domain
# "processes", webui/process_text.py): `$(BIN)/pybabel extract -F babel-processes.cfg --no-location
# --sort-output -o processes.pot . && $(BIN)/pybabel update -D processes -i processes.pot
# -d webui/translations -N --ignore-obsolete --no-wrap`, translate, then delete processes.pot.
TRANSLATIONS := $(patsubst %.po,%.mo,$(wildcard webui/translations/*/LC_MESSAGES/*.po))

translations: $(TRANSLATIONS)

webui/translations/%.mo: webui/translations/%.po $(VENV)/.installed
	$(BIN)/pybabel compile -i $< -o $@

install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Debian's Chromium for browser tests, and CJK fonts (without them Chinese renders as boxes).
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium fonts-noto-cjk; \
	fi

# The distributed tests start their own redis-server (Debian's package) so they can stop it.
redis:
	@if ! command -v redis-server >/dev/null; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && $$SUDO apt-get install -y -q redis-server; \
	fi

lint: install-test
	$(BIN)/ruff check .
