"""Fixing a draft without an administrator (issue 12): the edit form's one save (fields,
new files and files taken off, in one transaction), why a returned draft came back (shown
where it is fixed), and deleting a mistaken draft the unit added itself.

Every write runs in one `locked_item` block and is audited there; the rules are
`workflow.core.policy`'s (`why_not_edit`, `why_not_remove_attachment`, `why_not_delete_draft`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models import (
    Attachment,
    AuditEvent,
    Comment,
    Contribution,
    CouncilVote,
    Deliverable,
    RegulationVersion,
    StateStay,
    User,
)
from workflow.core import audit, machine, policy
from workflow.core.errors import InvalidTransition, NotFound, NotPermitted, WorkflowError
from workflow.core.policy import Actor
from workflow.core.service import locked_item, snapshot_of
from workflow.items import editing
from workflow.reads import queries

# The actions after which a draft's owners must read why it came back.
RETURNS = ("return", "reopen")


@dataclass(frozen=True)
class NewFile:
    """A file already checked and stored by the caller (webapp.storage), to name."""

    filename: str
    content_type: str
    size: int
    sha256: str
    purpose: str | None = None


def save_draft(
    session: Session,
    actor: Actor,
    deliverable_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int | None = None,
    files: Iterable[NewFile] = (),
    remove: Iterable[int] = (),
    client_addr: str | None = None,
) -> int:
    """The edit form's save: the fields, the files taken off and the new files, all or
    nothing, each audited as its own event ("edit", "detach", "attach"). Returns the
    item's version afterwards (files do not change it)."""
    item = ("deliverable", deliverable_id)
    with locked_item(session, actor, *item, expected_version) as (conn, _head, snap):
        # Several events in one transaction: each re-reads the chain's head it moved (None).
        version = editing.apply_edit(conn, None, actor, snap, changes, client_addr=client_addr)
        for attachment_id in dict.fromkeys(remove):
            editing.apply_removal(conn, None, actor, snap, attachment_id, client_addr=client_addr)
        for f in files:
            editing.apply_attachment(
                session,
                conn,
                None,
                actor,
                snap,
                filename=f.filename,
                content_type=f.content_type,
                size=f.size,
                sha256=f.sha256,
                purpose=f.purpose,
                client_addr=client_addr,
            )
    return version


# --- why it came back ------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnNote:
    """The last return (or reopening) of a draft: what to fix, who asked, when."""

    action: str  # "return" | "reopen"
    reason: str
    by_name: str  # the person's full name (their login if the account is gone)
    by_unit: str  # their unit at that moment, as the trail recorded it
    at: datetime  # UTC, naive (shown in Việt Nam time)


_LAST_TRANSITION = (
    select(AuditEvent)
    .where(AuditEvent.item_type == "deliverable", AuditEvent.action.in_(machine.ACTIONS))
    .order_by(AuditEvent.seq.desc())
    .limit(1)
)


def return_note(session: Session, deliverable_id: int) -> ReturnNote | None:
    """Why this draft came back, if the last thing that moved it was a return or a
    reopening (the item's own `last_action` says so without reading the trail; then one
    indexed read of its last transition). The caller has checked the actor may edit it."""
    found = session.execute(
        select(Deliverable.state, Deliverable.last_action).where(Deliverable.id == deliverable_id)
    ).first()
    if found is None or found.state != machine.DRAFT or found.last_action not in RETURNS:
        return None
    event = session.execute(
        _LAST_TRANSITION.where(AuditEvent.item_id == deliverable_id)
    ).scalar_one_or_none()
    if event is None or event.action not in RETURNS:
        return None
    name = None
    if event.actor_id is not None:
        name = session.execute(select(User.full_name).where(User.id == event.actor_id)).scalar()
    return ReturnNote(
        action=event.action,
        reason=event.reason or "",
        by_name=name or event.actor_username,
        by_unit=event.actor_unit or "",
        at=event.created_at,
    )


# --- deleting a mistaken draft ---------------------------------------------------------


@dataclass(frozen=True)
class DeletionPreview:
    """What the confirmation page shows before a draft is deleted."""

    id: int
    title: str
    kind: str
    task_id: int
    version: int
    attachments: int
    comments: int
    contributions: int


def _created_by(conn, deliverable_id: int) -> int | None:
    """Who added the deliverable (its "create" event); None for the plan's own products."""
    return conn.execute(
        select(AuditEvent.actor_id)
        .where(
            AuditEvent.item_type == "deliverable",
            AuditEvent.item_id == deliverable_id,
            AuditEvent.action == "create",
        )
        .order_by(AuditEvent.seq)
        .limit(1)
    ).scalar()


def _ever_submitted(snap, row) -> bool:
    return bool(snap.round) or snap.submitted_by_id is not None or row.last_action is not None


def _refusal(conn, actor: Actor, snap) -> None:
    row = conn.execute(select(Deliverable.last_action).where(Deliverable.id == snap.id)).one()
    found = policy.why_not_delete_draft(
        actor, snap, _created_by(conn, snap.id), _ever_submitted(snap, row)
    )
    if found is not None:
        error, message = found
        raise error(message)


def _count(conn, statement) -> int:
    return conn.execute(statement).scalar_one()


