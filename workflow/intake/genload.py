"""Fill a database to a given size, fast: plans, tasks, deliverables and a valid audit chain.

For benchmarks and for anyone evaluating the system at province size. The demo organisation
and users come from `seed.seed_demo` (so every role can sign in); then `plans` plans with
their tasks and `deliverables` deliverables are inserted in bulk, spread across the units
and the four states, each with a history of transitions in the audit trail that leads to
its state (submissions, returns, reviews, approvals, by the right people, in time order).
The trail is hash-chained with `workflow.core.audit.digest`, continuing the existing chain, so
`pheduyet verify-audit` passes. Inserts are `executemany` batches in a few transactions;
the planner's statistics are refreshed at the end.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from models import (
    AuditEvent,
    AuditHead,
    Deliverable,
    Plan,
    StateStay,
    Task,
    TaskUnit,
    Unit,
    User,
)
from models.database import begin_write
from workflow.core import audit
from workflow.core.machine import APPROVED, DRAFT, REVIEWED, SUBMITTED
from workflow.intake import seed

BATCH = 20_000
# Final states of the generated deliverables (weights): a plan year well under way.
STATE_WEIGHTS = ((DRAFT, 30), (SUBMITTED, 20), (REVIEWED, 10), (APPROVED, 40))
OWNER_UNITS = ("vp", "khtc", "qlcn", "qlnl", "qltm", "qltt")
REVIEWER, DIRECTOR = "vp.thamdinh", "giamdoc"
START = datetime(2025, 1, 6, 1, 0, 0)  # naive UTC, as the trail stores
SPAN_SECONDS = 330 * 24 * 3600
RETURN_REASON = "Cần bổ sung số liệu và căn cứ pháp lý."


@dataclass
class LoadReport:
    plans: int = 0
    tasks: int = 0
    deliverables: int = 0
    events: int = 0
    seconds: float = 0.0


def _tail(final: str) -> list[tuple[str, str, str]]:
    """The last transitions that leave a deliverable in `final` (action, from, to)."""
    steps = [("submit", DRAFT, SUBMITTED), ("review", SUBMITTED, REVIEWED)]
    steps.append(("approve", REVIEWED, APPROVED))
    return {DRAFT: [], SUBMITTED: steps[:1], REVIEWED: steps[:2], APPROVED: steps}[final]


_ROUND = (("submit", DRAFT, SUBMITTED), ("return", SUBMITTED, DRAFT))


def generate(
    session: Session,
    *,
    plans: int = 300,
    deliverables: int = 100_000,
    events: int = 1_000_000,
    password: str | None = None,
    password_method: str | None = None,
    seed_value: int = 11,
    progress: Callable[[str], None] | None = None,
) -> LoadReport:
    """Add `plans` plans (10 tasks each), `deliverables` deliverables and about `events`
    audit events (at least one per plan and what the states need) to the database."""
    import time

    say = progress or (lambda _message: None)
    started = time.perf_counter()
    if plans < 1 or deliverables < 0 or events < 0:
        raise ValueError("số kế hoạch, sản phẩm và sự kiện phải là số dương")
    if deliverables >= 1 << 20:
        raise ValueError("tối đa 1.048.575 sản phẩm")
    rng = random.Random(seed_value)
    seed.seed_demo(session, password=password, password_method=password_method)
    begin_write(session)
    conn = session.connection()
    head = audit.lock_head(conn)

    units = {u.code: u for u in session.execute(select(Unit)).scalars()}
    users = {u.username: u for u in session.execute(select(User)).scalars()}
    member_of = {}
    for code in OWNER_UNITS:
        name = f"{code}.chuyenvien"
        if code in units and name in users:
            member_of[units[code].id] = users[name]
    if not member_of:
        raise ValueError("không có chuyên viên nào của các đơn vị để trình sản phẩm")
    owner_ids = sorted(member_of)
    reviewer, director = users[REVIEWER], users[DIRECTOR]
    unit_name = {u.id: u.name for u in units.values()}

    def actor_of(user: User) -> dict:
        return {
            "actor_id": user.id,
            "actor_username": user.username,
            "actor_unit_id": user.unit_id,
            "actor_unit": unit_name[user.unit_id],
            "actor_roles": ",".join(sorted(user.roles)),
        }

    actor_cache = {u.id: actor_of(u) for u in (*member_of.values(), reviewer, director)}

    # --- plans and tasks ---------------------------------------------------------------
    first_plan = (session.execute(select(func.max(Plan.id))).scalar() or 0) + 1
    first_task = (session.execute(select(func.max(Task.id))).scalar() or 0) + 1
    first_deliv = (session.execute(select(func.max(Deliverable.id))).scalar() or 0) + 1
    tasks_per_plan = 10
    plan_rows, task_rows, link_rows = [], [], []
    task_owner, task_due = {}, {}
    for p in range(plans):
        pid = first_plan + p
        year = 2025 + (p % 2)
        issued = date(year, 1, 2) + timedelta(days=p % 300)
        plan_rows.append(
            {
                "id": pid,
                "code": f"kh-tai-{pid:05d}",
                "number": f"{100 + p}/KH-SCT",
                "title": f"Kế hoạch thực hiện nhiệm vụ số {p + 1} năm {year} của Sở Công Thương",
                "issuer": "Sở Công Thương Quảng Ngãi",
                "issue_date": issued,
                "parent_ref": "",
                "period_start": issued,
                "period_end": date(year, 12, 31),
                "source_text": "",
                "created_at": START + timedelta(days=p % 300),
            }
        )
        for n in range(1, tasks_per_plan + 1):
            tid = first_task + p * tasks_per_plan + n - 1
            owner = owner_ids[(p + n) % len(owner_ids)]
            due = issued + timedelta(days=30 * n + rng.randrange(0, 60))
            task_owner[tid], task_due[tid] = owner, due
            task_rows.append(
                {
                    "id": tid,
                    "plan_id": pid,
                    "number": n,
                    "title": f"Nhiệm vụ {n} của kế hoạch {p + 1}: triển khai, báo cáo kết quả",
                    "content": "Tổ chức triển khai và báo cáo kết quả thực hiện.",
                    "owner_unit_id": owner,
                    "lead_text": unit_name[owner],
                    "coordinating_text": "",
                    "timing_kind": "deadline",
                    "timing_text": due.strftime("Trước ngày %d/%m/%Y"),
                    "due_date": due,
                    "state": DRAFT,
                    "version": 1,
                    "updated_at": START,
                }
            )
            link_rows.append({"task_id": tid, "unit_id": owner, "role": "lead", "position": 0})
            other = owner_ids[(p + n + 1) % len(owner_ids)]
            if other != owner:
                link_rows.append(
                    {"task_id": tid, "unit_id": other, "role": "coordinating", "position": 0}
                )
    session.execute(insert(Plan), plan_rows)
    session.execute(insert(Task), task_rows)
    session.execute(insert(TaskUnit), link_rows)
    say(f"{plans} kế hoạch, {len(task_rows)} nhiệm vụ")

    # --- deliverables and their histories ----------------------------------------------
    task_ids = [r["id"] for r in task_rows]
    states = [s for s, _ in STATE_WEIGHTS]
    weights = [w for _, w in STATE_WEIGHTS]
    finals = rng.choices(states, weights, k=deliverables)
    base = sum(len(_tail(f)) for f in finals)
    # Extra (submit, return) rounds spread over the items to reach about `events`.
    extra_rounds = min(max(0, (events - plans - base) // 2), 25 * deliverables)
    rounds = [0] * deliverables
    for _ in range(extra_rounds if deliverables else 0):
        rounds[rng.randrange(deliverables)] += 1

    d_rows = []
    packed: list[int] = []  # (time << 26) | (item << 6) | step: sorted = the chain's order
    starts = []
    for i in range(deliverables):
        tid = task_ids[i % len(task_ids)] if task_ids else None
        unit = task_owner[tid] if rng.random() < 0.8 else owner_ids[i % len(owner_ids)]
        steps = len(_tail(finals[i])) + 2 * rounds[i]
        t0 = rng.randrange(0, SPAN_SECONDS - 3600 * 24 * (steps + 1))
        starts.append(t0)
        t = t0
        for step in range(steps):
            t += rng.randrange(3600, 3600 * 24 * 4)
            packed.append((t << 26) | (i << 6) | step)
        tail = _tail(finals[i])
        last_action = tail[-1][0] if tail else ("return" if rounds[i] else None)
        d_rows.append(
            {
                "id": first_deliv + i,
                "task_id": tid,
                "unit_id": unit,
                "kind": "document",
                "title": f"Báo cáo kết quả thực hiện số {i + 1}",
                "body": "Nội dung báo cáo.",
                "due_date": task_due[tid] - timedelta(days=rng.randrange(0, 20)),
                "required": True,
                "data": {},
                "round": rounds[i] + (1 if finals[i] != DRAFT else 0),
                "created_at": START + timedelta(seconds=t0),
                "state": finals[i],
                "version": 1 + steps,
                "updated_at": START + timedelta(seconds=t),
                "state_entered_at": START + timedelta(seconds=t) if steps else None,
                "last_action": last_action,
                "submitted_by_id": member_of[unit].id if finals[i] != DRAFT else None,
                "reviewed_by_id": reviewer.id if finals[i] in (REVIEWED, APPROVED) else None,
            }
        )
    for n in range(0, len(d_rows), BATCH):
        session.execute(insert(Deliverable), d_rows[n : n + BATCH])
    say(f"{deliverables} sản phẩm")
    packed.sort()

    # --- the chain -----------------------------------------------------------------------
    last_seq, last_hash = head
    digest = audit.digest
    batch: list[dict] = []
    written = 0

    def flush() -> None:
        nonlocal batch
        if batch:
            session.execute(insert(AuditEvent), batch)
            batch = []

    def append(row: dict) -> None:
        nonlocal last_seq, last_hash, written
        last_seq += 1
        row["seq"] = last_seq
        row["prev_hash"] = last_hash
        row["hash"] = last_hash = digest(row)
        batch.append(row)
        written += 1
        if len(batch) >= BATCH:
            flush()

    for r in plan_rows:
        append(
            {
                "item_type": "plan",
                "item_id": r["id"],
                "actor_id": None,
                "actor_username": "system",
                "actor_unit_id": None,
                "actor_unit": "",
                "actor_roles": "",
                "on_behalf_of_id": None,
                "on_behalf_of_username": None,
                "action": "create",
                "from_state": None,
                "to_state": None,
                "reason": None,
                "created_at": r["created_at"],
                "client_addr": None,
                "detail": audit.detail_json({"code": r["code"], "tasks": tasks_per_plan}),
            }
        )
    mask = (1 << 20) - 1
    task_plan = {r["id"]: r["plan_id"] for r in task_rows}
    entered = [START + timedelta(seconds=t0) for t0 in starts]
    stays: list[dict] = []
    for key in packed:
        step = key & 63
        i = (key >> 6) & mask
        at = START + timedelta(seconds=key >> 26)
        row = d_rows[i]
        pre = 2 * rounds[i]
        action, source, dest = _ROUND[step % 2] if step < pre else _tail(finals[i])[step - pre]
        who = (
            member_of[row["unit_id"]].id
            if action == "submit"
            else director.id
            if action == "approve"
            else reviewer.id
        )
        append(
            {
                "item_type": "deliverable",
                "item_id": row["id"],
                **actor_cache[who],
                "on_behalf_of_id": None,
                "on_behalf_of_username": None,
                "action": action,
                "from_state": source,
                "to_state": dest,
                "reason": RETURN_REASON if action == "return" else None,
                "created_at": at,
                "client_addr": f"10.0.0.{1 + i % 250}",
                "detail": f'{{"version": {step + 2}}}',
            }
        )
        stays.append(
            {
                "plan_id": task_plan[row["task_id"]],
                "deliverable_id": row["id"],
                "state": source,
                "seconds": (at - entered[i]).total_seconds(),
                "ended_at": at,
            }
        )
        entered[i] = at
        if len(stays) >= BATCH:
            session.execute(insert(StateStay), stays)
            stays = []
    flush()
    if stays:
        session.execute(insert(StateStay), stays)
    session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(last_seq=last_seq, last_hash=last_hash)
    )
    session.commit()
    say(f"{written} sự kiện nhật ký")
    refresh_statistics(session)
    return LoadReport(
        plans, len(task_rows), deliverables, written, round(time.perf_counter() - started, 1)
    )


PLAN_TABLES = ("plan", "task", "task_unit", "deliverable", "unit")


def refresh_statistics(session: Session, tables: tuple[str, ...] | None = None) -> None:
    """Bring the query planner's statistics up to date: of every table after a bulk load,
    of `tables` only after an import (not a read of the whole audit trail each time)."""
    session.commit()
    for statement in [f"ANALYZE {t}" for t in tables] if tables else ["ANALYZE"]:
        session.execute(text(statement))
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA optimize"))
    session.commit()
