"""Stage 2, the document's head: issuer, number, place and date, title, and the
document the plan implements ("Thực hiện Kế hoạch số …")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from documents.plan_import.clean import flatten, join_wrapped
from documents.plan_import.model import Break, Item, Table
from documents.plan_import.patterns import (
    DOC_TYPES,
    KE_HOACH,
    MD_HEADING_MARK,
    PARENT_LINE,
    SEPARATOR,
    is_all_caps,
    roman_heading,
)
from documents.units import fold

_DATE_PART = r"\s+ngày\s+(?:\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})"

_DOC_REF = (
    rf"{DOC_TYPES}\s+số\s+\w[\w/.\-]*\w(?:{_DATE_PART})?"
    r"(?:\s+của\s+[^;,.]*?(?=\s+(?:về|ban hành|quy định|phê duyệt|triển khai|thực hiện|"
    r"hướng dẫn|tại)\b|[;,.]|$))?"
)

# Case-sensitive on purpose: an all-caps title ("TRIỂN KHAI THỰC HIỆN NGHỊ QUYẾT SỐ …")
# names what the plan is about, the "Thực hiện …" sentence names what it implements.
_PARENT_REF = re.compile(rf"[Tt]hực hiện\s+(?P<ref>{_DOC_REF})")

_PARENT_REF_FALLBACK = re.compile(rf"[Cc]ăn cứ\s+(?P<ref>{_DOC_REF})")

_ISSUER_HEADS = (
    "ubnd",
    "uỷ ban",
    "hđnd",
    "hội đồng",
    "sở ",
    "bộ ",
    "ban ",
    "chi cục",
    "cục ",
    "tổng cục",
    "trung tâm",
    "văn phòng",
    "phòng ",
    "tỉnh uỷ",
    "thành uỷ",
    "huyện uỷ",
    "đảng uỷ",
    "công an",
    "bộ chỉ huy",
    "kho bạc",
    "bảo hiểm",
    "ngân hàng",
    "đài ",
    "báo ",
    "trường",
    "viện",
    "mặt trận",
    "liên đoàn",
    "hội ",
)

_HEAD_ITEMS = 400

_SEP_INSIDE = re.compile(r"\s*([-–—_=*]{3,})\s*")

_MOTTO_INSIDE = re.compile(r"\s+(?=CỘNG\s+H[OÒ]|Độc\s+lập\s*[-–])")

_HEADER_STOP = re.compile(r"^(Số\s*:|CỘNG\s+HO|Độc\s+lập)", re.I)

_PLACE_DATE = re.compile(
    r"(?m)^[ \t]*(?P<place>[^\n,|:]{1,40}?)[ \t]*,\s*(?P<text>ngày[\s\S]{0,60}?năm\s*\d{4})"
)

_DATE_TEXT = re.compile(r"ngày\s*(?P<d>\d{1,2})?\s*tháng\s*(?P<m>\d{1,2})?\s*năm\s*(?P<y>\d{4})")

_NUMBER_FIELD = re.compile(r"Số\s*:\s*(?P<num>[\w.\-]*/[\w./\-Đđ]+)")


def header_lines(items: Sequence[Item]) -> list[str]:
    """Raw lines of the document's head (tables flattened), enough for the header and
    title; the body is read from paragraphs instead."""
    lines: list[str] = []
    for item in items[:_HEAD_ITEMS]:
        if isinstance(item, Table):
            lines.extend("" if isinstance(x, Break) else str(x) for x in flatten(item))
        elif isinstance(item, Break):
            lines.append("")
        else:
            lines.append(re.sub(r"\s+", " ", item).strip().lstrip(MD_HEADING_MARK))
    # Cells or lines that lost their breaks: "ỦY BAN … HÀ NỘI ------- CỘNG HÒA …".
    split: list[str] = []
    for line in lines:
        if not (_SEP_INSIDE.search(line) or _MOTTO_INSIDE.search(line)):
            split.append(line)
            continue
        pieces = [p.strip() for p in _SEP_INSIDE.split(line) if p.strip()] or [""]
        for piece in pieces:
            split.extend(p.strip() for p in _MOTTO_INSIDE.split(piece))
    return split


def parse_header(lines: list[str], pdf_like: bool) -> dict[str, Any]:
    plan: dict[str, Any] = {
        "issuer": None,
        "number": None,
        "date": None,
        "date_text": None,
        "place": None,
        "title": None,
        "parent": None,
    }
    kh = next((i for i, line in enumerate(lines) if KE_HOACH.match(line)), None)
    head = [
        line
        for line in lines[: kh if kh is not None else min(len(lines), 40)]
        if line and line != "|"
    ]
    plan["issuer"] = _issuer(head)
    joined = " ".join(head)
    m = _NUMBER_FIELD.search(joined)
    if m:
        plan["number"] = m.group("num")
    m = _PLACE_DATE.search("\n".join(head))
    if m:
        plan["place"] = m.group("place").strip()
        plan["date_text"] = re.sub(r"\s+", " ", m.group("text")).strip()
        d = _DATE_TEXT.search(plan["date_text"])
        if d and d.group("d") and d.group("m"):
            try:
                plan["date"] = date(
                    int(d.group("y")), int(d.group("m")), int(d.group("d"))
                ).isoformat()
            except ValueError:
                plan["date"] = None
    if kh is not None:
        plan["title"] = _title(lines, kh, pdf_like)
    return plan


def _issuer(head: list[str]) -> str | None:
    """The most specific issuing body: "SỞ CÔNG THƯƠNG" under "UBND TỈNH QUẢNG NGÃI"."""
    bodies: list[str] = []
    for line in head:
        if _HEADER_STOP.match(line) or SEPARATOR.match(line):
            break
        if not bodies or fold(line).startswith(_ISSUER_HEADS):
            bodies.append(line)
        else:
            bodies[-1] = f"{bodies[-1]} {line}"
    return bodies[-1] if bodies else None


def _title(lines: list[str], kh: int, pdf_like: bool) -> str | None:
    rest = KE_HOACH.match(lines[kh]).group("rest").strip()
    collected = [rest] if rest else []
    for line in lines[kh + 1 :]:
        if not line:
            if collected and not pdf_like:
                break
            continue
        if SEPARATOR.match(line) or line == "|" or roman_heading(line) and collected:
            if collected:
                break
            continue
        if collected and (PARENT_LINE.match(line) or len(collected) >= 6):
            break
        collected.append(line)
    title = ""
    for line in collected:
        title = join_wrapped(title, line) if title else line
    return title or None


def parent_document(paragraphs: Iterable[str]) -> str | None:
    text = " ".join(p for p in paragraphs if not is_all_caps(p) and not KE_HOACH.match(p))
    m = _PARENT_REF.search(text) or _PARENT_REF_FALLBACK.search(text)
    return re.sub(r"\s+", " ", m.group("ref")).strip(" .,;") if m else None
