"""Arranging items in a given state, the way users would get them there (through perform)."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import AuditEvent, Deliverable, Task
from workflow.core import service
from workflow.core.policy import Actor
from workflow.items import council, editing, kinds

# The path from draft to each state, as (username, action) steps by the demo users.
PATH_TO = {
    "draft": (),
    "submitted": (("vp.chuyenvien", "submit"),),
    "reviewed": (("vp.chuyenvien", "submit"), ("vp.thamdinh", "review")),
    "approved": (("vp.chuyenvien", "submit"), ("vp.thamdinh", "review"), ("giamdoc", "approve")),
}


def office_deliverable(session: Session, kind: str = "steering_committee") -> Deliverable:
    return session.execute(select(Deliverable).where(Deliverable.kind == kind)).scalar_one()


COMPLETE_DATA = {
    "document": {},
    "regulation": {},
    "steering_committee": {
        "decision_number": "123/QĐ-SCT",
        "decision_date": "2025-11-10",
        "members": [
            {
                "full_name": "Trần Minh Đức",
                "position": "Giám đốc Sở",
                "unit": "Ban Giám đốc",
                "committee_role": "truong_ban",
            },
            {
                "full_name": "Lê Thị Hồng Nhung",
                "position": "Phó Giám đốc Sở",
                "unit": "Ban Giám đốc",
                "committee_role": "pho_truong_ban",
            },
            {
                "full_name": "Phạm Quốc Huy",
                "position": "Chánh Văn phòng",
                "unit": "Văn phòng Sở",
                "committee_role": "thanh_vien",
            },
        ],
    },
    "nominations": {
        "entries": [
            {
                "type": "collective",
                "name": "Văn phòng Sở",
                "unit": "Sở Công Thương",
                "model_name": "Một cửa thân thiện",
                "achievements": "Giải quyết hồ sơ đúng hạn",
                "proposed_form": "Giấy khen của Giám đốc Sở",
            }
        ]
    },
    "periodic_report": {
        "done": "Đã triển khai.",
        "results": "Đạt yêu cầu.",
        "difficulties": "",
        "proposals": "",
    },
}


def fill(session: Session, actors: dict[str, Actor], deliverable_id: int) -> None:
    """Everything the deliverable's kind needs before it can be submitted."""
    member = actors["vp.chuyenvien"]
    kind = session.get(Deliverable, deliverable_id).kind
    session.rollback()
    editing.edit_deliverable(
        session,
        member,
        deliverable_id,
        {"body": "Nội dung đầy đủ.", "data": COMPLETE_DATA[kind]},
    )
    for purpose in kinds.FILE_PURPOSES.get(kind, {}):
        editing.record_attachment(
            session,
            member,
            deliverable_id,
            filename=f"{purpose}.pdf",
            content_type="application/pdf",
            size=1234,
            sha256=purpose.ljust(64, "0")[:64],
            purpose=purpose,
        )


COUNCIL = ("phogiamdoc", "khtc.chuyenvien", "qltt.chuyenvien")  # 3 of the demo council's 4


def bring_to(session: Session, actors: dict[str, Actor], item: tuple[str, int], state: str) -> None:
    """Through the real actions; a kind reviewed by a council is reviewed by its votes."""
    reviewed_by_council = False
    if item[0] == "deliverable":
        fill(session, actors, item[1])
        reviewed_by_council = session.get(Deliverable, item[1]).kind == "nominations"
        session.rollback()
    for username, action in PATH_TO[state]:
        if action == "review" and reviewed_by_council:
            for member in COUNCIL:
                council.cast_vote(session, actors[member], item[1], in_favour=True)
        else:
            service.perform(session, actors[username], item, action)


def audit_count(session: Session) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def state_and_version(session: Session, item: tuple[str, int]) -> tuple[str, int]:
    session.rollback()
    model = Task if item[0] == "task" else Deliverable
    row = session.get(model, item[1])
    session.refresh(row)
    return row.state, row.version


def trail_disagreements(session: Session) -> list[tuple[str, int, str, str | None]]:
    """Items whose state is not the `to_state` of their last audit event that has one
    (an item no event moved is a draft): (kind, id, state, trail's state)."""
    session.rollback()
    last = (
        select(AuditEvent.item_type, AuditEvent.item_id, func.max(AuditEvent.seq).label("seq"))
        .where(AuditEvent.to_state.is_not(None), AuditEvent.item_type.in_(("task", "deliverable")))
        .group_by(AuditEvent.item_type, AuditEvent.item_id)
        .subquery()
    )
    trail = {
        (kind, item_id): state
        for kind, item_id, state in session.execute(
            select(last.c.item_type, last.c.item_id, AuditEvent.to_state).join(
                AuditEvent, AuditEvent.seq == last.c.seq
            )
        )
    }
    wrong = []
    for kind, model in (("task", Task), ("deliverable", Deliverable)):
        for item_id, state in session.execute(select(model.id, model.state)):
            said = trail.get((kind, item_id), "draft")
            if said != state:
                wrong.append((kind, item_id, state, said))
    return wrong


def inline_scripts(page: str) -> list[str]:
    """The page's scripts that are not a vendored file under /static/ with an empty body
    (what the CSP forbids): none is the only right answer."""
    return [
        attrs + body
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
        if body.strip() or not re.search(r'\bsrc="/static/[\w.-]+\.js"', attrs)
    ]
