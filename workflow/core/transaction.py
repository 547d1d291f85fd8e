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
    head: tuple[int, str] | None  # None: a write that appends no audit event
    discarded: bool = field(default=False)

    def append(self, **fields: Any) -> dict[str, Any]:
        """Append one audit event at the end of the chain. The head is read again (a row
        this transaction already holds locked): a function called inside the block may have
        appended events of its own."""
        if self.head is None:
            raise RuntimeError("append() in a write_transaction(audited=False)")
        row = audit.append(self.conn, **fields)
        self.head = (row["seq"], row["hash"])
        return row

    def discard(self) -> None:
        """End without writing anything: the transaction's changes are rolled back, quietly
        (the whole transaction's, when this block joined an outer one)."""
        self.discarded = True


_OPEN = "pheduyet.open_write"


@contextmanager
def write_transaction(session: Session, *, audited: bool = True) -> Iterator[Write]:
    """Begin a write (the database's write lock), lock the audit chain's head, and yield.

    Commits when the block ends (rolls back instead if it called `discard()`); rolls back
    and re-raises if it raises. A block opened inside another one on the same session joins
    it: one operation made of others (a deliverable created with its kind's fields, the
    demo seed) is one commit, and the outermost block decides it.

    `audited=False` is for bookkeeping that appends no event (the mail outbox's leases):
    it does not wait for the chain's head."""
    outer: Write | None = session.info.get(_OPEN)
    if outer is not None and session.in_transaction():
        if audited:  # read again: the outer block may have appended since it began
            outer.head = audit.lock_head(outer.conn)
        yield outer
        return
    try:
        begin_write(session)
        conn = session.connection()
        write = Write(session, conn, audit.lock_head(conn) if audited else None)
        session.info[_OPEN] = write
        try:
            yield write
        finally:
            session.info.pop(_OPEN, None)
        if write.discarded:
            session.rollback()
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
