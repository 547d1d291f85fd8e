"""`pheduyet backup` / `pheduyet restore`: a backup restored on a wiped database gives back
every item in its state and an audit chain that verifies; a backup taken while the app
writes is consistent; a restore never overwrites data unless told to."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from models import Deliverable, Task, Unit, backup
from models.database import make_engine
from tests.conftest import reset_postgres
from tests.helpers import bring_to, fill, trail_disagreements
from tests.servers import PHEDUYET, command_env
from workflow.core import audit, service
from workflow.core.errors import WorkflowError


def pheduyet(database_url: str, instance: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PHEDUYET, *args],
        env=command_env(database_url, instance),
        capture_output=True,
        text=True,
        timeout=300,
    )


def states(session) -> dict[tuple[str, int], tuple[str, int]]:
    session.rollback()
    found = {
        ("task", i): (s, v)
        for i, s, v in session.execute(select(Task.id, Task.state, Task.version))
    }
    for i, s, v in session.execute(select(Deliverable.id, Deliverable.state, Deliverable.version)):
        found["deliverable", i] = (s, v)
    session.rollback()
    return found


def wipe(app, database_url: str) -> None:
    """The database gone: the SQLite file deleted, or PostgreSQL's schema dropped."""
    app.extensions["pheduyet.db"].engine.dispose()
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        reset_postgres(database_url)


@pytest.fixture
def arranged(session, actors) -> dict:
    """Items in every state, through the real actions."""
    drafts = session.execute(select(Deliverable.id).order_by(Deliverable.id)).scalars().all()
    chosen = {}
    for deliverable_id, state in zip(
        drafts[:6],
        ("approved", "reviewed", "submitted", "draft", "approved", "submitted"),
        strict=True,
    ):
        try:
            bring_to(session, actors, ("deliverable", deliverable_id), state)
        except WorkflowError:
            session.rollback()
            continue
        chosen[deliverable_id] = state
    session.rollback()
    assert len(set(chosen.values())) >= 3, chosen
    return chosen


def test_a_backup_restored_on_a_wiped_database_gives_back_states_and_chain(
    app, session, arranged, database_url, tmp_path
):
    before = states(session)
    events = audit.verify(session.connection())
    session.rollback()
    assert events.ok and events.checked > 20
    instance = tmp_path / "instance"
    file = tmp_path / "backups" / "pheduyet.backup"

    made = pheduyet(database_url, instance, "backup", str(file))
    assert made.returncode == 0, made.stderr
    assert "Đã sao lưu" in made.stdout and file.stat().st_size > 0
    assert file.stat().st_mode & 0o777 == 0o600  # hashes and the trail: its owner's only

    session.close()
    wipe(app, database_url)
    restored = pheduyet(database_url, instance, "restore", str(file))
    assert restored.returncode == 0, restored.stderr

    verified = pheduyet(database_url, instance, "verify-audit")
    assert verified.returncode == 0, verified.stderr
    assert f"{events.checked} sự kiện" in verified.stdout
    assert states(session) == before
    assert trail_disagreements(session) == []
    # the restored database is the app's again: one more action lands on the chain
    acted = pheduyet(
        database_url,
        instance,
        "act",
        "--as",
        "vp.chuyenvien",
        "--deliverable",
        str(next(i for i, s in arranged.items() if s == "submitted")),
        "withdraw",
    )
    assert acted.returncode == 0, acted.stderr
    assert pheduyet(database_url, instance, "verify-audit").returncode == 0


