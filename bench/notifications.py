"""The header's unread count (issue 12) on a province-size database.

Needs a database filled by `pheduyet gen-load` (100,000 deliverables, 1,000,000 audit
events). gen-load writes the trail directly, not through the transitions, so this script
first writes the notifications those transitions would have written (once; `--refill` to
do it again): for every submit, review and return in the trail, one row per person told
(the Office reviewers, the approvers, the unit's member), unread while the item still
waits in that state. Then it times, in the same run, for the busiest reader (the Office
reviewer) and for a member:

  - capped:   what the header runs (`notifications.unread_count`: one range of the
              (user_id, read_at, id) index, stopped at UNREAD_CAP rows);
  - uncapped: the same count without the cap (its cost grows with the unread rows);
  - computed: the alternative design (no table: the queue's section counts, as
              `workqueue.my_queue` reads them for its chips);
  - page:     the first page of /notifications and one 100 pages deep (keyset);

and prints each plan (EXPLAIN QUERY PLAN / EXPLAIN) and the ratios against the capped
count.

    DATABASE_URL=sqlite:////tmp/big.db .venv/bin/python bench/notifications.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import bindparam, create_engine, func, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from models import AuditEvent, Notification, User  # noqa: E402
from workflow.core.policy import APPROVERS, MEMBER, REVIEWER, Actor  # noqa: E402
from workflow.notify import notifications  # noqa: E402
from workflow.reads import workqueue  # noqa: E402

FILL = {
    # action → (kind, recipients' roles, the state in which the item still waits)
    "submit": ("to_review", (REVIEWER,), "submitted"),
    "review": ("to_approve", tuple(sorted(APPROVERS)), "reviewed"),
    "return": ("returned", (MEMBER,), "draft"),
}


def fill(session: Session) -> int:
    """One INSERT … SELECT from the trail, in the trail's order (each row's id follows its
    event's seq, so every reader's rows interleave with the others' as they would)."""
    session.execute(text("DELETE FROM notification"))
    session.execute(
        text(
            "CREATE TEMPORARY TABLE bench_recipient (action VARCHAR(40), kind VARCHAR(20),"
            " waiting VARCHAR(12), user_id INTEGER, unit_id INTEGER, same_unit INTEGER)"
        )
    )
    for action, (kind, roles, waiting) in FILL.items():
        people = session.execute(
            text(
                "SELECT u.id, u.unit_id FROM user_account u JOIN user_role r ON r.user_id = u.id"
                " WHERE r.role IN :roles AND u.active"
            ).bindparams(bindparam("roles", expanding=True)),
            {"roles": list(roles)},
        ).all()
        for user_id, unit_id in people:
            session.execute(
                text("INSERT INTO bench_recipient VALUES (:a, :k, :w, :u, :unit, :same)"),
                {
                    "a": action,
                    "k": kind,
                    "w": waiting,
                    "u": user_id,
                    "unit": unit_id,
                    "same": 1 if kind == "returned" else 0,
                },
            )
    result = session.execute(
        text(
            "INSERT INTO notification (user_id, kind, item_type, item_id, title,"
            " actor_name, reason, due_date, created_at, read_at)"
            " SELECT r.user_id, r.kind, 'deliverable', e.item_id, d.title, e.actor_username,"
            " e.reason, d.due_date, e.created_at,"
            " CASE WHEN d.state = r.waiting AND d.last_action = r.action THEN NULL"
            " ELSE e.created_at END"
            " FROM audit_event e JOIN deliverable d ON d.id = e.item_id"
            " JOIN bench_recipient r ON r.action = e.action"
            " AND (r.same_unit = 0 OR d.unit_id = r.unit_id)"
            " WHERE e.item_type = 'deliverable' ORDER BY e.seq, r.user_id"
        )
    )
    session.execute(text("DROP TABLE bench_recipient"))
    session.commit()
    return result.rowcount or 0


def timed(call, repeat: int) -> float:
    """Median milliseconds of `repeat` calls (after one warm-up)."""
    call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def actor(session: Session, username: str) -> Actor:
    user = session.execute(select(User).where(User.username == username)).scalar_one()
    return Actor.of(user)


def explain(session: Session, statement) -> str:
    sqlite = session.get_bind().dialect.name == "sqlite"
    compiled = statement.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
    )
    rows = session.execute(text(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + str(compiled)))
    return "\n".join("    " + " ".join(str(c) for c in row) for row in rows)


def measure(session: Session, username: str, repeat: int) -> None:
    who = actor(session, username)
    mine = select(func.count()).select_from(Notification).where(Notification.user_id == who.id)
    unread_only = mine.where(Notification.read_at.is_(None))
    unread, total = session.execute(unread_only).scalar_one(), session.execute(mine).scalar_one()
    capped = timed(lambda: notifications.unread_count(session, who.id), repeat)
    figures = {
        "uncapped count": timed(lambda: session.execute(unread_only).scalar_one(), repeat),
        "computed from the queue's counts": timed(
            lambda: workqueue.my_queue(session, who, section="returned", limit=1).counts,
            max(3, repeat // 5),
        ),
        "/notifications first page": timed(lambda: notifications.page(session, who), repeat),
    }
    deep = notifications.page(session, who).next_before
    for _ in range(98):
        if deep is None:
            break
        deep = notifications.page(session, who, before=deep).next_before
    figures["/notifications 100 pages deep"] = timed(
        lambda: notifications.page(session, who, before=deep), repeat
    )
    session.rollback()
    print(f"\n{username}: {total:,} notifications, {unread:,} unread")
    print(f"  {'capped unread count (the header)':36} {capped:8.2f} ms   1.00×")
    for name, ms in figures.items():
        print(f"  {name:36} {ms:8.2f} ms  {ms / capped:5.2f}×")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--refill", action="store_true")
    args = parser.parse_args()
    engine = create_engine(os.environ["DATABASE_URL"])
    with Session(engine) as session:
        deliverables = session.execute(text("SELECT count(*) FROM deliverable")).scalar_one()
        events = session.execute(select(func.max(AuditEvent.seq))).scalar_one()
        have = session.execute(select(func.count()).select_from(Notification)).scalar_one()
        if have == 0 or args.refill:
            started = time.perf_counter()
            have = fill(session)
            print(f"wrote {have:,} notifications in {time.perf_counter() - started:.1f} s")
        if session.get_bind().dialect.name == "postgresql":
            session.commit()
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE notification"))  # as autovacuum would
        else:
            session.execute(text("ANALYZE"))
            session.commit()
        print(
            f"database: {deliverables:,} deliverables, {events:,} audit events, "
            f"{have:,} notifications"
        )
        for username in ("vp.thamdinh", "vp.chuyenvien"):
            measure(session, username, args.repeat)
        who = actor(session, "vp.thamdinh")
        capped_sql = (
            select(Notification.id)
            .where(Notification.user_id == who.id, Notification.read_at.is_(None))
            .order_by(Notification.user_id, Notification.read_at, Notification.id)
            .limit(notifications.UNREAD_CAP)
        )
        print("\nplan of the capped count's inner range:")
        print(explain(session, capped_sql))
        print("plan of a page:")
        print(
            explain(
                session,
                select(Notification)
                .where(Notification.user_id == who.id)
                .order_by(Notification.id.desc())
                .limit(31),
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
