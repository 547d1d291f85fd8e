"""Uploaded files: the type is decided by the content (magic bytes, and for .docx/.xlsx the
parts inside the zip), must agree with the name's extension, and the name is cleaned.
Files are stored once under the upload folder by their SHA-256. No Flask here.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import zipfile
from pathlib import Path

from workflow.text import strip_invisible

MAX_SIZE = 20 * 1024 * 1024
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "jpg": "image/jpeg",
}
EXTENSION_ALIASES = {"jpeg": "jpg"}
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


class Refused(ValueError):
    """The file is not one we accept; `reason` is "type", "mismatch", "empty" or "size"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def detect(data: bytes) -> str | None:
    """The type the bytes really are (one of CONTENT_TYPES), or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return None


def extension(filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return EXTENSION_ALIASES.get(ext, ext)


def check(data: bytes, filename: str) -> tuple[str, str]:
    """(extension, content type) of an acceptable file; raises Refused otherwise."""
    if len(data) > MAX_SIZE:
        raise Refused("size")
    if not data:
        raise Refused("empty")
    declared = extension(filename)
    if declared not in CONTENT_TYPES:
        raise Refused("type")
    actual = detect(data)
    if actual is None:
        raise Refused("type")
    if actual != declared:
        raise Refused("mismatch")
    return actual, CONTENT_TYPES[actual]


def clean_name(filename: str, ext: str, limit: int = 150) -> str:
    """A safe display and download name: no path, no control or reserved characters,
    Vietnamese letters kept (NFC), the real extension at the end."""
    name = strip_invisible(filename)  # a "‮" must not make "gnp.pdf" show as "fdp.png"
    name = re.split(r"[/\\]", name)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = _UNSAFE.sub("_", stem)
    stem = re.sub(r"\s+", " ", stem).strip(" ._-")
    stem = stem[:limit].rstrip(" ._-") or "tep"
    return f"{stem}.{ext}"


def store(folder: Path, data: bytes) -> str:
    """Write the bytes as folder/<sha256> (once; atomically); returns the SHA-256."""
    sha = hashlib.sha256(data).hexdigest()
    path = folder / sha
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{sha}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return sha


def stored_path(folder: Path, sha256: str) -> Path | None:
    if not SHA256_HEX.match(sha256 or ""):
        return None
    path = folder / sha256
    return path if path.is_file() else None
