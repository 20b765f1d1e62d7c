# stressfem: `make demo` runs the shipped default case, `make test` runs the test suite.
# Both create or refresh the virtual environment first.
SHELL := /bin/sh
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.stressfem-installed
DEMO_CASE ?= cases/nmc811-llzo-cooldown-periodic
NP ?= 2
# MPI (the PyPI mpich in the venv) on a single machine; a cluster sets its own.
export UCX_TLS ?= self,sm,tcp
export OMP_NUM_THREADS ?= 1

.PHONY: venv demo test test-fast bench clean-venv help

help:
	@echo "make demo   - run the default case ($(DEMO_CASE))"
	@echo "make test   - run the whole test suite (serial and mpiexec -n 2)"
	@echo "make bench  - run the benchmarks (minutes)"

$(STAMP): pyproject.toml scripts/find-python
	@if [ -x "$(PY)" ] && ! "$(PY)" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
	    echo "removing $(VENV): it was made with a Python older than 3.12"; rm -rf "$(VENV)"; fi
	@if [ ! -x "$(PY)" ]; then \
	    py=$$(sh scripts/find-python) || exit 1; \
	    echo "creating $(VENV) with $$py"; "$$py" -m venv "$(VENV)" || exit 1; fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,plot]'
	@touch $(STAMP)

venv: $(STAMP)

demo: venv
	$(VENV)/bin/stressfem run $(DEMO_CASE)

test: venv
	$(PY) -m pytest -q -ra -n 2 --dist loadfile

bench: venv
	$(PY) benchmarks/run.py

clean-venv:
	rm -rf $(VENV)
