# 退管通 — the two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test bench lint sysdeps screenshots clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Start the program on its own demo database (made on first run; your data is never touched).
run: $(STAMP)
	$(PY) -m app --demo

## Set up and run the whole test suite offscreen.
test: $(STAMP) sysdeps
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

## Benchmarks; figures go to bench/RESULTS.md.
bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

lint: $(STAMP)
	$(VENV)/bin/ruff check app tests bench

## Tools the tests use (poppler for PDFs, Xvfb for screenshots); installed when root on Debian.
sysdeps:
	@sh scripts/sysdeps.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
