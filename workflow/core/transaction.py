"""One write transaction of the engine: the write lock, the audit chain's head, commit or
rollback. Every operation that writes (a transition, an edit, a sign-out, a delegation, an
import) runs inside `write_transaction`, so the lock order and the chain are the same
everywhere and no caller writes its own begin/commit/rollback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from models.database import begin_write
from workflow.core import audit


@dataclass
class Write:
    """The open write: its session and connection, and the chain's head as it moves."""

    session: Session
    conn: Connection
    head: tuple[int, str]
    discarded: bool = field(default=False)

    def append(self, **fields: Any) -> dict[str, Any]:
        """Append one audit event after the last one written in this transaction."""
        row = audit.append(self.conn, self.head, **fields)
        self.head = (row["seq"], row["hash"])
        return row

    def discard(self) -> None:
        """End without writing anything: the block's changes are rolled back, quietly."""
        self.discarded = True


@contextmanager
def write_transaction(session: Session) -> Iterator[Write]:
    """Begin a write (the database's write lock), lock the audit chain's head, and yield.

    Commits when the block ends (rolls back instead if it called `discard()`); rolls back
    and re-raises if it raises."""
    try:
        begin_write(session)
        conn = session.connection()
        write = Write(session, conn, audit.lock_head(conn))
        yield write
        if write.discarded:
            session.rollback()
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
