"""Importing a plan document into the organisation: the seed file reproduces seed-demo's
plan, one transaction, clear errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Plan, Task, Unit
from tests.conftest import FAST_HASH
from workflow.accounts import users as accounts
from workflow.core.errors import Conflict, InvalidInput
from workflow.intake import importing, seed
from workflow.reads import queries

DATA = Path(__file__).parent / "data" / "plans"


@pytest.fixture
def organisation(session):
    """Units and users, no plan: what a department has before importing its first plan."""
    seed.ensure_organisation(session)
    accounts.create_user(
        session,
        username="admin",
        full_name="Quản trị",
        unit_code="vp",
        roles=["admin"],
        password="admin-pass-1",
        password_method=FAST_HASH,
    )
    session.commit()


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def counts(session) -> tuple[int, int, int]:
    session.rollback()
    return tuple(
        session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Plan, Task, AuditEvent)
    )


def test_importing_the_seed_file_reproduces_the_seed_plan(cli, session, organisation, tmp_path):
    result = cli("import-plan", str(DATA / "seed.txt"), "--as", "admin")
    assert result.exit_code == 0, result.output
    imported = queries.task_rows(session)

    other = tmp_path / "seeded.db"
    import models
    from models.database import make_engine, make_session_factory

    engine = make_engine(f"sqlite:///{other}")
    models.Base.metadata.create_all(engine)
    with make_session_factory(engine)() as s:
        seed.seed_demo(s, password="x" * 10, password_method=FAST_HASH)
        expected = queries.task_rows(s)
    engine.dispose()

    def shape(rows):
        return [
            (r.number, r.lead_units, r.coordinating_units, r.due_date, r.timing_kind) for r in rows
        ]

    assert shape(imported) == shape(expected)
    event = session.execute(select(AuditEvent).where(AuditEvent.item_type == "plan")).scalar_one()
    detail = json.loads(event.detail)
    assert detail["source"] == "seed.txt" and len(detail["sha256"]) == 64
    assert event.actor_username == "admin"


def test_dry_run_prints_the_documented_json_and_creates_nothing(cli, session, organisation):
    before = counts(session)
    result = cli("import-plan", str(DATA / "seed.txt"), "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert set(found) == {"plan", "tasks", "unplaced"}
    assert {"issuer", "number", "date", "title", "parent"} <= set(found["plan"])
    task2 = found["tasks"][1]
    assert task2["timing"] == {
        "kind": "deadline",
        "text": "Hoàn thành trước ngày 15/11/2025",
        "due_date": "2025-11-15",
    }
    assert task2["lead_units"][0] == {
        "name": "Văn phòng Sở",
        "matched": "Văn phòng Sở",
        "code": "vp",
    }
    assert counts(session) == before


def test_the_same_document_cannot_be_imported_twice(cli, session, organisation):
    assert cli("import-plan", str(DATA / "seed.txt")).exit_code == 0
    again = cli("import-plan", str(DATA / "seed.txt"))
    assert again.exit_code != 0 and "đã được nhập" in again.output


def test_unknown_units_are_named_and_nothing_is_created_unless_asked(cli, session, organisation):
    before = counts(session)
    refused = cli("import-plan", str(DATA / "plan_02.txt"))
    assert refused.exit_code != 0
    assert refused.output.startswith("Lỗi: Đơn vị chưa có trong danh mục:")
    assert counts(session) == before
    created = cli("import-plan", str(DATA / "plan_02.txt"), "--create-units")
    assert created.exit_code == 0, created.output
    assert counts(session)[0] == before[0] + 1
    assert session.execute(select(func.count()).select_from(Unit)).scalar_one() > 7


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "rỗng"),
        (b"\x00\x01\x02\x03" * 100, ""),
        (b"PK\x03\x04 not really a docx", ""),
        ("Một văn bản không có nhiệm vụ nào.\n".encode(), "Không tìm thấy phần nhiệm vụ"),
    ],
)
def test_bad_files_get_one_line_and_create_nothing(
    cli, session, organisation, tmp_path, content, message
):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    before = counts(session)
    result = cli("import-plan", str(path))
    assert result.exit_code == 2
    assert result.output.startswith("Lỗi: ") and len(result.output.strip().splitlines()) == 1
    assert message in result.output
    assert counts(session) == before


def test_a_failure_half_way_leaves_the_database_as_it_was(session, organisation):
    from documents import plan_parser

    parsed = plan_parser.parse_plan_file(DATA / "seed.txt", importing.known_units(session))
    parsed["tasks"][5]["lead_units"] = []  # task 6 loses its lead: found only after 5 tasks
    before = counts(session)
    with pytest.raises(InvalidInput, match="Nhiệm vụ 6"):
        importing.import_plan(
            session,
            accounts.SYSTEM,
            parsed,
            source_name="x.txt",
            sha256="a" * 64,
        )
    assert counts(session) == before


def test_importing_under_an_existing_code_is_a_conflict(session, organisation):
    from documents import plan_parser

    parsed = plan_parser.parse_plan_file(DATA / "seed.txt", importing.known_units(session))
    importing.import_plan(session, accounts.SYSTEM, parsed, source_name="a", sha256="b" * 64)
    with pytest.raises(Conflict):
        importing.import_plan(session, accounts.SYSTEM, parsed, source_name="a", sha256="b" * 64)


@pytest.mark.parametrize("name", ["plan_02.txt", "plan_04.txt", "plan_06.txt"])
def test_each_public_plan_imports_with_new_units_and_a_default_lead(
    cli, session, organisation, name
):
    result = cli("import-plan", str(DATA / name), "--create-units", "--default-lead", "vp")
    assert result.exit_code == 0, result.output
    expected = json.loads((DATA.parent / f"expected_{name.replace('.txt', '.json')}").read_text())
    top_level = [t for t in expected["tasks"] if "." not in t["number"]]  # x.y are deliverables
    assert len(queries.task_rows(session)) == len(top_level)
    assert cli("verify-audit").exit_code == 0


def test_a_task_without_a_lead_is_named(cli, session, organisation):
    result = cli("import-plan", str(DATA / "plan_04.txt"), "--create-units")
    assert result.exit_code != 0 and "Nhiệm vụ 6 chưa có đơn vị chủ trì" in result.output
