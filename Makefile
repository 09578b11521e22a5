# The README's two commands:  `make run` (set up, build seeds/ into out/)  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed

.PHONY: run test setup system-deps lint eval bench bench-scale clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(VENV)/bin/kg build seeds/ --out out/

# Debian packages the browser tests need (headless Chromium, CJK fonts). Needs root or sudo.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto.*cjk" \
	    || ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk maven openjdk-17-jdk-headless; \
	fi

test: setup system-deps
	$(VENV)/bin/ruff check kg tests bench
	$(VENV)/bin/pytest -q -ra

lint: setup
	$(VENV)/bin/ruff check kg tests bench

eval: setup
	$(VENV)/bin/kg eval --gold tests/data/gold

bench: setup system-deps
	for b in bench/ner_f1.py bench/html_render.py bench/neo4j_load.py bench/neo4j_sync.py; do $(PY) $$b || exit 1; done
	$(PY) bench/big_input.py --mb 5  # --mb 50 for the issue's figure (minutes)

# chars/s and peak RSS for 1 and 2 workers and Spark local[2] on 3,148 articles (needs ../shared; ~30 min)
bench-scale: setup system-deps
	$(PY) bench/scale.py

clean:
	rm -rf out .pytest_cache
