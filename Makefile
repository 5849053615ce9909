# The two commands: `make run` (install, provision, migrate, load demo data, serve) and
# `make test` (install and run the whole suite). Without DATABASE_URL both use the private
# PostgreSQL cluster under var/ (see registry/devdb.py).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
WORKERS ?= 3

.PHONY: install run test test-steps lint schema messages db-start db-stop browser-check \
	browser-check-steps bench bench-tools backup restore clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py prepare
	exec $(VENV)/bin/gunicorn registry.wsgi --config registry/gunicorn_conf.py \
		--bind 127.0.0.1:$(PORT) --workers $(WORKERS)

test: install
	$(VENV)/bin/ruff check .
	$(PY) -m registry.devdb run -- $(MAKE) --no-print-directory test-steps

# The steps of `make test`, run against the database (the private cluster is stopped
# afterwards when `make test` started it).
test-steps:
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -q -n auto --dist loadgroup --durations=15

lint: install
	$(VENV)/bin/ruff check .

# Regenerate the committed API descriptions (a test fails when they are stale).
schema: install
	$(PY) manage.py spectacular --validate --fail-on-warn --file api_docs/openapi.yaml
	$(PY) manage.py graphql_schema --schema registry.graphql.schema.schema --out api_docs/schema.graphql

# Regenerate the English catalogue (locale/en) from the Chinese msgids in the source and
# compile it. New entries come out with an empty msgstr: translate them in
# locale/en/LC_MESSAGES/django.po and run this again (tests/test_i18n.py fails meanwhile).
messages: install
	$(PY) manage.py makemessages -l en --no-obsolete --no-wrap --ignore=.venv --ignore=var --ignore=tests
	$(PY) manage.py compilemessages -l en --ignore=.venv --ignore=var

db-start: install
	$(PY) -m registry.devdb start

db-stop:
	$(PY) -m registry.devdb stop

# Render /api/docs/, /api/redoc/, /graphql/ and /dashboard/ (at 1366x768 and 390x844) in
# headless Chromium (needs Debian's chromium); the dashboard's charts draw the demo data.
browser-check: install
	$(PY) -m registry.devdb run -- $(MAKE) --no-print-directory browser-check-steps

browser-check-steps:
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py load_demo
	$(PY) tests/browser/run_check.py --artifacts $(or $(ARTIFACTS),artifacts/browser)

# The benchmarks at scale (bench/README.md): generates the 1M-record database on first use
# (minutes), then measures every case against its reference and rewrites bench/RESULTS.md.
# BENCH_ARGS passes options to bench/run.py, e.g. BENCH_ARGS="--repeat 3 --cases list".
bench: install bench-tools
	$(PY) -m registry.devdb run -- $(PY) bench/run.py $(BENCH_ARGS)

# The load and fault run (docs/operations.md): a bounded mixed load against the registry as
# `make run` serves it, then the same load while PostgreSQL restarts, on a throwaway cluster of
# its own (or LOAD_ARGS="--database-url URL": the load only). LOAD_ARGS passes options to
# bench/load.py, e.g. LOAD_ARGS="--seconds 60 --clients 16". Writes bench/results/load-<date>.json.
.PHONY: load
load: install
	$(PY) bench/load.py $(LOAD_ARGS)

# wrk, Debian's HTTP load generator, installed when missing (as root).
bench-tools:
	@command -v wrk >/dev/null || { test "$$(id -u)" = 0 && apt-get install -y -q wrk; } \
		|| { echo "bench needs wrk: apt-get install wrk" >&2; exit 1; }

# Backups (docs/operations.md): `make backup` writes var/backups/registry-<UTC time>.dump
# (or OUTPUT=file); `make restore BACKUP=file` replaces the database by it in one
# transaction and verifies the audit chain. Stop `make run` before restoring.
backup: install
	$(PY) -m registry.devdb run -- $(PY) manage.py backup $(if $(OUTPUT),--output $(OUTPUT))

restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/<file>.dump" >&2; exit 2; }
	$(PY) -m registry.devdb run -- $(PY) manage.py restore $(BACKUP)

clean:
	-$(PY) -m registry.devdb stop
	rm -rf var $(VENV)
