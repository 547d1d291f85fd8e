"""EXPLAIN every query the list pages run, on a full-size database, and flag a full scan.

Requests every page and API call of bench/run.py through the Flask test client (no server),
records each SELECT with its parameters, and prints the plan of each distinct statement
(SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN). A statement whose plan reads a big
table (deliverable, task, audit_event, state_stay) without an index is reported (unless it
walks the table in key order up to a LIMIT); the exit status is 1 if there is one.

    DATABASE_URL=sqlite:////tmp/big.db PHEDUYET_DEMO_PASSWORD=… .venv/bin/python bench/explain.py
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import run as bench  # noqa: E402
from sqlalchemy import event  # noqa: E402

from webapp import create_app  # noqa: E402

BIG_TABLES = ("deliverable", "task", "audit_event", "state_stay")


def main() -> int:
    url = os.environ["DATABASE_URL"]
    app = create_app({"DATABASE_URL": url, "WTF_CSRF_ENABLED": False})
    engine = app.extensions["pheduyet.db"].engine
    ids = bench.pick_ids(url)
    seen: dict[str, tuple] = {}

    def remember(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.setdefault(statement, parameters)

    clients = {}
    for role, username in bench.USERS.items():
        client = app.test_client()
        client.post("/login", data={"username": username, "password": bench.PASSWORD})
        clients[role] = client
    event.listen(engine, "before_cursor_execute", remember)
    for _name, role, path, _w in bench.endpoints(ids):
        if path.startswith("/api/") or "csv" in path:
            continue
        clients[role].get(path).close()
    event.remove(engine, "before_cursor_execute", remember)
    sqlite = engine.dialect.name == "sqlite"
    bad = 0
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        for statement, parameters in seen.items():
            cursor = raw.cursor()
            cursor.execute(
                ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, parameters
            )
            plan = [" ".join(str(c) for c in row[-1:]) for row in cursor.fetchall()]
            cursor.close()
            scans = [
                line
                for line in plan
                if any(re.search(rf"\b(SCAN|Seq Scan on) {t}\b", line) for t in BIG_TABLES)
                and "INDEX" not in line.upper()
            ]
            # Walking a table in its key's order up to a LIMIT reads only the page.
            ordered = "LIMIT" in statement.upper() and not any("TEMP B-TREE" in p for p in plan)
            if scans and ordered:
                scans = []
                flag = "ok: ordered, stops at LIMIT"
            else:
                flag = "FULL SCAN" if scans else "ok"
            bad += bool(scans)
            print(f"[{flag}] {' '.join(statement.split())[:160]}")
            for line in plan:
                print(f"      {line}")
    print(f"{len(seen)} statements, {bad} with a full scan of a big table")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
