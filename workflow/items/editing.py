"""Changes to an item's content (not its state): edits, new deliverables, comments, files.

Each is audited in the same transaction, under the same chain lock as `perform`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import Attachment, Comment, Contribution, Deliverable, Plan, Task, TaskUnit
from models.plan import DELIVERABLE_KINDS
from workflow.core import audit, policy, text
from workflow.core.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    NotPermitted,
    ReasonRequired,
    StaleVersion,
)
from workflow.core.policy import Actor, ItemSnapshot
from workflow.core.service import change_item, coordinates, locked_item
from workflow.core.transaction import write_transaction
from workflow.items import kinds

# What the owning unit edits in a draft. The due date is not theirs: it comes from the plan
# and only `change_due_date` moves it.
EDITABLE_FIELDS = ("title", "body", "data")
MAX_TITLE = 500
MAX_BODY = 200_000
MAX_REASON = 10_000


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - {*EDITABLE_FIELDS, "due_date"}
    if unknown:
        raise InvalidInput(f"Không sửa được trường: {', '.join(sorted(unknown))}.")
    clean: dict[str, Any] = {}
    if "title" in changes:
        clean["title"] = text.clean_title(changes["title"], MAX_TITLE)
    if "body" in changes:
        body = changes["body"] or ""
        if len(body) > MAX_BODY:
            raise InvalidInput(f"Nội dung không quá {MAX_BODY} ký tự.")
        clean["body"] = body
    if "due_date" in changes:
        due = changes["due_date"]
        if due is not None and not isinstance(due, date):
            raise InvalidInput("Hạn hoàn thành không hợp lệ (dd/mm/yyyy).")
        clean["due_date"] = due
    if "data" in changes:
        clean["data"] = changes["data"]  # validated against the item's kind under the lock
    return clean


def _require_edit(actor: Actor, snap: ItemSnapshot) -> None:
    why = policy.why_not_edit(actor, snap)
    if why is not None:
        raise (InvalidTransition if snap.state != "draft" else NotPermitted)(why)


def edit_deliverable(
    session: Session,
    actor: Actor,
    deliverable_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int | None = None,
    client_addr: str | None = None,
) -> int:
    """Apply `changes` to a draft; returns the new version (unchanged if nothing changed)."""
    item = ("deliverable", deliverable_id)
    with locked_item(session, actor, *item, expected_version) as (conn, head, snap):
        return apply_edit(conn, head, actor, snap, changes, client_addr=client_addr)


def apply_edit(
    conn,
    head,
    actor: Actor,
    snap: ItemSnapshot,
    changes: dict[str, Any],
    *,
    client_addr: str | None = None,
) -> int:
    """`edit_deliverable` inside a `locked_item` block the caller holds."""
    _require_edit(actor, snap)  # permission before input: a refused user learns nothing
    deliverable_id = snap.id
    clean = _clean(changes)
    if "data" in clean:
        clean["data"] = kinds.clean_data(snap.deliverable_kind, clean["data"])
    table = Deliverable.__table__
    current = (
        conn.execute(
            select(*(table.c[f] for f in (*EDITABLE_FIELDS, "due_date"))).where(
                table.c.id == deliverable_id
            )
        )
        .one()
        ._asdict()
    )
    # Sent back unchanged (a client echoing the item) is fine; a change is refused.
    if "due_date" in clean and clean.pop("due_date") != current["due_date"]:
        raise NotPermitted(policy.DUE_DATE_FROM_PLAN)
    diff = {f: [current[f], v] for f, v in clean.items() if current[f] != v}
    if not diff:
        return snap.version
    return change_item(
        conn,
        head,
        snap,
        actor,
        "edit",
        {f: v for f, (_, v) in diff.items()},
        detail={"changes": diff},
        client_addr=client_addr,
    )


def create_deliverable(
    session: Session,
    actor: Actor,
    task_id: int,
    *,
    title: str,
    kind: str = "document",
    body: str = "",
    due_date: date | None = None,
    data: dict[str, Any] | None = None,
    client_addr: str | None = None,
) -> Deliverable:
    """A new draft owned by the actor's unit, which must lead the task. Its due date is the
    plan's (the task's deadline, else the plan's end); `due_date`, if given, must be that
    date: a unit does not set its own deadlines (policy.why_not_change_due_date).

    With `data` (the kind's own fields) the draft and its fields are one commit: the trail
    shows "create" then "edit", and nothing exists if the fields are refused."""
    with write_transaction(session):
        deliverable = _create_deliverable(
            session, actor, task_id, title, kind, body, due_date, client_addr
        )
        if data is not None:
            edit_deliverable(
                session, actor, deliverable.id, {"data": data}, client_addr=client_addr
            )
    return deliverable


def _create_deliverable(
    session: Session,
    actor: Actor,
    task_id: int,
    title: str,
    kind: str,
    body: str,
    due_date: date | None,
    client_addr: str | None,
) -> Deliverable:
    with locked_item(session, actor, "task", task_id) as (conn, head, task_snap):
        leads = set(
            session.execute(
                select(TaskUnit.unit_id).where(TaskUnit.task_id == task_id, TaskUnit.role == "lead")
            ).scalars()
        )
        if not policy.can_create_deliverable(actor, leads):
            raise NotPermitted(
                "Chỉ chuyên viên của đơn vị chủ trì nhiệm vụ mới được thêm sản phẩm."
            )
        if kind not in DELIVERABLE_KINDS:
            raise InvalidInput(
                f"Loại sản phẩm không hợp lệ; chọn trong: {', '.join(DELIVERABLE_KINDS)}."
            )
        clean = _clean({"title": title, "body": body, "due_date": due_date})
        planned = session.execute(
            select(Task.due_date, Plan.period_end)
            .join(Plan, Plan.id == Task.plan_id)
            .where(Task.id == task_snap.id)
        ).one()
        plan_due = planned.due_date or planned.period_end
        if clean["due_date"] is not None and clean["due_date"] != plan_due:
            raise NotPermitted(policy.DUE_DATE_FROM_PLAN)
        clean["due_date"] = plan_due
        deliverable = Deliverable(task_id=task_snap.id, unit_id=actor.unit_id, kind=kind, **clean)
        session.add(deliverable)
        session.flush()
        audit.append(
            conn,
            head,
            item_type="deliverable",
            item_id=deliverable.id,
            action="create",
            to_state=deliverable.state,
            client_addr=client_addr,
            detail={"task_id": task_id, "kind": kind, "title": clean["title"]},
            **audit.actor_fields(actor),
        )
    return deliverable


def add_comment(
    session: Session,
    actor: Actor,
    item: tuple[str, int],
    body: str,
    *,
    client_addr: str | None = None,
) -> Comment:
    """Anyone who can see an item may comment on it."""
    body = (body or "").strip()
    kind, item_id = item
    with locked_item(session, actor, kind, item_id) as (conn, head, _snap):
        if not body or len(body) > 10_000:
            raise InvalidInput("Ý kiến không được để trống và không quá 10.000 ký tự.")
        comment = Comment(item_type=kind, item_id=item_id, author_id=actor.id, body=body)
        session.add(comment)
        session.flush()
        audit.append(
            conn,
            head,
            item_type=kind,
            item_id=item_id,
            action="comment",
            client_addr=client_addr,
            detail={"comment_id": comment.id, "body": body},
            **audit.actor_fields(actor),
        )
    return comment


def record_attachment(
    session: Session,
    actor: Actor,
    deliverable_id: int,
    *,
    filename: str,
    content_type: str,
    size: int,
    sha256: str,
    purpose: str | None = None,
    client_addr: str | None = None,
) -> Attachment:
    """Name an already stored file (validated by the caller) on a draft the actor may edit."""
    with locked_item(session, actor, "deliverable", deliverable_id) as (conn, head, snap):
        return apply_attachment(
            session,
            conn,
            head,
            actor,
            snap,
            filename=filename,
            content_type=content_type,
            size=size,
            sha256=sha256,
            purpose=purpose,
            client_addr=client_addr,
        )


def apply_attachment(
    session: Session,
    conn,
    head,
    actor: Actor,
    snap: ItemSnapshot,
    *,
    filename: str,
    content_type: str,
    size: int,
    sha256: str,
    purpose: str | None = None,
    client_addr: str | None = None,
) -> Attachment:
    """`record_attachment` inside a `locked_item` block the caller holds."""
    _require_edit(actor, snap)
    if purpose is not None and purpose not in kinds.FILE_PURPOSES.get(snap.deliverable_kind, {}):
        raise InvalidInput("Mục đích của tệp không hợp lệ cho loại sản phẩm này.")
    attachment = Attachment(
        purpose=purpose,
        item_type="deliverable",
        item_id=snap.id,
        filename=filename,
        content_type=content_type,
        size=size,
        sha256=sha256,
        uploaded_by_id=actor.id,
    )
    session.add(attachment)
    session.flush()
    audit.append(
        conn,
        head,
        item_type="deliverable",
        item_id=snap.id,
        action="attach",
        client_addr=client_addr,
        detail={
            "purpose": purpose,
            "attachment_id": attachment.id,
            "filename": filename,
            "sha256": sha256,
            "size": size,
        },
        **audit.actor_fields(actor),
    )
    return attachment


def add_contribution(
    session: Session,
    actor: Actor,
    deliverable_id: int,
    body: str,
    *,
    files: tuple[dict[str, Any], ...] = (),
    client_addr: str | None = None,
) -> Contribution:
    """A coordinating unit's input to the lead unit's draft: text and stored files
    (`files`: dicts of filename, content_type, size, sha256, already validated)."""
    body = (body or "").strip()
    with locked_item(session, actor, "deliverable", deliverable_id) as (conn, head, snap):
        why = policy.why_not_contribute(actor, snap, coordinates(conn, actor, snap))
        if why is not None:
            raise (InvalidTransition if snap.state != "draft" else NotPermitted)(why)
        if not body or len(body) > MAX_BODY:
            raise InvalidInput("Ý kiến đóng góp không được để trống.")
        contribution = Contribution(
            deliverable_id=deliverable_id, unit_id=actor.unit_id, author_id=actor.id, body=body
        )
        session.add(contribution)
        session.flush()
        session.add_all(
            Attachment(
                item_type="contribution",
                item_id=contribution.id,
                filename=f["filename"],
                content_type=f["content_type"],
                size=f["size"],
                sha256=f["sha256"],
                uploaded_by_id=actor.id,
            )
            for f in files
        )
        session.flush()
        audit.append(
            conn,
            head,
            item_type="deliverable",
            item_id=deliverable_id,
            action="contribute",
            client_addr=client_addr,
            detail={
                "contribution_id": contribution.id,
                "unit": actor.unit_name,
                "body": body,
                "files": [f["filename"] for f in files],
            },
            **audit.actor_fields(actor),
        )
    return contribution


def remove_attachment(
    session: Session, actor: Actor, attachment_id: int, *, client_addr: str | None = None
) -> str:
    """Take a wrong file off a draft (`policy.why_not_remove_attachment` decides); returns
    its name. The stored bytes stay: another item may name the same file, and the trail
    keeps what was attached."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.item_type != "deliverable":
        session.rollback()
        raise NotFound("Không tìm thấy tệp này.")
    deliverable_id = attachment.item_id
    session.rollback()
    with locked_item(session, actor, "deliverable", deliverable_id) as (conn, head, snap):
        return apply_removal(conn, head, actor, snap, attachment_id, client_addr=client_addr)


_A = Attachment.__table__


def apply_removal(
    conn, head, actor: Actor, snap: ItemSnapshot, attachment_id: int, *, client_addr=None
) -> str:
    """`remove_attachment` inside a `locked_item` block the caller holds: the file must be
    one of this item's (NotFound otherwise); audited as "detach"."""
    found = conn.execute(
        select(_A.c.filename, _A.c.uploaded_by_id).where(
            _A.c.id == attachment_id,
            _A.c.item_type == "deliverable",
            _A.c.item_id == snap.id,
        )
    ).first()
    if found is None:
        raise NotFound("Không tìm thấy tệp này.")
    why = policy.why_not_remove_attachment(actor, snap, found.uploaded_by_id)
    if why is not None:
        raise (InvalidTransition if snap.state != "draft" else NotPermitted)(why)
    conn.execute(delete(_A).where(_A.c.id == attachment_id))
    audit.append(
        conn,
        head,
        item_type="deliverable",
        item_id=snap.id,
        action="detach",
        client_addr=client_addr,
        detail={"attachment_id": attachment_id, "filename": found.filename},
        **audit.actor_fields(actor),
    )
    return found.filename


def change_due_date(
    session: Session,
    actor: Actor,
    deliverable_id: int,
    new_date: date | None,
    reason: str | None,
    *,
    expected_version: int | None = None,
    client_addr: str | None = None,
) -> int:
    """Move a deliverable's due date (the plan's): the Office reviewer or the Director only,
    with a reason, not once approved; audited with the old and new dates. Returns the new
    version (unchanged if the date is the same)."""
    reason = (reason or "").strip()
    item = ("deliverable", deliverable_id)
    with locked_item(session, actor, *item) as (conn, head, snap):
        why = policy.why_not_change_due_date(actor, snap)
        if why is not None:  # permission before the version: a refused user learns nothing
            raise NotPermitted(why)
        if expected_version is not None and snap.version != expected_version:
            raise StaleVersion(
                "Mục này vừa được người khác thay đổi; hãy tải lại trang và thử lại.",
                current_version=snap.version,
            )
        if snap.state == "approved":
            raise InvalidTransition("Mục đã được phê duyệt; không đổi hạn hoàn thành nữa.")
        if not isinstance(new_date, date):
            raise InvalidInput("Hạn hoàn thành không hợp lệ (dd/mm/yyyy).")
        if not reason:
            raise ReasonRequired("Đổi hạn hoàn thành cần ghi rõ lý do.")
        if len(reason) > MAX_REASON:
            raise InvalidInput(f"Lý do không quá {MAX_REASON} ký tự.")
        table = Deliverable.__table__
        old = conn.execute(select(table.c.due_date).where(table.c.id == deliverable_id)).scalar()
        if old == new_date:
            return snap.version
        return change_item(
            conn,
            head,
            snap,
            actor,
            "change_due_date",
            {"due_date": new_date},
            detail={"from": old.isoformat() if old else None, "to": new_date.isoformat()},
            reason=reason,
            client_addr=client_addr,
        )
