# Lake Labs: every target prepares the locked environment in .venv first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
UV_VERSION := 0.13.9
STAMP  := $(VENV)/.lakelab-installed

.PHONY: lab test install build bench serve clean

lab: install
	@$(VENV)/bin/lakelab lab

test: install
	@$(VENV)/bin/lakelab build --check
	@$(PY) -m pytest -n 2 --dist loadfile -p no:randomly tests solutions --nbval --nbval-sanitize-with tests/sanitize.cfg --nbval-cell-timeout 600

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	@$(UV) pip install --quiet --python $(PY) --require-hashes -r requirements.lock
	@$(UV) pip install --quiet --python $(PY) --no-deps -e .
	@touch $(STAMP)

lock:
	@$(UV) pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet -o requirements.lock

build: install
	@$(VENV)/bin/lakelab build

bench: install
	@$(PY) bench/run.py

clean:
	rm -rf $(VENV)
