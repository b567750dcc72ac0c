# The two commands a newcomer needs: `make run` and `make test`. Only Python 3.11+ is assumed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEV_ENV := DJANGO_DEBUG=1
# The Nu HTML Checker (package.json), for the HTML validity test; without npm that test skips.
VNU_JAR := node_modules/vnu-jar/build/dist/vnu.jar
NPM := $(shell command -v npm 2>/dev/null)

.PHONY: run test lint format bench install

$(INSTALLED): requirements.txt requirements-dev.txt
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(INSTALLED)

# --ignore-scripts: vnu-jar's install script would download a Java runtime; the system's is used.
$(VNU_JAR): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(VNU_JAR)

install: $(INSTALLED) $(if $(NPM),$(VNU_JAR))

# The development secret key (forumasia/settings.py), made once, readable by its owner only.
.secret-key:
	umask 077 && $(PYTHON) -c 'import secrets; print("debug-only-" + secrets.token_urlsafe(50))' > $@

run: $(INSTALLED) .secret-key
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	$(DEV_ENV) $(BIN)/python manage.py ensure_admin
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(INSTALLED) $(if $(NPM),$(VNU_JAR))
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Needs PostgreSQL on 127.0.0.1:5432, wrk and valgrind (apt-get install -y wrk valgrind); about
# 45-60 min at the default scale, of which the instruction counts under valgrind take 15-25
# (bench/instructions.py; BENCH_ARGS=--no-instructions skips them). Try it small first:
# make bench BENCH_ARGS=--quick
bench: $(INSTALLED)
	$(BIN)/python -m bench.run $(BENCH_ARGS)
