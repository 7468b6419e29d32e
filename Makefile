# Everything runs inside ./.venv, created by `make install`.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: install lint typecheck test bench demo demo-dashboards demo-dashboards-down pictures check clean

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

# A local OpenSearch 2.19 + Dashboards 2.19 (compose.yaml: security plugin disabled, ports on
# 127.0.0.1 only), then the demo indexed into it; open http://localhost:5601.
COMPOSE ?= docker compose
LOCAL_OPENSEARCH ?= http://localhost:9200
LOCAL_DASHBOARDS ?= http://localhost:5601

demo-dashboards: install
	$(COMPOSE) up --detach --wait --wait-timeout 300
	$(PY) -m lambdalogs demo --opensearch $(LOCAL_OPENSEARCH) --dashboards-url $(LOCAL_DASHBOARDS)
	@echo "Open $(LOCAL_DASHBOARDS)/app/dashboards#/view/lambda-logs-dashboard-overview"

demo-dashboards-down:
	$(COMPOSE) down --volumes

# The README's pictures (docs/images/*.png), drawn from the demo's report.
pictures: install
	$(PY) -m lambdalogs.report.pictures docs/images

check: lint typecheck test

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
