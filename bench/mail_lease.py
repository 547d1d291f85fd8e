"""A user's action while `send-mail` talks to a slow mail server (issue 9), on SQLite.

One run, same machine: the time of a user's edit (a write with its audit event)
- alone (the baseline), and
- while `notify.send_pending` is in the middle of a message that a real SMTP listener
  (aiosmtpd on loopback) takes `--delay` seconds to accept.
Before issue 9 the sender held SQLite's write lock while it waited on the server, so the
edit waited for the busy timeout (10 s) and failed with "database is locked"; now the
messages are leased in a short transaction and sent with no transaction open.

    .venv/bin/python bench/mail_lease.py [--delay 3] [--rounds 5]
"""

from __future__ import annotations

import argparse
import socket
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

import models  # noqa: E402
from models import Deliverable, Unit, User  # noqa: E402
from models import database as dbsettings  # noqa: E402
from workflow.core.policy import Actor  # noqa: E402
from workflow.intake import seed
from workflow.items import editing  # noqa: E402
from workflow.notify import outbox as notify


class SlowServer:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.receiving = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        import asyncio

        self.receiving.set()
        await asyncio.sleep(self.delay)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def edit_once(factory, actor: Actor, item: int, n: int) -> float:
    """Seconds for one edit; inf if it failed on the lock."""
    with factory() as session:
        start = time.perf_counter()
        try:
            editing.edit_deliverable(session, actor, item, {"body": f"Lần sửa {n}."})
        except (OperationalError, sqlite3.OperationalError):  # "database is locked"
            return float("inf")
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = dbsettings.make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        models.Base.metadata.create_all(engine)
        factory = dbsettings.make_session_factory(engine)
        with factory() as session:
            seed.seed_demo(session, password="bench-password", password_method="pbkdf2:sha256:1")
            unit = session.execute(select(Unit.id).where(Unit.code == "qltt")).scalar_one()
            item = session.execute(
                select(Deliverable.id).where(Deliverable.unit_id == unit).limit(1)
            ).scalar_one()
            user = session.execute(
                select(User).where(User.username == "qltt.chuyenvien")
            ).scalar_one()
            actor = Actor.of(user)
        server = SlowServer(args.delay)
        controller = Controller(server, hostname="127.0.0.1", port=free_port())
        controller.start()
        smtp = notify.SmtpSettings(host="127.0.0.1", port=controller.port, timeout=60)
        alone, during = [], []
        try:
            for n in range(args.rounds):
                alone.append(edit_once(factory, actor, item, 2 * n))
                with factory() as session:
                    session.execute(
                        notify._OUTBOX.insert(),
                        {
                            "to_addr": "vp.thamdinh@example.vn",
                            "subject": "bench",
                            "body": "bench",
                            "attempts": 0,
                            "created_at": models.utcnow(),
                            "next_attempt_at": models.utcnow(),
                        },
                    )
                    session.commit()
                server.receiving.clear()

                def send() -> None:
                    with factory() as own:
                        notify.send_pending(own, smtp)

                sender = threading.Thread(target=send)
                sender.start()
                server.receiving.wait(30)
                during.append(edit_once(factory, actor, item, 2 * n + 1))
                sender.join()
        finally:
            controller.stop()
            engine.dispose()
    base, busy = statistics.median(alone), statistics.median(during)
    print(f"server delay per message: {args.delay:.1f} s, rounds: {args.rounds}")
    print(f"edit alone:                   median {base * 1000:8.1f} ms")
    shown = "failed (database is locked)" if busy == float("inf") else f"{busy * 1000:8.1f} ms"
    print(f"edit while send-mail waits:   median {shown}")
    if busy != float("inf"):
        print(f"ratio (while sending / alone): {busy / base:.2f}")


if __name__ == "__main__":
    main()
