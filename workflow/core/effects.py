"""What follows a transition in the same transaction: mail to whoever must act next (the
outbox), the in-app inbox (notifications), and a regulation's versions."""

from __future__ import annotations

from sqlalchemy import Connection

from workflow.core.policy import Actor, ItemSnapshot
from workflow.items import regulation
from workflow.notify import notifications
from workflow.notify import outbox as notify


def after_transition(
    conn: Connection,
    snap: ItemSnapshot,
    action: str,
    to_state: str,
    actor: Actor,
    reason: str | None,
) -> None:
    if snap.deliverable_kind == "regulation":
        regulation.after_transition(conn, snap, action, actor)
    notify.after_transition(conn, snap, action, to_state, actor, reason)
    notifications.after_transition(conn, snap, action, to_state, actor, reason)
