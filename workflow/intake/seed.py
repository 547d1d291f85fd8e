"""The organisation of Sở Công Thương Quảng Ngãi and the seed plan, loaded idempotently."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    Council,
    CouncilMember,
    Deliverable,
    Plan,
    Task,
    TaskUnit,
    Unit,
    UnitGroup,
    User,
)
from workflow.accounts import users as accounts
from workflow.accounts.users import SYSTEM
from workflow.core import audit
from workflow.core.transaction import write_transaction
from workflow.items import periodic

# "Các phòng thuộc Sở": (code, name). Configurable: PHEDUYET_DIVISIONS="code=Name;code=Name".
DEFAULT_DIVISIONS: tuple[tuple[str, str], ...] = (
    ("khtc", "Phòng Kế hoạch - Tài chính"),
    ("qlcn", "Phòng Quản lý Công nghiệp"),
    ("qlnl", "Phòng Quản lý Năng lượng"),
    ("qltm", "Phòng Quản lý Thương mại"),
)
DIVISIONS_GROUP = "cac-phong"

FIXED_UNITS = (
    # code, name, short name, kind, aliases
    ("bgd", "Ban Giám đốc Sở", "Ban Giám đốc", "leadership", "Lãnh đạo Sở\nGĐ, các PGĐ Sở"),
    ("vp", "Văn phòng Sở", "Văn phòng", "office", "VP\nVăn phòng"),
    (
        "qltt",
        "Chi cục Quản lý thị trường",
        "Chi cục QLTT",
        "sub_department",
        "Chi cục QLTT\nChi cục Quản lý thị trường tỉnh",
    ),
)

# username, full name, unit code, roles
DEMO_USERS = (
    ("giamdoc", "Trần Minh Đức", "bgd", ("director",)),
    ("phogiamdoc", "Lê Thị Hồng Nhung", "bgd", ("deputy_director",)),
    ("vp.thamdinh", "Phạm Quốc Huy", "vp", ("reviewer",)),
    ("vp.chuyenvien", "Nguyễn Thị Lan", "vp", ("member",)),
    ("qltt.chuyenvien", "Võ Văn Tâm", "qltt", ("member",)),
    ("kiemtra", "Đặng Thu Trang", "vp", ("auditor",)),
    ("admin", "Quản trị hệ thống", "vp", ("admin",)),
)


DEMO_MAIL_DOMAIN = "sct-quangngai.example"  # a reserved TLD: demo mail never leaves

# The emulation council votes on "Dân vận khéo" nominations: M of N members.
DEMO_COUNCIL = {
    "code": "hd-thi-dua",
    "name": "Hội đồng Thi đua - Khen thưởng Sở",
    "quorum": 3,
    "deliverable_kind": "nominations",
    "members": ("phogiamdoc", "vp.thamdinh", "khtc.chuyenvien", "qltt.chuyenvien"),
}


def ensure_council(session: Session, spec: dict[str, Any] = DEMO_COUNCIL) -> bool:
    """Create the council and its members if missing; True if it was created."""
    if session.execute(select(Council.id).where(Council.code == spec["code"])).first():
        return False
    council = Council(
        code=spec["code"],
        name=spec["name"],
        quorum=spec["quorum"],
        deliverable_kind=spec["deliverable_kind"],
    )
    session.add(council)
    session.flush()
    users = session.execute(select(User.id).where(User.username.in_(spec["members"]))).scalars()
    session.add_all(CouncilMember(council_id=council.id, user_id=uid) for uid in users)
    session.flush()
    return True


def parse_divisions(text: str | None) -> tuple[tuple[str, str], ...]:
    """ "khtc=Phòng Kế hoạch - Tài chính;qlcn=…" → ((code, name), …); empty → the defaults."""
    if not text or not text.strip():
        return DEFAULT_DIVISIONS
    pairs = []
    for part in text.split(";"):
        code, sep, name = part.partition("=")
        if not sep or not code.strip() or not name.strip():
            raise ValueError(f"PHEDUYET_DIVISIONS: expected code=Name, got {part!r}")
        pairs.append((code.strip().lower(), name.strip()))
    return tuple(pairs)


def seed_plan_data() -> dict[str, Any]:
    return json.loads(
        resources.files("workflow").joinpath("data/seed_plan.json").read_text("utf-8")
    )


def seed_plan_text() -> str:
    return resources.files("workflow").joinpath("data/seed_plan.txt").read_text("utf-8")


@dataclass
class SeedReport:
    units_created: int = 0
    users_created: list[str] = field(default_factory=list)
    plan_created: bool = False
    password: str | None = None


def ensure_organisation(session: Session, divisions=DEFAULT_DIVISIONS) -> int:
    """Create the units and the divisions group that are missing; returns how many units."""
    existing = {u.code: u for u in session.execute(select(Unit)).scalars()}
    created = 0
    rows = [
        *FIXED_UNITS[:2],
        *((c, n, n.replace("Phòng ", "P. "), "division", "") for c, n in divisions),
        FIXED_UNITS[2],
    ]
    for code, name, short, kind, aliases in rows:
        if code not in existing:
            existing[code] = Unit(
                code=code, name=name, short_name=short, kind=kind, aliases=aliases
            )
            session.add(existing[code])
            created += 1
    group = session.execute(
        select(UnitGroup).where(UnitGroup.code == DIVISIONS_GROUP)
    ).scalar_one_or_none()
    if group is None:
        group = UnitGroup(
            code=DIVISIONS_GROUP,
            name="Các phòng thuộc Sở",
            aliases="các phòng\ncác phòng chuyên môn",
        )
        session.add(group)
    for code, _ in divisions:
        if existing[code] not in group.units:
            group.units.append(existing[code])
    session.flush()
    return created


def _expand(session: Session, codes: list[str]) -> list[Unit]:
    units: list[Unit] = []
    for code in codes:
        if code.startswith("@"):
            group = session.execute(
                select(UnitGroup).where(UnitGroup.code == code[1:])
            ).scalar_one()
            units.extend(group.units)
        else:
            units.append(session.execute(select(Unit).where(Unit.code == code)).scalar_one())
    return list(dict.fromkeys(units))


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def load_plan(
    session: Session,
    data: dict[str, Any],
    source_text: str = "",
    by=SYSTEM,
    detail: dict[str, Any] | None = None,
) -> Plan:
    """Create a plan, its tasks and deliverables from structured data (unit codes, '@group').

    One write transaction with one audit event for the plan (joined with the caller's, if
    it is inside one).
    """
    with write_transaction(session) as write:
        conn, head = write.conn, write.head
        period_end = _date(data.get("period_end"))
        plan = Plan(
            code=data["code"],
            number=data.get("number", ""),
            title=data["title"],
            issuer=data["issuer"],
            issue_date=_date(data.get("issue_date")),
            parent_ref=data.get("parent_ref", ""),
            period_start=_date(data.get("period_start")),
            period_end=period_end,
            source_text=source_text,
        )
        session.add(plan)
        deliverable_count = 0
        for t in data["tasks"]:
            leads = _expand(session, t["lead"])
            coordinating = [u for u in _expand(session, t["coordinating"]) if u not in leads]
            due = _date(t.get("due_date"))
            task = Task(
                plan=plan,
                number=t["number"],
                title=t["title"],
                content=t.get("content", ""),
                owner_unit=leads[0],
                lead_text=t.get("lead_text", ""),
                coordinating_text=t.get("coordinating_text", ""),
                timing_kind=t["timing_kind"],
                timing_text=t.get("timing_text", ""),
                due_date=due,
                unit_links=[TaskUnit(unit=u, role="lead", position=i) for i, u in enumerate(leads)]
                + [
                    TaskUnit(unit=u, role="coordinating", position=i)
                    for i, u in enumerate(coordinating)
                ],
            )
            session.add(task)
            for d in t.get("deliverables", []):
                own_leads = _expand(session, d["lead"]) if d.get("lead") else leads
                owners = own_leads if d.get("per_lead") else own_leads[:1]
                for unit in owners:
                    title = f"{d['title']} — {unit.name}" if d.get("per_lead") else d["title"]
                    session.add(
                        Deliverable(
                            task=task,
                            unit=unit,
                            kind=d["kind"],
                            title=title,
                            due_date=_date(d.get("due_date")) or due or period_end,
                        )
                    )
                    deliverable_count += 1
        session.flush()
        audit.append(
            conn,
            head,
            item_type="plan",
            item_id=plan.id,
            action="create",
            detail={
                "code": plan.code,
                "tasks": len(data["tasks"]),
                "deliverables": deliverable_count,
                **(detail or {}),
            },
            **audit.actor_fields(by),
        )
    return plan


def has_users(session: Session) -> bool:
    return session.execute(select(User.id).limit(1)).first() is not None


def seed_demo(
    session: Session,
    *,
    password: str | None = None,
    divisions=DEFAULT_DIVISIONS,
    password_method: str | None = None,
    frequency: str = "monthly",
) -> SeedReport:
    """Units, demo users for every role and the seed plan with its periodic reports, in one
    write transaction; what exists is left as it is."""
    with write_transaction(session) as write:
        report = SeedReport()
        report.units_created = ensure_organisation(session, divisions)
        users = [
            *DEMO_USERS,
            *((f"{c}.chuyenvien", f"Chuyên viên {n}", c, ("member",)) for c, n in divisions),
        ]
        known = set(session.execute(select(User.username)).scalars())
        missing = [u for u in users if u[0] not in known]
        if missing and password is None:
            password = secrets.token_urlsafe(12)
            report.password = password
        for username, full_name, unit_code, roles in missing:
            accounts.create_user(
                session,
                username=username,
                full_name=full_name,
                unit_code=unit_code,
                roles=roles,
                password=password,
                email=f"{username}@{DEMO_MAIL_DOMAIN}",
                password_method=password_method,
                demo=True,
            )
            report.users_created.append(username)
        ensure_council(session)
        data = seed_plan_data()
        if not session.execute(select(Plan.id).where(Plan.code == data["code"])).first():
            plan = load_plan(session, data, seed_plan_text())
            report.plan_created = True
            periodic.add_periodic_reports(write, plan.id, frequency)
    return report
