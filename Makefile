# Common Ground: `make run` to try it, `make test` to prove it. See README.md.
PYTHON_BIN ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test test-fast lint screenshots install install-test serve clean

# The app runs in production mode unless told otherwise; the demo and the tests are development.
run test test-fast: export DJANGO_DEBUG ?= 1

# Reinstall only when requirements.txt changes.
$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# The tests' OpenID Connect provider (node's oidc-provider), exactly as package-lock.json pins it.
IDP_DIR := tests/oidc_provider
$(IDP_DIR)/node_modules/.package-lock.json: $(IDP_DIR)/package-lock.json
	npm ci --prefix $(IDP_DIR) --no-audit --no-fund --loglevel=error

install: $(VENV)/.installed

install-test: install $(IDP_DIR)/node_modules/.package-lock.json

# One task worker for every queue (large PDF exports, webhook deliveries, the workflow's e-mail;
# production runs one per queue, see README) and the clock (digests, reminders, review warnings,
# webhook retries: glossary_tick every five minutes, one process, no cron needed) run beside the
# web server and stop with it.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --address $(HOST)
	$(PY) manage.py db_worker --queue-name '*' --interval 1 & worker=$$!; \
	$(PY) manage.py glossary_tick --every 300 & ticker=$$!; \
	trap 'kill $$worker $$ticker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST)

# The tests run on TEST_WORKERS processes (pytest-xdist; 0 runs them in this one); tests that share
# something outside the test database (a Redis database, the schema fuzzer's servers) are in one
# xdist_group, and --dist loadgroup keeps each group on one worker.
TEST_WORKERS ?= auto
XDIST = -n $(TEST_WORKERS) --dist loadgroup

test: install-test
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

# Everything but the tests marked slow (browser, two servers, Hypothesis, PDF, over ~2 s); `make test` and CI run them all.
# No npm package is installed: the tests that need the OpenID Connect provider skip (outside CI).
test-fast: install
	$(PY) -m pytest $(XDIST) -m "not slow" $(PYTEST_ARGS)

# Lint and check the formatting (ruff; pyproject.toml holds its configuration). Changes nothing.
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Photograph the demo again for the README (docs/screenshots/); needs Chromium at /usr/bin/chromium.
screenshots: install
	$(PY) docs/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache $(IDP_DIR)/node_modules
