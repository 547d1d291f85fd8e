"""Faults, with real processes: a worker killed in the middle of a burst of transitions,
two processes acting on the same item at once, the database gone for a moment."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from models import AuditEvent, Deliverable, Unit
from models.database import make_engine
from tests.conftest import TEST_PASSWORD
from tests.helpers import fill, trail_disagreements
from tests.servers import PHEDUYET, Client, command_env, serve
from workflow.core import audit


def office_drafts(session, actors, count: int) -> list[int]:
    """Drafts of Văn phòng Sở made complete, so vp.chuyenvien can submit them."""
    ids = (
        session.execute(
            select(Deliverable.id)
            .join(Unit, Unit.id == Deliverable.unit_id)
            .where(Unit.code == "vp", Deliverable.kind.in_(("document", "periodic_report")))
            .order_by(Deliverable.id)
            .limit(count)
        )
        .scalars()
        .all()
    )
    for deliverable_id in ids:
        fill(session, actors, deliverable_id)
    session.rollback()
    return list(ids)


def test_a_worker_killed_mid_burst_loses_nothing_that_was_recorded(
    app, session, actors, database_url, tmp_path
):
    items = office_drafts(session, actors, 5)
    transitions_before = transitions_of(session, items)
    session.close()
    with serve(database_url, tmp_path / "instance", workers=2, threads=2) as server:
        token = Client(server.base).request(
            "POST",
            "/api/v1/auth/token",
            json_body={"username": "vp.chuyenvien", "password": TEST_PASSWORD},
        )
        assert token[0] == 201, token
        bearer = {"Authorization": "Bearer " + json.loads(token[1])["token"]}
        done: list[int] = []
        broken: list[int] = []
        stop = threading.Event()

        def churn(deliverable_id: int) -> None:
            client = Client(server.base, timeout=20)
            deadline = time.monotonic() + 150
            for _n in range(40):  # bounded in count and in time
                if stop.is_set() or time.monotonic() > deadline:
                    return
                try:
                    _s, body, _u = client.get(
                        f"/api/v1/deliverables/{deliverable_id}", headers=bearer
                    )
                    item = json.loads(body)
                    action = "submit" if item["state"] == "draft" else "withdraw"
                    status, _b, _u = client.request(
                        "POST",
                        f"/api/v1/deliverables/{deliverable_id}/actions/{action}",
                        json_body={"version": item["version"]},
                        headers=bearer,
                    )
                    (done if status == 200 else broken).append(status)
                except (OSError, ValueError, http.client.HTTPException):  # the worker died
                    broken.append(0)

        threads = [threading.Thread(target=churn, args=(i,)) for i in items]
        for t in threads:
            t.start()
        try:
            deadline = time.monotonic() + 90
            while len(done) < 4 and time.monotonic() < deadline:
                time.sleep(0.02)
            victims = server.worker_pids()
            assert len(victims) == 2
            os.kill(min(victims), signal.SIGKILL)  # in the middle of the burst
            killed_at = len(done)
        finally:
            for t in threads:
                t.join(timeout=120)
            stop.set()
        assert killed_at >= 4 and len(done) > killed_at  # the burst went on after the kill
        assert len(server.worker_pids()) == 2  # the arbiter replaced the dead worker
        assert Client(server.base).get("/login")[0] == 200

    session.rollback()
    report = audit.verify(session.connection())
    assert report.ok, report
    assert trail_disagreements(session) == []
    # every action answered 200 is in the trail (a worker killed after its commit may have
    # written one more that it could not answer)
    assert transitions_of(session, items) - transitions_before >= len(done)


def transitions_of(session, items: list[int]) -> int:
    return session.execute(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.item_type == "deliverable",
            AuditEvent.item_id.in_(items),
            AuditEvent.action.in_(("submit", "withdraw")),
        )
    ).scalar_one()


def test_two_processes_acting_on_the_same_version_one_wins_one_gets_conflict(
    session, actors, database_url, tmp_path
):
    [item] = office_drafts(session, actors, 1)
    version = session.get(Deliverable, item).version
    events_before = audit.verify(session.connection()).checked
    session.close()
    env = command_env(database_url, tmp_path / "instance")
    argv = [PHEDUYET, "act", "--as", "vp.chuyenvien", "--deliverable", str(item)]
    argv += ["--version", str(version), "submit"]
    racers = [
        subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in racers]
    codes = sorted(code for code, _out, _err in results)
    assert codes == [0, 1], results
    loser = next(err for code, _out, err in results if code == 1)
    assert loser.startswith("Lỗi: ") and len(loser.strip().splitlines()) == 1, loser
    session.rollback()
    report = audit.verify(session.connection())
    assert report.ok and report.checked == events_before + 1  # one event, not two, not none
    assert session.get(Deliverable, item).state == "submitted"
    assert session.get(Deliverable, item).version == version + 1
    assert trail_disagreements(session) == []


def test_two_processes_acting_on_the_same_item_at_once_over_http(
    session, actors, database_url, tmp_path
):
    """The same race through the API of two server processes: 200 and 409, one event."""
    [item] = office_drafts(session, actors, 1)
    version = session.get(Deliverable, item).version
    session.close()
    with serve(database_url, tmp_path / "instance", workers=2, threads=1) as server:
        api = Client(server.base)
        status, body, _u = api.request(
            "POST",
            "/api/v1/auth/token",
            json_body={"username": "vp.chuyenvien", "password": TEST_PASSWORD},
        )
        assert status == 201
        bearer = {"Authorization": "Bearer " + json.loads(body)["token"]}
        events_before = audit.verify(session.connection()).checked
        session.rollback()
        start = threading.Barrier(2)
        answers: list[int] = []

        def act() -> None:
            start.wait()
            answers.append(
                Client(server.base).request(
                    "POST",
                    f"/api/v1/deliverables/{item}/actions/submit",
                    json_body={"version": version},
                    headers=bearer,
                )[0]
            )

        racers = [threading.Thread(target=act) for _ in range(2)]
        for t in racers:
            t.start()
        for t in racers:
            t.join(timeout=60)
    assert sorted(answers) == [200, 409]
    session.rollback()
    assert audit.verify(session.connection()).checked == events_before + 1


def move_database_away(database_url: str, away: Path) -> None:
    """The SQLite file (with its WAL and shared memory) moved elsewhere."""
    path = Path(database_url.removeprefix("sqlite:///"))
    away.mkdir()
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{path}{suffix}").exists():
            shutil.move(f"{path}{suffix}", away / f"db{suffix}")


def bring_database_back(database_url: str, away: Path) -> None:
    path = Path(database_url.removeprefix("sqlite:///"))
    for suffix in ("-wal", "-shm", ""):
        if (away / f"db{suffix}").exists():
            shutil.move(away / f"db{suffix}", f"{path}{suffix}")


def postgres_connections(database_url: str, allow: bool) -> None:
    """Let no one connect to the database (and end every connection), or let them again."""
    database = database_url.rsplit("/", 1)[1]
    admin = make_engine(database_url.rsplit("/", 1)[0] + "/postgres")
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(
            f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS {"true" if allow else "false"}'
        )
        if not allow:
            conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{database}' AND pid <> pg_backend_pid()"
            )
    admin.dispose()


def test_the_database_gone_for_a_moment_gives_503_then_the_same_app_recovers(
    app, session, actors, database_url, tmp_path
):
    from tests.web.conftest import Web

    session.close()
    browser = Web(app)
    assert browser.login("vp.chuyenvien").status_code == 303
    assert browser.get("/").status_code == 200
    api = app.test_client()
    token = api.post(
        "/api/v1/auth/token", json={"username": "vp.chuyenvien", "password": TEST_PASSWORD}
    ).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/tasks", headers=bearer).status_code == 200

    sqlite = database_url.startswith("sqlite")
    if sqlite:
        move_database_away(database_url, tmp_path / "away")
    else:
        postgres_connections(database_url, allow=False)
    try:
        for _attempt in range(3):
            page = browser.get("/")
            assert page.status_code == 503
            text = Web.text(page)
            assert "Tạm thời không truy cập được cơ sở dữ liệu" in text
            assert "Hãy đợi một lát rồi tải lại trang" in text
            assert "Traceback" not in text
            assert page.headers["Retry-After"]
        answer = api.get("/api/v1/tasks", headers=bearer)
        assert answer.status_code == 503
        assert answer.get_json()["error"] == "database_unavailable"
        assert browser.get("/login").status_code == 503
        if sqlite:  # no empty database was made in the missing one's place
            assert not Path(database_url.removeprefix("sqlite:///")).exists()
    finally:
        if sqlite:
            bring_database_back(database_url, tmp_path / "away")
        else:
            postgres_connections(database_url, allow=True)

    assert browser.get("/").status_code == 200  # same app, same session, no restart
    assert api.get("/api/v1/tasks", headers=bearer).status_code == 200
    session.rollback()
    assert audit.verify(session.connection()).ok
