# The two commands a newcomer needs: `make run` and `make test`. Only Python 3.11+ is assumed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run` needs the site's own requirements only; `make test` adds the test tools.
RUNTIME_INSTALLED := $(VENV)/.installed-runtime
DEV_INSTALLED := $(VENV)/.installed-dev
# Where the development server listens: `make run PORT=8001` when 8000 is taken.
HOST := 127.0.0.1
PORT ?= 8000
DEV_ENV := DJANGO_DEBUG=1 SITE_URL=$(or $(SITE_URL),http://$(HOST):$(PORT))
# The Nu HTML Checker (package.json), for the HTML validity test; without npm that test skips.
VNU_JAR := node_modules/vnu-jar/build/dist/vnu.jar
NPM := $(shell command -v npm 2>/dev/null)

.PHONY: run test lint format bench install messages

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME_INSTALLED): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(RUNTIME_INSTALLED)

$(DEV_INSTALLED): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(RUNTIME_INSTALLED) $(DEV_INSTALLED)

# --ignore-scripts: vnu-jar's install script would download a Java runtime; the system's is used.
$(VNU_JAR): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(VNU_JAR)

install: $(DEV_INSTALLED) $(if $(NPM),$(VNU_JAR))

# The development secret key (forumasia/settings.py), made once, readable by its owner only.
.secret-key:
	umask 077 && $(PYTHON) -c 'import secrets; print("debug-only-" + secrets.token_urlsafe(50))' > $@

# The port is checked before anything is migrated, so a taken port stops nothing half-way.
run: $(RUNTIME_INSTALLED) .secret-key
	@$(BIN)/python -c 'import socket, sys; in_use = socket.socket().connect_ex(("$(HOST)", $(PORT))) == 0; sys.exit("Port $(PORT) is in use on $(HOST): run make run PORT=8001 (or another free port)." if in_use else 0)'
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	$(DEV_ENV) $(BIN)/python manage.py ensure_admin
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(DEV_INSTALLED) $(if $(NPM),$(VNU_JAR))
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(DEV_INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Needs PostgreSQL on 127.0.0.1:5432, wrk and valgrind (apt-get install -y wrk valgrind); about
# 45-60 min at the default scale, of which the instruction counts under valgrind take 15-25
# (bench/instructions.py; BENCH_ARGS=--no-instructions skips them). Try it small first:
# make bench BENCH_ARGS=--quick
bench: $(DEV_INSTALLED)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# The translation catalogues (README, "Translations"): every marked string into locale/*/django.po,
# then the .mo files the site reads (committed, so serving needs only Python). Needs GNU gettext.
messages: $(RUNTIME_INSTALLED)
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l th -l id
	$(DEV_ENV) $(BIN)/python manage.py compilemessages -i node_modules -i staticfiles
