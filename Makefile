# Everything runs inside ./.venv, created by `make install`.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: install lint typecheck test bench demo check clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: install
	$(PY) -m mypy .

test: install
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

bench: install
	$(PY) -m bench
	$(PY) -m bench.subscriber_calls

demo: install
	$(PY) -m lambdalogs demo

check: lint typecheck test

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
