# The book's commands. Each works on a fresh clone with Python 3.11, Graphviz and (for tests) Chromium.
#   make book    build the book strictly into _build/html (creates .venv the first time)
#   make test    every test: the package, a clean strict build, a cached rebuild, the site in Chromium,
#                the link check and the workflow validation
#   make serve   serve the built site on http://127.0.0.1:8000
#   make bench   the package's benchmark
#   make clean   remove the built site, the execution cache and test artifacts
#   make lab     open the chapters as notebooks in JupyterLab (jupytext reads the .md files)

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
JB     := $(VENV)/bin/jupyter-book
PORT   ?= 8000
CHROMIUM ?= /usr/bin/chromium
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-k browser"`.
PYTEST_ARGS ?=

.PHONY: book test serve bench clean check-dot check-chromium

# The virtual environment, (re)installed when a requirements file changes. The stamp files
# record which set is installed: the book's (requirements.txt) or the book's plus the tests'.
$(VENV)/.book-installed: requirements.txt pyproject.toml
	@test -x $(PY) || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(PY) || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.book-installed

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

book: check-dot $(VENV)/.book-installed
	$(JB) build . --all -W -n --keep-going
	@echo "Open _build/html/index.html in a browser (or run: make serve)."

test: check-dot check-chromium $(VENV)/.dev-installed
	CHROMIUM=$(CHROMIUM) $(PY) -m pytest $(PYTEST_ARGS)

# JupyterLab and jupytext come from requirements-dev.txt. jupytext-config makes JupyterLab open
# the chapters' MyST Markdown as notebooks; the setting lives in the venv, not in your home.
LAB_SETTINGS := $(VENV)/etc/jupyter/labconfig/default_setting_overrides.json
.PHONY: lab
lab: $(VENV)/.dev-installed
	$(VENV)/bin/jupytext-config --settings-file $(LAB_SETTINGS) set-default-viewer markdown myst
	$(VENV)/bin/jupyter lab book/intro.md

serve:
	@test -f _build/html/index.html || { echo "No built site yet: run 'make book' first."; exit 1; }
	@echo "Serving _build/html on http://127.0.0.1:$(PORT) (Ctrl-C to stop)"
	$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

bench: $(VENV)/.book-installed
	$(PY) benchmarks/bench_step.py

clean:
	rm -rf _build test-artifacts .pytest_cache
