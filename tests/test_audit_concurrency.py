"""Two processes write to the trail at once: the chain stays one line, nothing is lost.

Runs on the test database of the run: a SQLite file, or PostgreSQL when TEST_DATABASE_URL
is set (CI runs the suite on both).
"""

from __future__ import annotations

import multiprocessing

from sqlalchemy import func, select

from models import AuditEvent, Deliverable, User
from models.database import make_engine, make_session_factory
from workflow.core import audit
from workflow.core.policy import Actor
from workflow.items import editing

WRITES_PER_PROCESS = 60


def comment_many(url: str, username: str, deliverable_id: int, start, done) -> None:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        actor = Actor.of(
            session.execute(select(User).where(User.username == username)).scalar_one()
        )
        session.rollback()
        start.wait(timeout=30)
        for n in range(WRITES_PER_PROCESS):
            editing.add_comment(session, actor, ("deliverable", deliverable_id), f"{username} #{n}")
    engine.dispose()
    done.put(username)


def test_two_processes_writing_keep_one_chain(session, actors, database_url):
    ids = session.execute(select(Deliverable.id).order_by(Deliverable.id).limit(2)).scalars().all()
    before = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    session.rollback()
    context = multiprocessing.get_context("spawn")
    start, done = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=comment_many, args=(database_url, user, item, start, done))
        for user, item in (("vp.chuyenvien", ids[0]), ("giamdoc", ids[1]))
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    assert {done.get(timeout=5), done.get(timeout=5)} == {"vp.chuyenvien", "giamdoc"}

    seqs = session.execute(select(AuditEvent.seq).order_by(AuditEvent.seq)).scalars().all()
    assert len(seqs) == before + 2 * WRITES_PER_PROCESS
    assert seqs == list(range(1, len(seqs) + 1))
    actors_in_order = (
        session.execute(
            select(AuditEvent.actor_username)
            .where(AuditEvent.seq > before)
            .order_by(AuditEvent.seq)
        )
        .scalars()
        .all()
    )
    switches = sum(1 for a, b in zip(actors_in_order, actors_in_order[1:], strict=False) if a != b)
    assert switches >= 1  # both wrote; interleaving shows they ran at the same time
    report = audit.verify(session.connection())
    assert report.ok, report


def test_verify_never_reports_tampering_while_a_writer_commits(app, session, actors):
    """Transitions commit in a loop while the chain is verified again and again: each check
    reads the events and the head in one snapshot, so none sees a half-moved chain."""
    import threading

    from tests.helpers import fill, office_deliverable
    from workflow.core import service

    item = ("deliverable", office_deliverable(session).id)
    fill(session, actors, item[1])
    session.commit()
    sessions = app.extensions["pheduyet.db"].sessions
    stop, errors, written = threading.Event(), [], [0]

    def writer() -> None:
        try:
            with sessions() as own:
                while not stop.is_set():
                    for action in ("submit", "withdraw"):
                        service.perform(own, actors["vp.chuyenvien"], item, action)
                        written[0] += 1
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)

    thread = threading.Thread(target=writer)
    session.rollback()
    thread.start()
    reports = []
    try:
        while len(reports) < 8 or written[0] < 20:
            with audit.read_snapshot(session.bind) as conn:
                reports.append(audit.verify(conn, batch=7))
            if errors or not thread.is_alive():
                break
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not errors, errors
    assert written[0] >= 20
    assert all(r.ok for r in reports), [r for r in reports if not r.ok]
    assert len({r.checked for r in reports}) > 1  # the writer really committed in between