def deletion_preview(session: Session, actor: Actor, deliverable_id: int) -> DeletionPreview:
    """The draft as the confirmation page shows it; the same refusal `delete_draft` gives
    (404 unseen, 403 not theirs, 409 submitted once or the plan's own)."""
    d = queries.get_item(session, actor, "deliverable", deliverable_id)
    assert isinstance(d, Deliverable)
    snap = snapshot_of(d)
    conn = session.connection()
    _refusal(conn, actor, snap)
    return DeletionPreview(
        id=d.id,
        title=d.title,
        kind=d.kind,
        task_id=d.task_id,
        version=d.version,
        attachments=_count(
            conn,
            select(func.count())
            .select_from(Attachment)
            .where(Attachment.item_type == "deliverable", Attachment.item_id == d.id),
        ),
        comments=_count(
            conn,
            select(func.count())
            .select_from(Comment)
            .where(Comment.item_type == "deliverable", Comment.item_id == d.id),
        ),
        contributions=_count(
            conn,
            select(func.count())
            .select_from(Contribution)
            .where(Contribution.deliverable_id == d.id),
        ),
    )


def delete_draft(
    session: Session,
    actor: Actor,
    deliverable_id: int,
    *,
    expected_version: int | None = None,
    client_addr: str | None = None,
) -> int:
    """Delete a mistaken draft and what hangs on it (its files' names, comments,
    coordinating units' input); the trail keeps every event, and a "delete" event records
    the title, kind and task. Returns the task's id (where the user goes next)."""
    item = ("deliverable", deliverable_id)
    with locked_item(session, actor, *item, expected_version) as (conn, head, snap):
        _refusal(conn, actor, snap)
        title, kind, task_id = conn.execute(
            select(Deliverable.title, Deliverable.kind, Deliverable.task_id).where(
                Deliverable.id == deliverable_id
            )
        ).one()
        contributions = select(Contribution.id).where(Contribution.deliverable_id == deliverable_id)
        files = conn.execute(
            delete(Attachment).where(
                ((Attachment.item_type == "deliverable") & (Attachment.item_id == deliverable_id))
                | ((Attachment.item_type == "contribution") & Attachment.item_id.in_(contributions))
            )
        ).rowcount
        comments = conn.execute(
            delete(Comment).where(
                Comment.item_type == "deliverable", Comment.item_id == deliverable_id
            )
        ).rowcount
        inputs = conn.execute(
            delete(Contribution).where(Contribution.deliverable_id == deliverable_id)
        ).rowcount
        # Never submitted, so none of these should exist; cleared so the row can go.
        for table, column in (
            (CouncilVote, CouncilVote.deliverable_id),
            (RegulationVersion, RegulationVersion.deliverable_id),
            (StateStay, StateStay.deliverable_id),
        ):
            conn.execute(delete(table).where(column == deliverable_id))
        conn.execute(delete(Deliverable).where(Deliverable.id == deliverable_id))
        audit.append(
            conn,
            head,
            item_type="deliverable",
            item_id=deliverable_id,
            action="delete",
            from_state=snap.state,
            client_addr=client_addr,
            detail={
                "title": title,
                "kind": kind,
                "task_id": task_id,
                "version": snap.version,
                "attachments": files,
                "comments": comments,
                "contributions": inputs,
            },
            **audit.actor_fields(actor),
        )
    return task_id


def can_delete(session: Session, actor: Actor, deliverable_id: int) -> bool:
    """Whether the item page offers "Xóa dự thảo" (the same rule `delete_draft` applies)."""
    try:
        d = queries.get_item(session, actor, "deliverable", deliverable_id)
        _refusal(session.connection(), actor, snapshot_of(d))
    except WorkflowError:
        return False
    return True


# --- taking a wrong file off ---------------------------------------------------------


@dataclass(frozen=True)
class RemovalPreview:
    """What the confirmation page shows before a file is taken off its draft."""

    attachment_id: int
    filename: str
    size: int
    uploaded_by: str  # full name
    uploaded_at: datetime
    deliverable_id: int
    deliverable_title: str


def removal_preview(session: Session, actor: Actor, attachment_id: int) -> RemovalPreview:
    """The file as the confirmation page shows it; the refusal `remove_attachment` would
    give (404 unseen or not an item's file, 403 not theirs, 409 no longer a draft)."""
    found = session.execute(
        select(Attachment, User.full_name)
        .join(User, User.id == Attachment.uploaded_by_id)
        .where(Attachment.id == attachment_id)
    ).first()
    if found is None or found[0].item_type != "deliverable":
        raise NotFound("Không tìm thấy tệp này.")
    attachment, full_name = found
    d = queries.get_item(session, actor, "deliverable", attachment.item_id)
    snap = snapshot_of(d)
    why = policy.why_not_remove_attachment(actor, snap, attachment.uploaded_by_id)
    if why is not None:
        raise (InvalidTransition if snap.state != machine.DRAFT else NotPermitted)(why)
    return RemovalPreview(
        attachment_id=attachment.id,
        filename=attachment.filename,
        size=attachment.size,
        uploaded_by=full_name,
        uploaded_at=attachment.created_at,
        deliverable_id=d.id,
        deliverable_title=d.title,
    )
