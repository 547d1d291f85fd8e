"""Two processes write to the trail at once: the chain stays one line, nothing is lost.

Runs on the test database of the run: a SQLite file, or PostgreSQL when TEST_DATABASE_URL
is set (CI runs the suite on both).
"""

from __future__ import annotations

import multiprocessing

from sqlalchemy import func, select

from models import AuditEvent, Deliverable, User
from models.database import make_engine, make_session_factory
from workflow import audit, editing
from workflow.policy import Actor

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
