"""Uploaded bytes → text (or .docx paragraphs and tables), with clear Vietnamese errors.

Plans reach us as .docx, as text copied from a web page, or as text extracted from a
PDF, saved by whatever editor the clerk had: UTF-8 with or without BOM, UTF-16 from
Windows Notepad, or the old Windows-1258 code page. We detect the format by content, not
by file name, and tell the user plainly when a file cannot be read (empty, too large,
binary, damaged, or password-protected).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "MAX_BYTES",
    "MAX_DOCX_PARAGRAPHS",
    "MAX_DOCX_UNCOMPRESSED",
    "Block",
    "PlanImportError",
    "Source",
    "read_bytes",
    "read_path",
]

MAX_BYTES = 10 * 1024 * 1024
# A .docx is a zip: 10 MB compressed can hold gigabytes of XML (a million empty
# paragraphs fit in 173 KB). Its parts are read in chunks and refused past these limits
# before python-docx builds anything in memory.
MAX_DOCX_UNCOMPRESSED = 40 * 1024 * 1024
MAX_DOCX_PARAGRAPHS = 20_000
_CHUNK = 1024 * 1024

# A .docx body in document order: a paragraph's text, or a table as rows of cell texts.
Block = str | list[list[str]]


class PlanImportError(Exception):
    """The document cannot be imported; `message` is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Source:
    """What was read: `text` always (a plain rendering for .docx), `blocks` for .docx."""

    kind: Literal["text", "docx"]
    encoding: str | None
    text: str
    blocks: tuple[Block, ...] | None = None
    warnings: tuple[str, ...] = ()  # shown to the user, e.g. bytes that could not be decoded


_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd]")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAGIC = {
    b"%PDF": "Tệp PDF chưa được hỗ trợ: hãy sao chép văn bản ra tệp .txt hoặc lưu thành .docx.",
    b"\x89PNG": "Tệp là ảnh PNG, không phải văn bản kế hoạch.",
    b"\xff\xd8\xff": "Tệp là ảnh JPEG, không phải văn bản kế hoạch.",
    b"GIF8": "Tệp là ảnh GIF, không phải văn bản kế hoạch.",
    b"{\\rtf": "Định dạng RTF chưa được hỗ trợ: hãy lưu lại thành .docx.",
}
_BINARY_MSG = "Tệp không phải văn bản (có dữ liệu nhị phân): hãy chọn tệp .docx hoặc .txt."


def read_path(path: str | Path) -> Source:
    """Read a file from disk; refuses oversized files before loading them."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise PlanImportError(f"Không đọc được tệp {p.name}: {exc.strerror or exc}.") from exc
    if size > MAX_BYTES:
        raise PlanImportError(_too_large(size))
    return read_bytes(p.read_bytes())


def read_bytes(data: bytes) -> Source:
    """Detect .docx by its content (a zip holding word/document.xml), otherwise decode
    as text trying UTF-8 (with or without BOM), UTF-16 and finally Windows-1258."""
    if not data:
        raise PlanImportError("Tệp rỗng: không có nội dung để nhập.")
    if len(data) > MAX_BYTES:
        raise PlanImportError(_too_large(len(data)))
    if data.startswith(_OLE2):
        raise PlanImportError(_ole_message(data))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _read_docx(data)
    for magic, message in _MAGIC.items():
        if data.startswith(magic):
            raise PlanImportError(message)
    text, encoding = _decode(data)
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise PlanImportError("Tệp không có nội dung văn bản.")
    damaged = text.count("\ufffd")
    warnings = (
        (f"{damaged} ký tự không giải mã được ({encoding}) đã được thay bằng “\ufffd”.",)
        if damaged
        else ()
    )
    return Source("text", encoding, text, warnings=warnings)


def _too_large(size: int) -> str:
    return f"Tệp quá lớn ({size / 1024 / 1024:.1f} MB): giới hạn là {MAX_BYTES // 1024 // 1024} MB."


def _ole_message(data: bytes) -> str:
    if "EncryptedPackage".encode("utf-16-le") in data:
        return (
            "Tài liệu Word được bảo vệ bằng mật khẩu (đã mã hoá): hãy gỡ mật khẩu rồi lưu "
            "lại thành .docx trước khi nhập."
        )
    return (
        "Tệp là tài liệu Office dạng cũ (.doc, Word 97-2003) hoặc đã đặt mật khẩu: hãy mở "
        "bằng Word, gỡ mật khẩu nếu có, rồi lưu lại thành .docx."
    )


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return _checked(data[3:].decode("utf-8", errors="replace")), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _checked(data.decode("utf-16")), "utf-16"
        except UnicodeDecodeError as exc:
            raise PlanImportError("Tệp UTF-16 bị hỏng: không giải mã được.") from exc
    bom_less_utf16 = _guess_utf16(data)
    if bom_less_utf16:
        try:
            return _checked(data.decode(bom_less_utf16)), bom_less_utf16
        except UnicodeDecodeError:
            pass
    try:
        return _checked(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    if sum(1 for ch in lenient if ord(ch) > 127) - bad >= 20 * bad:
        # UTF-8 with a few damaged bytes (a cut-and-paste accident), not another code page.
        return _checked(lenient), "utf-8"
    if b"\x00" in data:
        raise PlanImportError(_BINARY_MSG)
    return _checked(data.decode("cp1258", errors="replace")), "windows-1258"


def _guess_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: Vietnamese text has a zero byte in most ASCII code units."""
    sample = data[:4000]
    if len(sample) < 4 or len(sample) % 2:
        return None
    odd_zero = sample[1::2].count(0) / (len(sample) / 2)
    even_zero = sample[0::2].count(0) / (len(sample) / 2)
    if odd_zero > 0.3 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.3 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def _checked(text: str) -> str:
    """Reject decodings that are really binary data (control characters, NULs)."""
    sample = text[:20000]
    if not sample:
        return text
    controls = len(_CONTROLS.findall(sample))
    if "\x00" in sample or controls / len(sample) > 0.02:
        raise PlanImportError(_BINARY_MSG)
    return text


