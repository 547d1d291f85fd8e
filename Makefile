# Set-up and everyday commands. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
WORKERS ?= 2
STAMP := $(VENV)/.installed

.PHONY: install run test test-deps lint format bench bench-engine bench-importer clean

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

bench: bench-engine bench-importer

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
