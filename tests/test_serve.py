"""`pheduyet serve`: the production server (gunicorn, several worker processes), and
nothing a request needs living in one worker's memory: the session cookie, its secret key,
the CSRF token, the failed-login count and the compiled translations hold whichever worker
answers."""

from __future__ import annotations

import multiprocessing
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import TEST_PASSWORD
from tests.servers import PHEDUYET, Client, command_env, serve
from webapp.config import _secret_key
from workflow.accounts.throttle import ACCOUNT_LIMIT


@pytest.fixture
def seeded_url(database_url, actors, session) -> str:
    session.rollback()  # hold no lock while the server runs
    return database_url


def test_two_workers_serve_one_signed_in_session_and_its_forms(seeded_url, tmp_path):
    instance = tmp_path / "serve-instance"  # empty: the workers make the key and catalogues
    with serve(seeded_url, instance, workers=2, threads=1) as server:
        assert len(server.worker_pids()) == 2
        director = Client(server.base)
        status, page, url = director.login("giamdoc", TEST_PASSWORD)
        assert status == 200 and "Đăng xuất" in page, page[:500]

        def queue_page(_n: int) -> tuple[int, bool]:
            status, text, url = director.get("/")
            return status, ("Đăng xuất" in text and "/login" not in url)

        for _round in range(5):  # bounded: stop as soon as both workers have answered
            with ThreadPoolExecutor(max_workers=6) as pool:
                answers = list(pool.map(queue_page, range(30)))
            assert answers == [(200, True)] * 30  # signed in on every page, from any worker
            if len(server.pids_in_access_log("/")) >= 2:
                break
        assert server.pids_in_access_log("/") == server.worker_pids()  # both answered

        # The language chosen on one worker holds on the other (it is in the session) and
        # both compiled the English catalogue.
        assert director.get("/?lang=en")[0] == 200
        with ThreadPoolExecutor(max_workers=6) as pool:
            pages = list(pool.map(lambda _n: director.get("/")[1], range(20)))
        assert all("My queue" in p and "Sign out" in p for p in pages)

        # Forms: each token comes from whichever worker rendered the form and is checked by
        # whichever worker gets the POST; signing in and out again and again always works.
        for _round in range(6):
            status, page, url = director.post_form("/logout", {})
            assert status == 200 and url.split("?")[0].endswith("/login"), (status, url)
            assert director.get("/")[2].split("?")[0].endswith("/login")
            status, page, url = director.login("giamdoc", TEST_PASSWORD)
            assert status == 200 and "Sign out" in page, (status, url)


def test_failed_sign_ins_are_counted_across_workers(seeded_url, tmp_path):
    """ACCOUNT_LIMIT wrong passwords shared between both workers start the delay: the right
    password is refused next, whichever worker answers. Which worker takes a request is the
    kernel's choice, so this is tried on up to four accounts until one account's failures
    were answered by both workers."""
    with serve(seeded_url, tmp_path / "serve-instance", workers=2, threads=1) as server:
        split = False
        for username in ("kiemtra", "giamdoc", "phogiamdoc", "vp.thamdinh"):
            seen = len(server.access_log())

            def wrong(_n: int, username: str = username) -> int:
                return Client(server.base).login(username, "wrong-password")[0]

            with ThreadPoolExecutor(max_workers=ACCOUNT_LIMIT) as pool:
                assert sorted(pool.map(wrong, range(ACCOUNT_LIMIT))) == [401] * ACCOUNT_LIMIT
            # the right password now, at once: refused while the delay runs
            assert Client(server.base).login(username, TEST_PASSWORD)[0] == 429
            failed_on = {
                pid
                for pid, status, method, url in server.access_log()[seen:]
                if method == "POST" and url.startswith("/login") and status == 401
            }
            if failed_on == server.worker_pids():
                split = True
                break
        assert split, "the kernel never shared one account's failures between the workers"


def _read_key(instance: str, start, out) -> None:
    start.wait()
    out.put(_secret_key(Path(instance)))


def test_workers_starting_at_once_share_one_complete_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    instance = tmp_path / "fresh-instance"
    context = multiprocessing.get_context("fork")
    start, out = context.Event(), context.Queue()
    processes = [
        context.Process(target=_read_key, args=(str(instance), start, out)) for _ in range(8)
    ]
    for p in processes:
        p.start()
    start.set()
    keys = [out.get(timeout=30) for _ in processes]
    for p in processes:
        p.join(timeout=30)
    assert len(set(keys)) == 1 and len(keys[0]) == 64, keys
    assert (instance / "secret_key").read_text() == keys[0]
    assert [p.name for p in instance.iterdir()] == ["secret_key"]  # no temporary file left
    assert (instance / "secret_key").stat().st_mode & 0o777 == 0o600


def test_serve_refuses_a_bad_port_with_one_line(tmp_path, database_url):
    result = subprocess.run(
        [PHEDUYET, "serve", "--port", "0"],
        env=command_env(database_url, tmp_path / "instance"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--port" in result.stderr and "Traceback" not in result.stderr
