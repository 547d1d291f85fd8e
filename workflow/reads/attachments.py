"""Files attached to an item (a task, a deliverable, a coordinating unit's contribution):
one row type for the item page, the contributions panel and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Attachment, Contribution, Unit, User
from workflow.core.errors import NotFound
from workflow.core.policy import Actor
from workflow.reads import queries, wording


@dataclass(frozen=True)
class AttachmentRow:
    id: int
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    created_at: datetime
    purpose: str | None = None  # a file the kind asks for by name (workflow.items.kinds)
    sha256: str = ""
    item_id: int = 0
    uploaded_by_name: str = ""  # "Nguyễn Văn A (Văn phòng Sở)"


def attachment_rows(session: Session, kind: str, item_ids: list[int]) -> list[AttachmentRow]:
    """The files of the given items (one query; by item, then oldest first)."""
    if not item_ids:
        return []
    return [
        AttachmentRow(
            a.id, a.filename, a.content_type, a.size, username, a.created_at, a.purpose,
            a.sha256, a.item_id, wording.person(full_name, unit, username),
        )
        for a, username, full_name, unit in session.execute(
            select(Attachment, User.username, User.full_name, Unit.name)
            .join(User, User.id == Attachment.uploaded_by_id)
            .outerjoin(Unit, Unit.id == User.unit_id)
            .where(Attachment.item_type == kind, Attachment.item_id.in_(item_ids))
            .order_by(Attachment.item_id, Attachment.id)
        )
    ]  # fmt: skip


def attachment_for_download(session: Session, actor: Actor, attachment_id: int) -> Attachment:
    """An attachment whose item the actor may see; NotFound otherwise (same answer)."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("Không tìm thấy tệp này, hoặc bạn không có quyền xem.")
    kind, item_id = attachment.item_type, attachment.item_id
    if kind == "contribution":  # a coordinating unit's file: whoever sees the deliverable
        kind, item_id = (
            "deliverable",
            session.execute(
                select(Contribution.deliverable_id).where(Contribution.id == item_id)
            ).scalar_one_or_none(),
        )
        if item_id is None:
            raise NotFound("Không tìm thấy tệp này, hoặc bạn không có quyền xem.")
    queries.get_item(session, actor, kind, item_id)
    return attachment
