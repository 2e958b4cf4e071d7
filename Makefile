# speechbook: `make book` builds the site into _build/html, `make test` runs every test,
# `make bench` prints build times and memory. Each sets up its own virtual environment first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
VENDOR := _vendor

# Real recordings: ../shared/datasets when it is there (as in CI); otherwise the chapters fall back
# to the project's synthetic corpus and say so. `make book SPEECHBOOK_DOWNLOAD=1` fetches the originals.
SPEECHBOOK_DATA     ?= $(if $(wildcard ../shared/datasets),$(abspath ../shared/datasets),)
SPEECHBOOK_DOWNLOAD ?= 0
export SPEECHBOOK_DATA SPEECHBOOK_DOWNLOAD
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0

.PHONY: book test bench env clean

book: env vendor
	$(BIN)/python -m speechbook.build

test: env vendor
	$(BIN)/pytest

bench: env vendor
	$(BIN)/python -m speechbook.bench

env: $(BIN)/.installed

$(BIN)/.installed: requirements.txt requirements-test.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt -r requirements-test.txt -e .
	touch $@

# The widget embed manager and require.js, served from the site itself (no CDN), from npm tarballs.
vendor: $(VENDOR)/.done

$(VENDOR)/.done:
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/npm
	cd $(VENDOR)/npm && npm pack --silent @jupyter-widgets/html-manager@1.0.6 requirejs@2.3.7 >/dev/null
	tar -xzf $(VENDOR)/npm/jupyter-widgets-html-manager-1.0.6.tgz -C $(VENDOR)/npm
	mkdir -p $(VENDOR)/html-manager
	cd $(VENDOR)/npm/package/dist && cp embed-amd.js *.embed.js *.woff* *.ttf *.eot *.svg ../../../html-manager/
	tar -xzf $(VENDOR)/npm/requirejs-2.3.7.tgz -C $(VENDOR)/npm package/require.js
	cp $(VENDOR)/npm/package/require.js $(VENDOR)/require.js
	rm -rf $(VENDOR)/npm
	touch $@

clean:
	rm -rf _build
