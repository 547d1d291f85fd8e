"""The audit trail: append-only, hash-chained.

Each event stores the SHA-256 of its canonical content and of the previous event's hash
(`prev_hash`). `AuditHead` is one row holding the chain's last sequence number and hash:
writers lock it for the length of their transaction, so the chain stays one line, and a
truncated tail is detected. The database itself refuses UPDATE and DELETE on events
(triggers below, created by the initial migration as well).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, BigInteger, DateTime, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

# SQLite only aliases the rowid for a column declared exactly INTEGER PRIMARY KEY.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_item_type_item_id_seq", "item_type", "item_id", "seq"),
        Index("ix_audit_event_actor_id_seq", "actor_id", "seq"),
        Index("ix_audit_event_actor_username_seq", "actor_username", "seq"),
        Index("ix_audit_event_actor_unit_id_seq", "actor_unit_id", "seq"),
        Index("ix_audit_event_action_seq", "action", "seq"),
        Index("ix_audit_event_created_at", "created_at"),
    )

    # Assigned by the writer under the chain lock: 1, 2, 3, … with no gap.
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    item_type: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int | None] = mapped_column(Integer)
    # Denormalised on purpose: the trail records who the actor was *at that moment*.
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_username: Mapped[str] = mapped_column(String(80))
    actor_unit_id: Mapped[int | None] = mapped_column(Integer)
    actor_unit: Mapped[str] = mapped_column(String(200), default="")
    actor_roles: Mapped[str] = mapped_column(String(200), default="")
    # Set when the actor used a delegation (ủy quyền): whose authority they acted with.
    on_behalf_of_id: Mapped[int | None] = mapped_column(Integer)
    on_behalf_of_username: Mapped[str | None] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str | None] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    client_addr: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The chain's head: one row (id = 1)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(SeqType, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A signed checkpoint of the chain's head (a copy of a line of the checkpoint file).

    The signing key and the write-once file live outside the database (workflow.core.checkpoints);
    this copy is what the results report and the dashboard print.
    """

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC, whole seconds
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(100))  # base64 of the 64-byte Ed25519 signature


GENESIS_HASH = "0" * 64

SQLITE_TRIGGERS = (
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
)

# The checkpoints' copy is append-only as well.
SQLITE_CHECKPOINT_TRIGGERS = (
    """CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint
BEGIN SELECT RAISE(ABORT, 'audit_checkpoint is append-only'); END""",
    """CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint
BEGIN SELECT RAISE(ABORT, 'audit_checkpoint is append-only'); END""",
)

POSTGRES_TRIGGERS = (
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit_event is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()""",
)

POSTGRES_CHECKPOINT_TRIGGERS = (
    """CREATE OR REPLACE FUNCTION audit_checkpoint_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit_checkpoint is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_checkpoint_no_change BEFORE UPDATE OR DELETE ON audit_checkpoint
FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_append_only()""",
    """CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoint_append_only()""",
)

for _sql in SQLITE_CHECKPOINT_TRIGGERS:
    event.listen(AuditCheckpoint.__table__, "after_create", DDL(_sql).execute_if(dialect="sqlite"))
for _sql in POSTGRES_CHECKPOINT_TRIGGERS:
    event.listen(
        AuditCheckpoint.__table__, "after_create", DDL(_sql).execute_if(dialect="postgresql")
    )
for _sql in SQLITE_TRIGGERS:
    event.listen(AuditEvent.__table__, "after_create", DDL(_sql).execute_if(dialect="sqlite"))
for _sql in POSTGRES_TRIGGERS:
    event.listen(AuditEvent.__table__, "after_create", DDL(_sql).execute_if(dialect="postgresql"))
event.listen(
    AuditHead.__table__,
    "after_create",
    DDL(f"INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, '{GENESIS_HASH}')"),
)