def test_restore_refuses_a_database_that_holds_data_without_yes(
    session, arranged, database_url, tmp_path
):
    instance = tmp_path / "instance"
    file = tmp_path / "b.backup"
    assert pheduyet(database_url, instance, "backup", str(file)).returncode == 0
    submitted = next(i for i, s in arranged.items() if s == "submitted")
    assert (
        pheduyet(
            database_url,
            instance,
            "act",
            "--as",
            "vp.chuyenvien",
            "--deliverable",
            str(submitted),
            "withdraw",
        ).returncode
        == 0
    )
    after = states(session)

    refused = pheduyet(database_url, instance, "restore", str(file))
    assert refused.returncode == 1
    assert refused.stderr.startswith("Lỗi: ") and len(refused.stderr.strip().splitlines()) == 1
    assert "--yes" in refused.stderr
    assert states(session) == after  # nothing touched

    forced = pheduyet(database_url, instance, "restore", "--yes", str(file))
    assert forced.returncode == 0, forced.stderr
    assert states(session)["deliverable", submitted][0] == "submitted"  # back as backed up
    assert pheduyet(database_url, instance, "verify-audit").returncode == 0


@pytest.mark.parametrize(
    "content",
    [b"", b"not a backup at all\n", b"SQLite format 3\x00" + b"\x00" * 200, b"PGDMP\x01broken"],
    ids=["empty", "text", "broken-sqlite", "broken-dump"],
)
def test_restore_refuses_what_is_not_a_good_backup_with_one_line(
    session, actors, database_url, tmp_path, content
):
    before = states(session)
    file = tmp_path / "bad.backup"
    file.write_bytes(content)
    refused = pheduyet(database_url, tmp_path / "instance", "restore", "--yes", str(file))
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi: "), refused.stderr
    assert states(session) == before


def test_restore_of_a_missing_file_is_one_line(database_url, tmp_path):
    refused = pheduyet(database_url, tmp_path / "instance", "restore", str(tmp_path / "none"))
    assert refused.returncode == 1
    assert refused.stderr.strip() == f"Lỗi: không tìm thấy tệp sao lưu {tmp_path / 'none'}."


def test_a_backup_taken_while_the_app_writes_is_one_consistent_moment(
    app, session, actors, database_url, tmp_path
):
    """Submit and withdraw drafts without pause in threads while the backup runs: whatever
    moment it caught, restored it verifies and every state agrees with its trail."""
    engine = app.extensions["pheduyet.db"].engine
    sessions = app.extensions["pheduyet.db"].sessions
    office = (
        session.execute(
            select(Deliverable.id)
            .join(Unit, Unit.id == Deliverable.unit_id)
            .where(Unit.code == "vp", Deliverable.kind.in_(("document", "periodic_report")))
            .order_by(Deliverable.id)
            .limit(4)
        )
        .scalars()
        .all()
    )
    for deliverable_id in office:
        fill(session, actors, deliverable_id)
    session.rollback()
    member = actors["vp.chuyenvien"]
    stop = threading.Event()
    done = []

    def churn(deliverable_id: int) -> None:
        with sessions() as s:
            action = "submit"
            while not stop.is_set():
                try:
                    service.perform(s, member, ("deliverable", deliverable_id), action)
                except WorkflowError:
                    s.rollback()
                    continue  # not this member's unit, or not complete: this item sits still
                done.append(deliverable_id)
                action = "withdraw" if action == "submit" else "submit"

    workers = [threading.Thread(target=churn, args=(i,)) for i in office]
    for w in workers:
        w.start()
    try:
        while len(done) < 10:
            stop.wait(0.05)
        files = [backup.backup(engine, tmp_path / f"during-{n}.backup") for n in range(3)]
    finally:
        stop.set()
        for w in workers:
            w.join(timeout=60)
    assert len(done) >= 10
    session.close()
    for file in files:
        backup.restore(engine, file, force=True)
        with sessions() as s:
            report = audit.verify(s.connection())
            assert report.ok, report
            assert trail_disagreements(s) == []


def test_backup_of_sqlite_is_one_self_contained_file(app, actors, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("the SQLite file format; PostgreSQL's is pg_dump's")
    engine = app.extensions["pheduyet.db"].engine
    file = backup.backup(engine, tmp_path / "one.db")
    assert file.read_bytes()[:16] == backup.SQLITE_MAGIC
    assert not Path(f"{file}-wal").exists()
    copy = make_engine(f"sqlite:///{file}")
    with copy.connect() as conn:
        assert audit.verify(conn).ok
    copy.dispose()
