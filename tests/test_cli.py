"""The `pheduyet` commands: tables, JSON, actions through perform, one-line errors."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from tests.helpers import fill, office_deliverable


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def run(*args: str, **kwargs):
        return runner.invoke(args=list(args), **kwargs)

    return run


def assert_one_line_error(result, code=None):
    assert result.exit_code != 0
    if code is not None:
        assert result.exit_code == code
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi: "), result.output
    assert "Traceback" not in result.output


def test_seed_demo_then_tasks_shows_the_nine_tasks(cli):
    result = cli("seed-demo")
    assert result.exit_code == 0, result.output
    assert "kế hoạch mẫu: đã nạp" in result.output
    assert "Mật khẩu" not in result.output  # the configured demo password is not printed
    table = cli("tasks")
    assert table.exit_code == 0
    lines = table.output.strip().splitlines()
    assert len(lines) == 2 + 9
    assert "15/11/2025" in lines[3] and "Văn phòng Sở" in lines[3]
    assert "Thường xuyên" in lines[2] and "0/2" in lines[2]


def test_seed_demo_if_empty_leaves_a_used_database_alone(cli):
    assert cli("seed-demo").exit_code == 0
    result = cli("seed-demo", "--if-empty")
    assert result.exit_code == 0 and "không nạp" in result.output


def test_tasks_and_deliverables_as_json(cli, actors):
    tasks = json.loads(cli("tasks", "--format", "json").output)
    assert [t["number"] for t in tasks] == list(range(1, 10))
    assert tasks[6]["due_date"] == "2025-12-31" and tasks[6]["total"] == 6
    rows = json.loads(
        cli("deliverables", "--task", "7", "--unit", "qltt", "--format", "json").output
    )
    assert len(rows) == 1 and rows[0]["unit"] == "Chi cục Quản lý thị trường"
    assert json.loads(cli("deliverables", "--state", "approved", "--format", "json").output) == []


def test_act_goes_through_perform_and_prints_the_transition(cli, session, actors):
    deliverable = office_deliverable(session)
    fill(session, actors, deliverable.id)
    result = cli("act", "--as", "vp.chuyenvien", "--deliverable", str(deliverable.id), "submit")
    assert result.exit_code == 0, result.output
    assert "Dự thảo → Đã trình" in result.output
    assert_one_line_error(
        cli("act", "--as", "vp.chuyenvien", "--deliverable", str(deliverable.id), "review")
    )
    returned = cli(
        "act",
        "--as",
        "vp.thamdinh",
        "--deliverable",
        str(deliverable.id),
        "return",
        "--reason",
        "Thiếu quyết định",
    )
    assert returned.exit_code == 0 and "Đã trình → Dự thảo" in returned.output


@pytest.mark.parametrize(
    "args",
    [
        ("act", "--as", "nobody", "--task", "2", "submit"),
        ("act", "--as", "giamdoc", "--task", "99", "approve"),
        ("act", "--as", "giamdoc", "--task", "2", "approve"),
        ("act", "--as", "vp.thamdinh", "--deliverable", "2", "return"),
        ("act", "--as", "vp.chuyenvien", "--deliverable", "99999", "submit"),
        ("act", "--as", "vp.chuyenvien", "--task", "2", "--deliverable", "2", "submit"),
        ("deliverables", "--unit", "no-such-unit"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line(cli, actors, args):
    assert_one_line_error(cli(*args))


def test_act_before_the_database_exists_says_what_to_do(app_config, tmp_path):
    from webapp import create_app

    app_config = {**app_config, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    result = create_app(app_config).test_cli_runner().invoke(args=["tasks"])
    assert_one_line_error(result)
    assert "db upgrade" in result.output


def test_verify_audit_passes_then_names_the_tampered_event(cli, session, actors):
    ok = cli("verify-audit")
    assert ok.exit_code == 0 and "nguyên vẹn" in ok.output
    if session.bind.dialect.name == "sqlite":
        session.execute(text("DROP TRIGGER audit_event_no_update"))
    else:
        session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
    session.execute(text("UPDATE audit_event SET actor_username = 'ke_gian' WHERE seq = 3"))
    session.commit()
    bad = cli("verify-audit")
    assert bad.exit_code == 1
    assert "#3" in bad.output


def test_create_user_with_roles(cli, actors):
    result = cli(
        "create-user",
        "--username",
        "qlcn.truongphong",
        "--full-name",
        "Trưởng phòng QLCN",
        "--unit",
        "qlcn",
        "--role",
        "member",
        "--role",
        "reviewer",
        env={"PHEDUYET_NEW_PASSWORD": "mat-khau-manh-1"},
    )
    assert result.exit_code == 0, result.output
    assert "member, reviewer" in result.output
    again = cli(
        "create-user",
        "--username",
        "qlcn.truongphong",
        "--full-name",
        "X",
        "--unit",
        "qlcn",
        "--role",
        "member",
        env={"PHEDUYET_NEW_PASSWORD": "mat-khau-manh-1"},
    )
    assert_one_line_error(again)
    bad_role = cli(
        "create-user",
        "--username",
        "x.y",
        "--full-name",
        "X",
        "--unit",
        "qlcn",
        "--role",
        "emperor",
        env={"PHEDUYET_NEW_PASSWORD": "mat-khau-manh-1"},
    )
    assert_one_line_error(bad_role)
