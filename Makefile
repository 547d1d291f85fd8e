# Set-up and everyday commands. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
WORKERS ?= 2
STAMP := $(VENV)/.installed

.PHONY: install run test test-deps lint format bench bench-quick bench-engine bench-importer bench-mail bench-verify-audit clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/pheduyet db upgrade
	$(BIN)/pheduyet seed-demo --if-empty
	@echo "pheduyet: http://127.0.0.1:$(PORT)/"
	@echo "Tài khoản mẫu: giamdoc, phogiamdoc, vp.thamdinh, vp.chuyenvien, qltt.chuyenvien,"
	@echo "  khtc.chuyenvien, qlcn.chuyenvien, qlnl.chuyenvien, qltm.chuyenvien, kiemtra, admin"
	@echo "  (mật khẩu: PHEDUYET_DEMO_PASSWORD, hoặc mật khẩu in ra khi nạp dữ liệu mẫu lần đầu)"
	$(BIN)/pheduyet serve --host 127.0.0.1 --port $(PORT) --workers $(WORKERS)

# Debian's chromium, libreoffice-writer, fonts and nginx: installed when missing and root
# (as in CI), else one line naming them. The tests run in TEST_JOBS processes (pytest-xdist).
TEST_JOBS ?= auto

test-deps:
	@scripts/ensure-test-deps

test: test-deps install
	$(BIN)/pytest -q -n $(TEST_JOBS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench-engine: install
	$(BIN)/python bench/engine.py

bench-importer: install
	$(BIN)/python bench/importer.py

bench-mail: install
	$(BIN)/python bench/mail_lease.py

# The whole benchmark at 1k and 100k deliverables (1M audit events), on SQLite (or on
# PostgreSQL with BENCH_DATABASE_URL): one table, written to bench/RESULTS.md.
bench: install
	$(BIN)/python bench/run.py --write

# Small sizes, under a minute: fails only when a page's big/small ratio regresses badly.
bench-quick: install
	$(BIN)/python bench/run.py --quick --requests 10 --engine-seconds 1

bench-verify-audit: install
	$(BIN)/python bench/verify_audit.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
