# Samverkan Haninge. `make run` serves the app, `make test` runs the suite;
# both start from a clean clone with nothing but Python 3.11 and make.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench loadtest backup restore messages clean axe

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

# A developer's .env: DEBUG on and a random secret key, made once.
.env:
	@printf 'DEBUG=true\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "Wrote .env for local development (DEBUG=true)."

run: $(STAMP) .env
	$(PY) manage.py migrate --no-input
	$(PY) manage.py create_demo_accounts
	$(PY) manage.py seed_demo --if-empty --measures 40
	@echo ""
	@echo "Samverkan Haninge runs at http://127.0.0.1:$(PORT)/  (stop with Ctrl+C)"
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# axe-core for the accessibility tests, from npm when npm is there; without
# it those tests are skipped and pytest's summary says why.
axe:
	@if [ ! -f node_modules/axe-core/axe.min.js ]; then \
	  if command -v npm >/dev/null 2>&1; then \
	    npm ci --no-audit --no-fund --loglevel=error; \
	  else \
	    echo "npm was not found: the accessibility tests will be skipped."; \
	  fi; \
	fi

test: $(STAMP) axe
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(STAMP) .env
	$(PY) manage.py makemessages --locale sv --no-obsolete --add-location file --ignore '.venv/*' --ignore 'node_modules/*'
	$(PY) manage.py compilemessages --locale sv --ignore '.venv/*'

bench: $(STAMP)
	$(PY) -m tools.bench

loadtest: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-load.txt
	$(PY) -m tools.loadtest

backup: $(STAMP)
	$(PY) manage.py backup_db

# make restore FILE=backups/samverkan-20261125-120000.dump
restore: $(STAMP)
	@test -n "$(FILE)" || (echo "Usage: make restore FILE=backups/<file>"; exit 2)
	$(PY) manage.py restore_db "$(FILE)"

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
