# speechbook: `make book` builds the site into _build/html, `make test` runs every test,
# `make bench` prints build times and memory. Each sets up its own virtual environment first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
VENDOR := _vendor

# Real recordings: ../shared/datasets when it is there (as in CI; `make book SPEECHBOOK_DATA=DIR`
# reads another folder); otherwise the chapters fall back to the project's synthetic corpus and say
# so. `make book SPEECHBOOK_DOWNLOAD=1` fetches the originals.
SPEECHBOOK_DOWNLOAD ?= 0
export SPEECHBOOK_DOWNLOAD
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0

.PHONY: book test bench env lock clean

book: env vendor
	$(BIN)/python -m speechbook.build

test: env vendor
	$(BIN)/pytest

bench: env vendor
	$(BIN)/python -m speechbook.bench

env: $(BIN)/.installed

$(BIN)/.installed: requirements.txt requirements-test.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt -r requirements-test.txt
	touch $@

# constraints.txt (which requirements.txt names) pins every package the two files pull in, so that a new release
# of an indirect dependency cannot change the book. After changing a pin, `make lock` resolves them all afresh.
LOCK := _lock
lock:
	rm -rf $(LOCK) && $(PYTHON) -m venv $(LOCK)
	$(LOCK)/bin/pip install -q --upgrade pip
	sed '/^-c /d' requirements.txt | $(LOCK)/bin/pip install -q -r /dev/stdin -r requirements-test.txt
	{ sed -n '/^#/p' constraints.txt; $(LOCK)/bin/pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt && rm -rf $(LOCK)

# Every script the site needs, served from the site itself (no CDN), from npm tarballs (no dependencies):
# the widget embed manager, require.js, jQuery, reveal.js for the slide decks, MathJax 3.
NPM_PACKAGES := @jupyter-widgets/html-manager@1.0.6 requirejs@2.3.7 jquery@3.7.1 reveal.js@4.6.1 mathjax@3.2.2
vendor: $(VENDOR)/.done

$(VENDOR)/.done: Makefile
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/npm $(VENDOR)/@jupyter-widgets/html-manager/dist $(VENDOR)/reveal.js $(VENDOR)/mathjax
	cd $(VENDOR)/npm && npm pack --silent $(NPM_PACKAGES) >/dev/null && for t in *.tgz; do mkdir $${t%.tgz} && tar -xzf $$t -C $${t%.tgz}; done
	cd $(VENDOR)/npm/jupyter-widgets-html-manager-1.0.6/package/dist && cp embed-amd.js *.embed.js *.woff* *.ttf *.eot *.svg ../../../../@jupyter-widgets/html-manager/dist/
	# the embed manager resolves its fonts against either of two module paths, depending on load order
	cd $(VENDOR)/npm/jupyter-widgets-html-manager-1.0.6/package/dist && cp *.woff* *.ttf *.eot *.svg ../../../../@jupyter-widgets/
	cp $(VENDOR)/npm/requirejs-2.3.7/package/require.js $(VENDOR)/npm/jquery-3.7.1/package/dist/jquery.min.js $(VENDOR)/
	cp -r $(VENDOR)/npm/reveal.js-4.6.1/package/dist $(VENDOR)/npm/reveal.js-4.6.1/package/plugin $(VENDOR)/reveal.js/
	mkdir -p $(VENDOR)/mathjax/output/chtml/fonts
	cp $(VENDOR)/npm/mathjax-3.2.2/package/es5/tex-chtml.js $(VENDOR)/mathjax/
	cp -r $(VENDOR)/npm/mathjax-3.2.2/package/es5/output/chtml/fonts/woff-v2 $(VENDOR)/mathjax/output/chtml/fonts/
	rm -rf $(VENDOR)/npm
	touch $@

clean:
	rm -rf _build
