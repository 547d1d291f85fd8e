"""Who read what: downloads of attachments, reports and trail exports are audit events.

A records system must answer "who took a copy of this document, and when", not only "who
changed it". Each download appends one event ("download") in a short transaction of its
own, after the permission check and before the file is sent; the item is the thing read:

- ("attachment", attachment id), with the item it belongs to and its file name;
- ("report", plan id), with the format and the period;
- ("commendation", deliverable id): the draft commendation decision;
- ("audit_export", None), with the filter used.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from workflow.core import audit
from workflow.core.policy import Actor
from workflow.core.transaction import write_transaction

DOWNLOAD = "download"


def record_download(
    session: Session,
    actor: Actor,
    item_type: str,
    item_id: int | None,
    *,
    detail: dict[str, Any] | None = None,
    client_addr: str | None = None,
) -> None:
    """Append a "download" event; commits (and ends whatever read transaction was open)."""
    with write_transaction(session) as write:
        write.append(
            item_type=item_type,
            item_id=item_id,
            action=DOWNLOAD,
            client_addr=client_addr,
            detail=detail or {},
            **audit.actor_fields(actor),
        )
