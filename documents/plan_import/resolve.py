"""Stage 6, resolve: units matched to known units, timing text to a kind and due
date, a title from the first sentence, and per task and field a confidence and the
source lines it came from."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from documents.plan_import.model import Node
from documents.plan_import.patterns import label_value
from documents.timing import parse_timing
from documents.units import KnownUnit, fold, match_units


def _first_sentence(text: str, limit: int = 160) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    for m in re.finditer(r"[.;:]", text):
        after = text[m.end() :].lstrip()
        if m.group() in ";:" or not after or after[0].isupper():
            if m.group() == "." and text[max(0, m.start() - 2) : m.start()] == "..":
                continue
            text = text[: m.start()]
            break
    text = re.sub(r",?\s*cụ thể$", "", text).strip(" ,")
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;") + "…"
    return text


def _dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        key = fold(name)
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out


# How sure the importer is of a field, by how it was found. A labelled line or a table
# column is what the plan says; a sentence is a reading of prose; nothing found may be
# a miss. The preview page shows the least sure fields first.
_SURE = {"label": 0.95, "table": 0.95, "sentence": 0.7, "inherited": 0.6}
LOW_CONFIDENCE = 0.75


def _field_confidence(node: Node, kind: str, present: bool) -> float:
    how = node.found.get(kind, ("", 0, 0))[0]
    if present:
        return _SURE.get(how, 0.6)
    if node.children:
        return 0.9  # a group: its sub-tasks carry the fields
    return {"lead": 0.5, "coord": 0.85, "timing": 0.6}[kind]


def _unit_confidence(base: float, units: list[Any]) -> float:
    """A name that matches no known unit and does not read like one lowers it."""
    for unit in units:
        if unit["matched"] is None and not _UNIT_WORDS.match(unit["name"]):
            return min(base, 0.55)
    return base


_UNIT_WORDS = re.compile(
    r"^(?:các\s+)?(?:Sở|Ủy ban|Uỷ ban|UBND|Ban|Văn phòng|Chi cục|Cục|Bộ|Phòng|Trung tâm|"
    r"Công an|Bộ Chỉ huy|Kho bạc|Bảo hiểm|Ngân hàng|Đài|Báo|Trường|Viện|Mặt trận|"
    r"Liên đoàn|Hội|Tỉnh đoàn|Đoàn|Thành đoàn|Hội đồng|Thanh tra|Cơ quan|Đơn vị|"
    r"Chính quyền|Lực lượng|Doanh nghiệp|Tổng công ty|Công ty|Cảng vụ|Quỹ|Bệnh viện|"
    r"Chủ tịch|Thủ trưởng|Người đứng đầu|Tòa án|Toà án|Viện kiểm sát|Ngành|Ủy ban nhân dân|"
    r"Thành phố|Tỉnh|Thuế|Kiểm toán|Hải quan|Tổ chức)",
    re.I,
)


def _source(node: Node, kind: str) -> dict[str, Any] | None:
    found = node.found.get(kind)
    if not found:
        return None
    how, first, last = found
    return {"how": how, "lines": [first, last] if first else None}


def task_dict(node: Node, known: Sequence[KnownUnit]) -> dict[str, Any]:
    """The JSON of one task, with per field a confidence (0–1) and where it was read."""
    body = [node.heading, *node.body] if node.heading else list(node.body)
    title_source = node.heading or next(iter(node.body), "")
    leads = match_units(_dedupe(node.leads), known)
    coords = match_units(_dedupe(node.coords), known)
    timing = parse_timing("; ".join(node.timing) or None).as_dict()
    due_sure = _field_confidence(node, "timing", bool(node.timing))
    if node.timing and timing["kind"] == "unknown":
        due_sure = min(due_sure, 0.6)  # a timing text with no date we could derive
    confidence = {
        "task": 0.95 if (node.has_fields() or node.children) else 0.8,
        "lead_units": _unit_confidence(_field_confidence(node, "lead", bool(leads)), leads),
        "coordinating_units": _unit_confidence(
            _field_confidence(node, "coord", bool(coords)), coords
        ),
        "due_date": due_sure,
    }
    return {
        "number": node.number,
        "title": _first_sentence(label_value(title_source)),
        "content": "\n".join(b for b in body if b),
        "lead_units": leads,
        "coordinating_units": coords,
        "timing": timing,
        "products": node.products,
        "source_lines": [node.first, node.last] if node.first else None,
        "confidence": confidence,
        "field_sources": {
            "lead_units": _source(node, "lead"),
            "coordinating_units": _source(node, "coord"),
            "due_date": _source(node, "timing"),
        },
        "subtasks": [task_dict(child, known) for child in node.children],
    }
