"""Signed checkpoints of the audit chain: evidence a database owner cannot rewrite.

A checkpoint is the chain's head (seq, hash) at a time, signed with Ed25519 by a key kept
outside the database (a file under instance/, or the path in PHEDUYET_AUDIT_KEY). Each one
is appended to a write-once file (JSON lines, opened O_APPEND) and copied into the
`audit_checkpoint` table, which the results report and the dashboard print from. Anyone
holding the public key and the file can later prove that the chain still extends every
checkpoint: rewriting the chain, even with valid hashes and a moved head, changes the hash
at some signed seq.

The signed message (README, "Audit trail format"):
    b"pheduyet-audit-checkpoint/v1\\n" + f"{seq}\\n{hash}\\n{time}".encode()
with time "YYYY-MM-DDTHH:MM:SSZ" (UTC).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from models import AuditCheckpoint, utcnow
from workflow.core import audit, clock
from workflow.core.errors import WorkflowError

MESSAGE_PREFIX = b"pheduyet-audit-checkpoint/v1\n"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
NO_CHECKPOINT = "chưa có điểm kiểm chứng"


class CheckpointSetupError(WorkflowError):
    """A key or file is missing or unreadable (the command was called wrongly)."""

    code = "audit_checkpoint_setup"
    http_status = 400


class CheckpointFileDamaged(WorkflowError):
    """The checkpoint file has a line that is not a checkpoint: evidence was altered."""

    code = "audit_checkpoint_damaged"
    http_status = 409


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    signed_at: datetime  # naive UTC, whole seconds
    key_id: str
    signature: str  # base64

    @property
    def time_text(self) -> str:
        return self.signed_at.strftime(TIME_FORMAT)

    def message(self) -> bytes:
        return message(self.seq, self.hash, self.signed_at)

    def to_line(self) -> str:
        return json.dumps(
            {
                "seq": self.seq,
                "hash": self.hash,
                "time": self.time_text,
                "key_id": self.key_id,
                "signature": self.signature,
            },
            separators=(",", ":"),
        )

    @property
    def short(self) -> str:
        """ "a1b2c3d4e5f6 (sự kiện #123, 03/12/2026)": what the report and dashboard print."""
        day = clock.local_date(self.signed_at)
        return f"{self.hash[:12]} (sự kiện #{self.seq}, {day:%d/%m/%Y})"


def message(seq: int, hash_: str, at: datetime) -> bytes:
    return MESSAGE_PREFIX + f"{seq}\n{hash_}\n{at.strftime(TIME_FORMAT)}".encode()


# --- keys -----------------------------------------------------------------------------------


def public_key_path(private_path: Path) -> Path:
    return private_path.with_name(private_path.name + ".pub")


def key_id(public_key: Ed25519PublicKey) -> str:
    """The first 16 hex digits of the SHA-256 of the raw 32-byte public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def generate_key(private_path: Path) -> str:
    """Write a new Ed25519 key (PEM, mode 0600) and its public key beside it (`.pub`).

    Refuses to replace an existing key: checkpoints signed with it would no longer verify.
    Returns the key id.
    """
    public_path = public_key_path(private_path)
    if private_path.exists():
        raise CheckpointSetupError(f"khóa ký đã có tại {private_path}; không ghi đè.")
    private_path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    public = key.public_key()
    public_path.write_bytes(
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return key_id(public)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise CheckpointSetupError(
            f"không có khóa ký tại {path}; chạy `pheduyet audit-keygen` trước."
        ) from None
    except (ValueError, TypeError, OSError) as error:
        raise CheckpointSetupError(f"không đọc được khóa ký {path}: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointSetupError(f"{path} không phải khóa Ed25519.")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except FileNotFoundError:
        raise CheckpointSetupError(f"không có khóa công khai tại {path}.") from None
    except (ValueError, TypeError, OSError) as error:
        raise CheckpointSetupError(f"không đọc được khóa công khai {path}: {error}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointSetupError(f"{path} không phải khóa công khai Ed25519.")
    return key


# --- the write-once file -----------------------------------------------------------------


def parse_line(text: str, line_no: int) -> Checkpoint:
    try:
        data = json.loads(text)
        seq, hash_ = data["seq"], data["hash"]
        at = datetime.strptime(data["time"], TIME_FORMAT)
        key, signature = data["key_id"], data["signature"]
        if not (
            type(seq) is int
            and seq >= 0
            and isinstance(hash_, str)
            and len(hash_) == 64
            and isinstance(key, str)
            and isinstance(signature, str)
        ):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise CheckpointFileDamaged(
            f"dòng {line_no} của tệp điểm kiểm chứng không phải một điểm kiểm chứng."
        ) from None
    return Checkpoint(seq, hash_, at, key, signature)


def read_file(path: Path) -> list[Checkpoint]:
    """Every checkpoint in the file, in file order (an absent file has none)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as error:
        raise CheckpointSetupError(f"không đọc được tệp điểm kiểm chứng {path}: {error}") from None
    return [parse_line(line, n) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def append_to_file(path: Path, checkpoint: Checkpoint) -> None:
    """One line at the end (O_APPEND: never over what is there), flushed to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (checkpoint.to_line() + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


# --- signing and verifying --------------------------------------------------------------------


def sign(private_key: Ed25519PrivateKey, seq: int, hash_: str, at: datetime) -> Checkpoint:
    at = at.replace(microsecond=0, tzinfo=None)
    signature = private_key.sign(message(seq, hash_, at))
    return Checkpoint(
        seq, hash_, at, key_id(private_key.public_key()), base64.b64encode(signature).decode()
    )


def check_signature(checkpoint: Checkpoint, public_key: Ed25519PublicKey) -> str | None:
    """None when the checkpoint was signed by this key; else what is wrong."""
    expected = key_id(public_key)
    if checkpoint.key_id != expected:
        return (
            f"được ký bằng khóa {checkpoint.key_id}, không phải khóa công khai đã cho ({expected})"
        )
    try:
        public_key.verify(
            base64.b64decode(checkpoint.signature, validate=True), checkpoint.message()
        )
    except (InvalidSignature, binascii.Error, ValueError):
        return "chữ ký không hợp lệ"
    return None


CHECKPOINT_SUBJECT = "điểm kiểm chứng không hợp lệ"


def verify_with_checkpoints(
    conn: Connection,
    checkpoints: Sequence[Checkpoint],
    public_key: Ed25519PublicKey,
) -> audit.ChainReport:
    """Every signature checks with `public_key`, and the chain (from the first event) still
    has, at every checkpoint's seq, exactly the hash that was signed."""
    anchors: dict[int, str] = {}
    for n, checkpoint in enumerate(checkpoints, 1):
        problem = check_signature(checkpoint, public_key)
        if problem is None and anchors.get(checkpoint.seq, checkpoint.hash) != checkpoint.hash:
            problem = "hai điểm kiểm chứng ký hai mã băm khác nhau cho cùng một sự kiện"
        if problem is not None:
            return audit.ChainReport(
                False,
                0,
                checkpoint.seq,
                f"điểm kiểm chứng dòng {n} của tệp {problem}",
                subject=CHECKPOINT_SUBJECT,
            )
        anchors[checkpoint.seq] = checkpoint.hash
    anchors.pop(0, None)  # a checkpoint of the empty chain: nothing to compare
    return audit.verify(conn, anchors=anchors)


def create_checkpoint(
    engine: Engine,
    private_key: Ed25519PrivateKey,
    path: Path,
    now: datetime | None = None,
) -> Checkpoint:
    """Sign the chain's head, after checking the chain since the latest checkpoint.

    The events after the latest checkpoint in the file are verified (and that checkpoint's
    event must still have its signed hash), so a checkpoint never vouches for a chain
    already broken; the whole chain is verified by `verify-audit --checkpoints` (daily,
    from `pheduyet remind`). The line goes to the file first (the evidence), then the
    copy to the database.
    """
    existing = read_file(path)
    public_key = private_key.public_key()
    for n, checkpoint in enumerate(existing, 1):
        problem = check_signature(checkpoint, public_key)
        if problem is not None:
            raise CheckpointFileDamaged(
                f"điểm kiểm chứng dòng {n} của tệp (sự kiện #{checkpoint.seq}) {problem}."
            )
    latest = max(existing, key=lambda c: c.seq, default=None)
    start = (latest.seq, latest.hash) if latest is not None and latest.seq > 0 else None
    with audit.read_snapshot(engine) as conn:
        report = audit.verify(conn, start=start)
    if not report.ok:
        raise audit.ChainBroken(report)
    checkpoint = sign(private_key, report.last_seq, report.last_hash, now or utcnow())
    append_to_file(path, checkpoint)
    with engine.begin() as conn:
        conn.execute(
            AuditCheckpoint.__table__.insert(),
            {
                "seq": checkpoint.seq,
                "hash": checkpoint.hash,
                "signed_at": checkpoint.signed_at,
                "key_id": checkpoint.key_id,
                "signature": checkpoint.signature,
            },
        )
    return checkpoint


def latest(session: Session) -> Checkpoint | None:
    """The newest checkpoint's copy in the database (one row by primary key)."""
    row = session.execute(
        select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)
    ).scalar_one_or_none()
    if row is None:
        return None
    return Checkpoint(row.seq, row.hash, row.signed_at, row.key_id, row.signature)


def latest_text(session: Session) -> str:
    """The line the report and dashboard print: short hash, seq, date; or that there is none."""
    checkpoint = latest(session)
    return checkpoint.short if checkpoint is not None else NO_CHECKPOINT
