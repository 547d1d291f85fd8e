"""Turning a parsed plan document (documents.plan_parser's JSON) into a plan of the
organisation: units matched to known ones, sub-tasks as deliverables, one transaction with
an audit event naming the source file and its SHA-256."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Plan, Unit, UnitGroup
from workflow.core import text
from workflow.core.errors import Conflict, InvalidInput
from workflow.core.policy import Actor
from workflow.core.transaction import write_transaction
from workflow.intake import seed

TIMING = {"ongoing": "ongoing", "deadline": "deadline", "period": "period", "unknown": "unknown"}
_YEAR = re.compile(r"^\s*năm\s+\d{4}\s*\.?$", re.IGNORECASE)


def known_units(session: Session) -> list[dict[str, Any]]:
    """The organisation's units and unit groups, in the shape the parser matches against."""
    units = [
        {
            "code": u.code,
            "name": u.name,
            "aliases": [a for a in u.aliases.splitlines() if a],
            "group": False,
        }
        for u in session.execute(select(Unit).order_by(Unit.id)).scalars()
    ]
    groups = [
        {
            "code": g.code,
            "name": g.name,
            "aliases": [a for a in g.aliases.splitlines() if a],
            "group": True,
        }
        for g in session.execute(select(UnitGroup).order_by(UnitGroup.id)).scalars()
    ]
    return units + groups


def _codes(matches: list[dict[str, Any]], groups: set[str]) -> tuple[list[str], list[str]]:
    codes, unknown = [], []
    for match in matches:
        if match.get("code"):
            codes.append(("@" if match["code"] in groups else "") + match["code"])
        else:
            unknown.append(match["name"])
    return codes, unknown


def _slug(name: str) -> str:
    folded = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    ascii_name = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:36] or "don-vi"


def unknown_unit_names(parsed: dict[str, Any]) -> list[str]:
    names: list[str] = []

    def walk(tasks: list[dict[str, Any]]) -> None:
        for task in tasks:
            for match in task.get("lead_units", []) + task.get("coordinating_units", []):
                if not match.get("code") and match["name"] not in names:
                    names.append(match["name"])
            walk(task.get("subtasks", []))

    walk(parsed.get("tasks", []))
    return names


def _descendants(task: dict[str, Any], groups: set[str], inherited: list[str]):
    """Every sub-task below `task` (depth first) with its leads, or the nearest ancestor's."""
    for sub in task.get("subtasks", []):
        own, _ = _codes(sub.get("lead_units", []), groups)
        yield sub, own or inherited
        yield from _descendants(sub, groups, own or inherited)


def plan_data(
    parsed: dict[str, Any], groups: set[str], code: str, default_lead: str | None = None
) -> dict[str, Any]:
    """The structure `seed.load_plan` creates from; sub-tasks become deliverables."""
    header = parsed["plan"]
    tasks = []
    for position, task in enumerate(parsed["tasks"], start=1):
        leads, _ = _codes(task.get("lead_units", []), groups)
        coordinating, _ = _codes(task.get("coordinating_units", []), groups)
        parts = list(_descendants(task, groups, leads))
        if not leads:  # a task whose sub-tasks name the leads: the task is theirs together
            leads = list(dict.fromkeys(code for _, part_leads in parts for code in part_leads))
        if not leads and default_lead:
            leads = [default_lead]
        if not leads:
            raise InvalidInput(
                f"Nhiệm vụ {task['number']} chưa có đơn vị chủ trì; hãy bổ sung trước khi nhập."
            )
        timing = task.get("timing") or {}
        kind = TIMING.get(timing.get("kind") or "unknown", "unknown")
        if kind == "deadline" and _YEAR.match(timing.get("text") or ""):
            kind = "year"
        deliverables = [
            {
                "kind": "document",
                "title": f"{sub['number']}. {sub['title']}",
                "due_date": (sub.get("timing") or {}).get("due_date"),
                "lead": part_leads or leads,
            }
            for sub, part_leads in parts
        ]
        for product in task.get("products", []):
            deliverables.append({"kind": "document", "title": product})
        if not deliverables:
            deliverables.append(
                {
                    "kind": "document",
                    "title": f"Kết quả thực hiện nhiệm vụ {task['number']}",
                    "per_lead": len(leads) > 1 or leads[0].startswith("@"),
                }
            )
        number = int(task["number"]) if str(task["number"]).isdigit() else position
        tasks.append(
            {
                "number": number,
                "title": text.strip_invisible(task["title"]),
                "content": text.strip_invisible(task.get("content") or task["title"]),
                "lead": leads,
                "coordinating": coordinating,
                "lead_text": "; ".join(m["name"] for m in task.get("lead_units", [])),
                "coordinating_text": "; ".join(
                    m["name"] for m in task.get("coordinating_units", [])
                ),
                "timing_kind": kind,
                "timing_text": timing.get("text") or "",
                "due_date": timing.get("due_date"),
                "deliverables": deliverables,
            }
        )
    dues = [date.fromisoformat(t["due_date"]) for t in tasks if t["due_date"]]
    year = date.fromisoformat(header["date"]).year if header.get("date") else None
    period_end = max(dues) if dues else (date(year, 12, 31) if year else None)
    return {
        "code": code,
        "number": header.get("number") or "",
        "title": header.get("title") or "(chưa rõ tên kế hoạch)",
        "issuer": header.get("issuer") or "",
        "issue_date": header.get("date"),
        "parent_ref": header.get("parent") or "",
        "period_end": period_end.isoformat() if period_end else None,
        "tasks": tasks,
    }


def import_plan(
    session: Session,
    actor: Actor,
    parsed: dict[str, Any],
    *,
    source_name: str,
    sha256: str,
    source_text: str = "",
    create_units: bool = False,
    default_lead: str | None = None,
) -> Plan:
    """Create the plan, its tasks and deliverables, all or nothing (and audited)."""
    with write_transaction(session):
        code = f"KH-{sha256[:12]}"
        if session.execute(select(Plan.id).where(Plan.code == code)).first():
            raise Conflict(f"Văn bản này đã được nhập (mã kế hoạch {code}).")
        unknown = unknown_unit_names(parsed)
        if unknown and not create_units:
            raise InvalidInput(
                "Đơn vị chưa có trong danh mục: "
                + "; ".join(unknown)
                + ". Hãy thêm đơn vị (hoặc đồng ý tạo mới) rồi nhập lại."
            )
        taken = set(session.execute(select(Unit.code)).scalars())
        for name in unknown:
            slug = _slug(name)
            while slug in taken:
                slug += "-1"
            taken.add(slug)
            session.add(Unit(code=slug, name=name, short_name=name[:80], kind="division"))
            for tasks in (parsed["tasks"],):
                _mark_matched(tasks, name, slug)
        session.flush()
        groups = set(session.execute(select(UnitGroup.code)).scalars())
        if (
            default_lead
            and not session.execute(select(Unit.id).where(Unit.code == default_lead)).first()
        ):
            raise InvalidInput(f"Không có đơn vị mã “{default_lead}”.")
        plan = seed.load_plan(
            session,
            plan_data(parsed, groups, code, default_lead),
            source_text,
            by=actor,
            detail={"source": source_name, "sha256": sha256, "new_units": unknown},
        )
    return plan


def _mark_matched(tasks: list[dict[str, Any]], name: str, code: str) -> None:
    for task in tasks:
        for match in task.get("lead_units", []) + task.get("coordinating_units", []):
            if match["name"] == name and not match.get("code"):
                match["code"], match["matched"] = code, name
        _mark_matched(task.get("subtasks", []), name, code)
