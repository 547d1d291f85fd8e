"""Configuration from the environment, with safe defaults."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Any


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into instance/ (mode 600)."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    path = instance / "secret_key"
    if not path.exists():
        _create_once(path, secrets.token_hex(32))
    return path.read_text().strip()


def _create_once(path: Path, text: str) -> None:
    """Write `path` whole, unless another process got there first: the text goes to a file
    of this process's own, which is then linked to `path` (atomic; fails if it exists).
    Several workers starting at once therefore all read the same, complete key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):  # another worker's key is there: use it
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def from_environment(instance: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    """The settings: `overrides` (tests, embedding) win over the environment."""
    settings = {
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'pheduyet.db'}",
        "DEMO_PASSWORD": os.environ.get("PHEDUYET_DEMO_PASSWORD") or None,
        "DIVISIONS": os.environ.get("PHEDUYET_DIVISIONS", ""),
        "PASSWORD_HASH_METHOD": os.environ.get("PHEDUYET_PASSWORD_HASH", "scrypt"),
        "UPLOAD_FOLDER": os.environ.get("PHEDUYET_UPLOAD_DIR") or str(instance / "uploads"),
        "IMPORT_FOLDER": os.environ.get("PHEDUYET_IMPORT_DIR") or str(instance / "imports"),
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        # The edit form is multipart (fields and files together, issue 12): room for its
        # longest text (200,000 characters of UTF-8) and its longest list (200 rows of 6).
        "MAX_FORM_MEMORY_SIZE": 1_000_000,
        "MAX_FORM_PARTS": 2_000,
        "API_TOKEN_HOURS": int(os.environ.get("PHEDUYET_API_TOKEN_HOURS", "12")),
        "SMTP_HOST": os.environ.get("SMTP_HOST", "localhost"),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "25")),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": os.environ.get("SMTP_STARTTLS", "") == "1",
        "MAIL_FROM": os.environ.get("MAIL_FROM", "pheduyet@localhost"),
        "REPORT_FREQUENCY": os.environ.get("PHEDUYET_REPORT_FREQUENCY", "monthly"),
        "REMIND_DUE_SOON_DAYS": int(os.environ.get("PHEDUYET_DUE_SOON_DAYS", "3")),
        "REMIND_ESCALATE_AFTER_DAYS": int(os.environ.get("PHEDUYET_ESCALATE_AFTER_DAYS", "7")),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted.
        "TRUSTED_PROXIES": int(os.environ.get("PHEDUYET_TRUSTED_PROXIES", "0") or 0),
        # Signed audit checkpoints: the key and the write-once file stay outside the database.
        "AUDIT_SIGNING_KEY": os.environ.get("PHEDUYET_AUDIT_KEY")
        or str(instance / "audit_signing_key"),
        "AUDIT_PUBLIC_KEY": os.environ.get("PHEDUYET_AUDIT_PUBLIC_KEY") or None,
        "AUDIT_CHECKPOINTS": os.environ.get("PHEDUYET_AUDIT_CHECKPOINTS")
        or str(instance / "audit_checkpoints.jsonl"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("PHEDUYET_HTTPS", "") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": os.environ.get("PHEDUYET_HTTPS", "") == "1",
    }
    settings.update(overrides)
    if "SECRET_KEY" not in settings:
        settings["SECRET_KEY"] = _secret_key(instance)
    return settings