def _read_docx(data: bytes) -> Source:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" not in names:
                raise PlanImportError(
                    "Tệp nén (zip) này không phải tài liệu Word .docx (không có word/document.xml)."
                )
            _check_docx_parts(archive)
    except zipfile.BadZipFile as exc:
        raise PlanImportError("Tệp .docx bị hỏng hoặc tải lên chưa trọn vẹn.") from exc
    try:
        import docx  # python-docx; imported here so text imports never need it

        document = docx.Document(io.BytesIO(data))
        blocks = tuple(_docx_blocks(document))
    except PlanImportError:
        raise
    except Exception as exc:  # python-docx raises many types on damaged XML
        raise PlanImportError(f"Tệp .docx bị hỏng, không đọc được nội dung ({exc}).") from exc
    text = "\n\n".join(
        b if isinstance(b, str) else "\n".join(" | ".join(row) for row in b) for b in blocks
    )
    if not text.strip():
        raise PlanImportError("Tài liệu .docx không có nội dung văn bản.")
    return Source("docx", None, unicodedata.normalize("NFC", text), blocks)


_PARAGRAPH_TAG = re.compile(rb"<w:p[ >/]")


def _check_docx_parts(archive: zipfile.ZipFile) -> None:
    """Read every part in chunks (checking its CRC, like ZipFile.testzip) while counting
    the uncompressed bytes and the body's paragraphs; stop at the first limit passed.
    The sizes written in the zip's directory are not trusted: a zip bomb can lie."""
    total = 0
    for info in archive.infolist():
        paragraphs = 0
        carry = b""
        try:
            with archive.open(info) as part:
                while chunk := part.read(_CHUNK):
                    total += len(chunk)
                    if total > MAX_DOCX_UNCOMPRESSED:
                        raise PlanImportError(
                            "Tệp .docx quá lớn khi giải nén (hơn "
                            f"{MAX_DOCX_UNCOMPRESSED // 1024 // 1024} MB nội dung): hãy tách "
                            "kế hoạch thành nhiều tệp nhỏ hơn."
                        )
                    if info.filename == "word/document.xml":
                        window = carry + chunk
                        paragraphs += len(_PARAGRAPH_TAG.findall(window))
                        carry = window[-5:]
                        paragraphs -= len(_PARAGRAPH_TAG.findall(carry))
                        if paragraphs > MAX_DOCX_PARAGRAPHS:
                            limit = f"{MAX_DOCX_PARAGRAPHS:,}".replace(",", ".")
                            raise PlanImportError(
                                f"Tài liệu .docx có quá nhiều đoạn văn (giới hạn là {limit} "
                                "đoạn, kể cả đoạn trống): hãy xoá các đoạn trống thừa hoặc "
                                "tách kế hoạch thành nhiều tệp."
                            )
        except zipfile.BadZipFile as exc:
            raise PlanImportError(
                f"Tệp .docx bị hỏng (phần {info.filename} không đọc được)."
            ) from exc
        except (zlib.error, EOFError, NotImplementedError) as exc:
            raise PlanImportError(
                f"Tệp .docx bị hỏng (phần {info.filename} không đọc được)."
            ) from exc


def _docx_blocks(document: Any) -> list[Block]:
    from docx.table import Table

    blocks: list[Block] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = [
                [unicodedata.normalize("NFC", cell.text) for cell in row.cells] for row in item.rows
            ]
            blocks.append(rows)
        else:
            blocks.append(unicodedata.normalize("NFC", item.text))
    return blocks
