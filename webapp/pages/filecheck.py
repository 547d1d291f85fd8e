"""Uploaded files: the type is decided by the content (magic bytes, and for .docx/.xlsx the
parts inside the zip), must agree with the name's extension, and the name is cleaned.
Where files are stored is webapp.storage's business. No Flask here.
"""

from __future__ import annotations

import io
import re
import zipfile

from workflow.core.text import strip_invisible

MAX_SIZE = 20 * 1024 * 1024
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "jpg": "image/jpeg",
}
EXTENSION_ALIASES = {"jpeg": "jpg"}
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
