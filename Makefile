# Lake Labs: every target prepares the locked environment in .venv first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
UV_VERSION := 0.13.9
STAMP  := $(VENV)/.lakelab-installed

.PHONY: lab test test-twice install build bench serve clean localstack localstack-up localstack-lock site plans

lab: install
	@$(VENV)/bin/lakelab lab

# Four workers on two cores: the labs spend most of their time waiting (buffers, schedulers, databases), so two
# workers left the cores half idle (CPU 47% of wall time); four take 0.67x the time on the 2-core CI machine.
test: install localstack
	@$(VENV)/bin/lakelab build --check
	@$(PY) -m pytest -n 4 --dist loadfile --durations=30 -p no:randomly tests solutions --nbval --nbval-sanitize-with tests/sanitize.cfg --nbval-cell-timeout 600

# Every ready lab's solution run again over its first run's state (the suite does it for the quick ones only).
test-twice: install
	@LAKELAB_RUN_TWICE=all $(PY) -m pytest -p no:randomly tests/weeks -k "solution_runs_again or solution_runs_without"

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	@$(UV) pip install --quiet --python $(PY) --require-hashes -r requirements.lock
	@$(UV) pip install --quiet --python $(PY) --no-deps -e .
	@touch $(STAMP)

lock:
	@$(UV) pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet -o requirements.lock

# LocalStack without Docker, for the localstack target and its tests: its own virtualenv on Python 3.13
# (found on PATH or under pyenv; name another with PYTHON313=...). Without one, its tests skip.
# --no-config: the course's pyproject pins (Airflow's constraints) are not LocalStack's.
LOCALSTACK_VENV  := .localstack-venv
LOCALSTACK_STAMP := $(LOCALSTACK_VENV)/.lakelab-installed

localstack: install
	@if [ -f $(LOCALSTACK_STAMP) ] && [ ! requirements-localstack.lock -nt $(LOCALSTACK_STAMP) ]; then exit 0; fi; \
	python313="$(PYTHON313)"; [ -n "$$python313" ] || python313="$$($(PY) -m lakelab.targets.localstack_host python)"; \
	if [ -z "$$python313" ]; then echo "LocalStack not installed (its tests will skip): no Python 3.13 found; see the README's Targets section"; \
	else test -x $(LOCALSTACK_VENV)/bin/python || "$$python313" -m venv $(LOCALSTACK_VENV) && \
	  $(UV) pip install --no-config --quiet --python $(LOCALSTACK_VENV)/bin/python --require-hashes -r requirements-localstack.lock && \
	  touch $(LOCALSTACK_STAMP); fi

localstack-up: localstack
	@$(PY) -m lakelab.targets.localstack_host serve $(or $(LOCALSTACK_PORT),4566)

localstack-lock:
	@$(UV) pip compile --no-config requirements-localstack.in --python-version 3.13 --generate-hashes --quiet -o requirements-localstack.lock

build: install
	@$(VENV)/bin/lakelab build

bench: install
	@$(PY) bench/run.py

# lakelab plan for every lab whose kept plan (weeks/plans/) is missing or older than its solution's code.
plans: install
	@$(VENV)/bin/lakelab plan --week all

# The course site (readings, labs, curriculum, instructors' guide) in build/site/html, links checked.
site: install
	@$(PY) -m lakelab.site

clean:
	rm -rf $(VENV) $(LOCALSTACK_VENV)
