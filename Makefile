# The book's commands. Each works on a fresh clone with Python 3.11, Graphviz, Node.js with npm
# (the live pages' browser runtime) and (for tests) Chromium. `make` alone prints this list.
#   make book        build the book strictly into _build/html (creates .venv the first time)
#   make serve       serve the built site on http://127.0.0.1:8000 (live cells need it, not file://);
#                    another port: make serve PORT=8001
#   make lab         open the chapters as notebooks in JupyterLab (jupytext reads the .md files)
#   make test        every test (the README's command): the package, a clean strict build, a cached
#                    rebuild, the site and its live pages in Chromium, the link check, the workflows
#   make test-fast   the package and repository-file tests only (tests/package/: no build, no
#                    browser; seconds, not minutes)
#   make bench       the package's benchmark (bench-live: the live pages' speed in Chromium)
#   make clean       remove the built site, the execution cache and test artifacts
#   make help        this list

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
JB     := $(VENV)/bin/jupyter-book
PORT   ?= 8000
CHROMIUM ?= /usr/bin/chromium
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-k browser"`. `make test` ends with its 15
# slowest tests (where the time goes).
PYTEST_ARGS ?=
# On Linux, PyPI's PyTorch wheel is the CUDA build, which pulls in about 19 nvidia/cuda/triton
# wheels (gigabytes) for a book that runs on the CPU. PyTorch's own index has the CPU-only build
# (torch==2.13.0+cpu, about 190 MB); Binder and the Pages workflow use it too. So on Linux the
# pinned torch is installed from there first (alone: --no-deps), then everything else from PyPI,
# where the installed torch already satisfies the pin. `make book TORCH_INDEX=` uses PyPI alone.
TORCH_INDEX ?= $(if $(filter Linux,$(shell uname -s)),https://download.pytorch.org/whl/cpu)
TORCH_PIN := $(shell grep -E '^torch==' requirements.txt | cut -d' ' -f1)

.DEFAULT_GOAL := help
.PHONY: help book test test-fast serve bench bench-live clean check-dot check-chromium check-npm

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

# The virtual environment, (re)installed when a requirements file changes. The stamp files
# record which set is installed: the book's (requirements.txt) or the book's plus the tests'.
define install
	@test -x $(PY) || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(if $(TORCH_INDEX),$(PY) -m pip install --quiet --no-deps --index-url $(TORCH_INDEX) "$(TORCH_PIN)")
	$(PY) -m pip install --quiet -r $(1)
endef

$(VENV)/.book-installed: requirements.txt pyproject.toml
	$(call install,requirements.txt)
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt pyproject.toml
	$(call install,requirements-dev.txt)
	@touch $@ $(VENV)/.book-installed

# The live pages' browser runtime (Pyodide, Graphviz in WebAssembly, CodeMirror, esbuild), installed
# from package-lock.json by `npm ci` when the lock file changes; the build copies what the site needs.
node_modules/.npm-installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

check-npm:
	@command -v npm >/dev/null 2>&1 || { \
	  echo "npm is missing: the live pages' runtime (Pyodide, CodeMirror) comes from npm."; \
	  echo "Install it with:  sudo apt-get install -y nodejs npm   (macOS: brew install node)"; \
	  exit 1; }

check-dot:
	@command -v dot >/dev/null 2>&1 || { \
	  echo "Graphviz is missing: the book draws its graphs with the 'dot' program."; \
	  echo "Install it with:  sudo apt-get install -y graphviz   (macOS: brew install graphviz)"; \
	  exit 1; }

check-chromium:
	@test -x $(CHROMIUM) || { \
	  echo "Chromium is missing: the browser tests drive $(CHROMIUM) (Playwright with the system browser)."; \
	  echo "Install it with:  sudo apt-get install -y chromium   (or run with CHROMIUM=/path/to/chromium)"; \
	  exit 1; }

book: check-dot check-npm $(VENV)/.book-installed node_modules/.npm-installed
	$(JB) build . --all -W -n --keep-going
	@echo "Open _build/html/index.html in a browser (or run: make serve)."

test: check-dot check-npm check-chromium $(VENV)/.dev-installed node_modules/.npm-installed
	CHROMIUM=$(CHROMIUM) $(PY) -m pytest --durations=15 $(PYTEST_ARGS)

test-fast: $(VENV)/.dev-installed
	$(PY) -m pytest tests/package $(PYTEST_ARGS)

# JupyterLab and jupytext come from requirements-dev.txt. jupytext-config makes JupyterLab open
# the chapters' MyST Markdown as notebooks; the settings live in the venv, not in your home.
# Autosave is off there: JupyterLab marks a chapter changed as soon as its kernel starts (the
# kernel's language_info and kernelspec enter the notebook's metadata), and an autosave would
# rewrite the .md in jupytext's own layout, with no edit of yours. Save (Ctrl+S) when you mean it.
# JupyterLab serves the whole repository (micrograd/ too) and opens the first chapter. As root
# (Docker, dev containers) it refuses to start without --allow-root, so root gets the flag.
# Further JupyterLab arguments: `make lab LAB_ARGS="--port=8890 --no-browser"`.
LAB_SETTINGS := $(VENV)/etc/jupyter/labconfig/default_setting_overrides.json
LAB_ARGS ?=
.PHONY: lab
lab: $(VENV)/.dev-installed
	$(VENV)/bin/jupytext-config --settings-file $(LAB_SETTINGS) set-default-viewer markdown myst
	$(PY) -c 'import json, sys; path = sys.argv[1]; s = json.load(open(path)); \
	  s["@jupyterlab/docmanager-extension:plugin"]["autosave"] = False; \
	  json.dump(s, open(path, "w"), indent=2)' $(LAB_SETTINGS)
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) --ServerApp.root_dir=. \
	  book/intro.md $(LAB_ARGS)

serve:
	@test -f _build/html/index.html || { echo "No built site yet: run 'make book' first."; exit 1; }
	@$(PYTHON) -c 'import socket; s = socket.socket(); \
	  s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", $(PORT)))' \
	  2>/dev/null || { echo "Port $(PORT) is in use (another make serve?): stop that server, or pick" \
	  "another port: make serve PORT=8001"; exit 1; }
	@echo "Serving _build/html on http://127.0.0.1:$(PORT) (Ctrl-C to stop)"
	$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

bench: $(VENV)/.book-installed
	$(PY) benchmarks/bench_step.py

# The live pages' speed in headless Chromium (needs a built site: make book).
bench-live: $(VENV)/.dev-installed
	CHROMIUM=$(CHROMIUM) $(PY) benchmarks/bench_live.py

clean:
	rm -rf _build test-artifacts .pytest_cache
