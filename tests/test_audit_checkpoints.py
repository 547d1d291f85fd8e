"""Signed checkpoints: a database owner who rewrites the whole chain with valid hashes (and
moves the head) is caught by the checkpoint, named by its seq; the file and the key stay
outside the database."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest
from sqlalchemy import select, text

from models import AuditCheckpoint
from tests.helpers import bring_to, office_deliverable
from tests.test_audit_format import drop_guards, rewrite_chain
from tests.test_cli import assert_one_line_error
from workflow.core import audit, checkpoints
from workflow.items import editing


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def run(*args: str):
        return runner.invoke(args=list(args))

    return run


@pytest.fixture
def instance(app) -> Path:
    return Path(app.instance_path)


@pytest.fixture
def signed(cli, session, actors, instance):
    """A trail, a checkpoint of it, more events, a second checkpoint: [(seq, hash), …]."""
    bring_to(session, actors, ("deliverable", office_deliverable(session).id), "approved")
    session.commit()
    first = cli("audit-checkpoint")
    assert first.exit_code == 0, first.output
    for n in range(3):
        editing.add_comment(session, actors["giamdoc"], ("deliverable", 1), f"Ý kiến {n}")
    second = cli("audit-checkpoint")
    assert second.exit_code == 0, second.output
    lines = (instance / "audit_checkpoints.jsonl").read_text().splitlines()
    return [(json.loads(line)["seq"], json.loads(line)["hash"]) for line in lines]


def verify_with_checkpoints(cli, instance, public_key: Path | None = None):
    return cli(
        "verify-audit",
        "--checkpoints",
        str(instance / "audit_checkpoints.jsonl"),
        "--public-key",
        str(public_key or instance / "audit_signing_key.pub"),
    )


def test_a_checkpoint_signs_the_head_into_the_file_and_the_database(cli, session, actors, instance):
    created = cli("audit-checkpoint")
    assert created.exit_code == 0, created.output
    key = instance / "audit_signing_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert (instance / "audit_signing_key.pub").read_text().startswith("-----BEGIN PUBLIC KEY")
    (line,) = (instance / "audit_checkpoints.jsonl").read_text().splitlines()
    data = json.loads(line)
    assert set(data) == {"seq", "hash", "time", "key_id", "signature"}
    session.rollback()
    last_seq, last_hash = session.execute(text("SELECT last_seq, last_hash FROM audit_head")).one()
    assert (data["seq"], data["hash"]) == (last_seq, last_hash)
    assert data["time"].endswith("Z") and f"#{last_seq}" in created.output
    row = session.execute(select(AuditCheckpoint)).scalar_one()
    assert (row.seq, row.hash, row.signature) == (last_seq, last_hash, data["signature"])
    public = checkpoints.load_public_key(instance / "audit_signing_key.pub")
    assert checkpoints.check_signature(checkpoints.parse_line(line, 1), public) is None
    assert key.read_bytes() not in (instance / "audit_checkpoints.jsonl").read_bytes()


def test_the_key_is_made_once_and_never_replaced(cli, instance):
    assert cli("audit-keygen").exit_code == 0
    before = (instance / "audit_signing_key").read_bytes()
    assert_one_line_error(cli("audit-keygen"), 2)
    assert (instance / "audit_signing_key").read_bytes() == before


def test_an_untouched_chain_extends_every_checkpoint(cli, signed, instance):
    result = verify_with_checkpoints(cli, instance)
    assert result.exit_code == 0, result.output
    assert "khớp 2 điểm kiểm chứng" in result.output


def test_a_whole_chain_rewritten_with_valid_hashes_is_found_by_the_checkpoint(
    cli, session, signed, instance
):
    drop_guards(session)
    rewrite_chain(session, {4: {"actor_username": "ke_gian"}})
    assert cli("verify-audit").exit_code == 0  # the hashes alone cannot tell
    result = verify_with_checkpoints(cli, instance)
    assert_one_line_error(result, 1)
    first_checkpoint_seq = signed[0][0]
    assert f"sự kiện #{first_checkpoint_seq}:" in result.output
    assert "điểm kiểm chứng" in result.output


def test_a_rewrite_after_the_first_checkpoint_is_named_at_the_second(
    cli, session, signed, instance
):
    drop_guards(session)
    rewrite_chain(session, {signed[0][0] + 2: {"reason": "đã sửa"}})
    result = verify_with_checkpoints(cli, instance)
    assert_one_line_error(result, 1)
    assert f"#{signed[1][0]}:" in result.output


def test_a_shortened_chain_with_its_head_moved_back_is_found(cli, session, signed, instance):
    drop_guards(session)
    last = signed[1][0]
    session.execute(text("DELETE FROM audit_event WHERE seq > :s"), {"s": last - 2})
    session.execute(
        text(
            "UPDATE audit_head SET last_seq = :s, "
            "last_hash = (SELECT hash FROM audit_event WHERE seq = :s) WHERE id = 1"
        ),
        {"s": last - 2},
    )
    session.commit()
    assert cli("verify-audit").exit_code == 0
    result = verify_with_checkpoints(cli, instance)
    assert_one_line_error(result, 1)
    assert f"#{last - 1}:" in result.output and f"#{last}" in result.output


def test_a_checkpoint_line_edited_to_match_a_rewrite_fails_its_signature(
    cli, session, signed, instance
):
    drop_guards(session)
    rewrite_chain(session, {4: {"actor_username": "ke_gian"}})
    session.rollback()
    path = instance / "audit_checkpoints.jsonl"
    lines = []
    for line in path.read_text().splitlines():
        data = json.loads(line)
        data["hash"] = session.execute(
            text("SELECT hash FROM audit_event WHERE seq = :s"), {"s": data["seq"]}
        ).scalar_one()
        lines.append(json.dumps(data))
    path.write_text("\n".join(lines) + "\n")
    result = verify_with_checkpoints(cli, instance)
    assert_one_line_error(result, 1)
    assert f"#{signed[0][0]}:" in result.output and "chữ ký không hợp lệ" in result.output


def test_a_checkpoint_signed_with_another_key_is_refused(cli, signed, instance, tmp_path):
    other = tmp_path / "other" / "key"
    checkpoints.generate_key(other)
    result = verify_with_checkpoints(cli, instance, checkpoints.public_key_path(other))
    assert_one_line_error(result, 1)
    assert "khóa" in result.output and f"#{signed[0][0]}:" in result.output


def test_a_damaged_checkpoint_file_is_one_line(cli, signed, instance):
    with (instance / "audit_checkpoints.jsonl").open("a") as f:
        f.write("không phải JSON\n")
    result = verify_with_checkpoints(cli, instance)
    assert_one_line_error(result, 1)
    assert "dòng 3" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ("verify-audit", "--checkpoints", "/nonexistent/checkpoints.jsonl"),
        ("verify-audit", "--public-key", "/nonexistent/key.pub"),
    ],
    ids=["missing-file", "key-without-file"],
)
def test_verify_audit_bad_options_exit_2_with_one_line(cli, actors, args):
    assert_one_line_error(cli(*args), 2)


def test_no_checkpoint_over_a_broken_chain(cli, session, signed, instance):
    drop_guards(session)
    session.execute(text("UPDATE audit_event SET reason = 'x' WHERE seq = :s"), {"s": signed[1][0]})
    session.commit()
    before = (instance / "audit_checkpoints.jsonl").read_text()
    result = cli("audit-checkpoint")
    assert_one_line_error(result, 1)
    assert f"#{signed[1][0]}" in result.output
    assert (instance / "audit_checkpoints.jsonl").read_text() == before


def test_remind_proves_the_checkpoints_daily(cli, session, signed, instance):
    ok = cli("remind", "--date", "01/12/2025")
    assert ok.exit_code == 0, ok.output
    assert "khớp 2 điểm kiểm chứng" in ok.output
    drop_guards(session)
    rewrite_chain(session, {4: {"actor_username": "ke_gian"}})
    bad = cli("remind", "--date", "01/12/2025")
    assert bad.exit_code == 1
    assert bad.output.strip().splitlines()[-1].startswith("Lỗi: ")


def test_remind_without_checkpoints_says_nothing_about_them(cli, actors):
    result = cli("remind", "--date", "01/12/2025")
    assert result.exit_code == 0 and "kiểm chứng" not in result.output


def test_the_latest_checkpoint_text(session, signed):
    session.rollback()
    text_ = checkpoints.latest_text(session)
    seq, hash_ = signed[-1]
    assert text_.startswith(f"{hash_[:12]} (sự kiện #{seq}, ")
    assert re.search(r", \d\d/\d\d/\d{4}\)$", text_)


def test_without_checkpoints_the_text_says_so(session, actors):
    assert checkpoints.latest_text(session) == "chưa có điểm kiểm chứng"


def test_checkpoint_signatures_checked_in_the_workflow(session, signed, instance):
    """The same proof without the command line (as a verifier embedding it would)."""
    key = checkpoints.load_public_key(instance / "audit_signing_key.pub")
    found = checkpoints.read_file(instance / "audit_checkpoints.jsonl")
    session.rollback()
    with audit.read_snapshot(session.bind) as conn:
        report = checkpoints.verify_with_checkpoints(conn, found, key)
    assert report.ok and report.last_seq == signed[-1][0]
