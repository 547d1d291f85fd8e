"""Plan documents (PDF-extracted text, web-page text, Markdown copies, .docx) → plan
header and tasks, in stages a newcomer can follow and test one by one:

1. ``clean``    — raw lines: undo Markdown and web-page markup, find tables, rebuild the
                  paragraphs that wrapping broke (PDF text, hard-wrapped web text).
2. ``header``   — issuer, number, date, place, title, the document it implements.
3. ``sections`` — roman/lettered/all-caps headings; which sections hold the tasks
                  ("NỘI DUNG…", "NHIỆM VỤ…") and which never do (MỤC ĐÍCH, KINH PHÍ…).
4. ``items``    — the task items of those sections (1., 1.1., a), "-" sub-items with
                  their own units) or of a task table (STT | Nội dung | Chủ trì …).
5. ``fields``   — each item's lead/coordinating units, timing and products, from
                  labelled lines or from sentences ("Sở X chủ trì, phối hợp với …").
6. ``resolve``  — units matched to known units, timings to due dates, a confidence and
                  the source lines for each task and field.

``model`` holds the shared data types and ``patterns`` the recognisers every stage uses
(labels, numbering, all-caps headings). Every stage is linear in its input: a paragraph
is joined once, regular expressions are anchored or bounded.

The result is plain JSON-able data (see `parse_plan`), printed as is by
`pheduyet import-plan FILE --dry-run --format json`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from documents.plan_import.clean import (
    docx_items,
    flatten,
    hard_wrapped,
    looks_pdf_extracted,
    rebuild_paragraphs,
    text_items,
)
from documents.plan_import.fields import by_unit_fields, inline_fields
from documents.plan_import.header import header_lines, parent_document, parse_header
from documents.plan_import.items import (
    build_tree,
    choose_task_items,
    column_map,
    quoted_tasks,
    renumber,
    table_tasks,
)
from documents.plan_import.model import Item, Node, Table
from documents.plan_import.resolve import task_dict
from documents.plan_import.sections import split_sections
from documents.reading import PlanImportError, Source, read_bytes, read_path
from documents.units import DEFAULT_UNITS, KnownUnit

__all__ = [
    "PlanImportError",
    "parse_plan",
    "parse_plan_bytes",
    "parse_plan_file",
    "parse_plan_text",
]

_NO_TASKS = (
    "Không tìm thấy phần nhiệm vụ: {why}, văn bản có thể không phải kế hoạch. "
    "Đã tìm mục có tiêu đề chứa "
    "“NỘI DUNG”, “NHIỆM VỤ”, “GIẢI PHÁP” hoặc “HOẠT ĐỘNG” (ví dụ “II. NỘI DUNG, THỜI GIAN "
    "THỰC HIỆN”, “NHIỆM VỤ VÀ GIẢI PHÁP”, “NHIỆM VỤ CỤ THỂ”) với các mục đánh số 1., 2., "
    "1.1…, và bảng nhiệm vụ có cột STT, Nội dung/Tên nhiệm vụ, Cơ quan chủ trì. Các mục "
    "MỤC ĐÍCH, YÊU CẦU, MỤC TIÊU, KINH PHÍ, TỔ CHỨC THỰC HIỆN không được coi là nhiệm vụ."
)


def parse_plan(
    source: Source | str, known_units: Sequence[KnownUnit] | None = None
) -> dict[str, Any]:
    """Parse a plan into {"plan": {...}, "tasks": [...], "unplaced": [...]}.

    Task numbers are strings as written ("1", "1.1"); a), b) items that carry their own
    units become sub-tasks numbered with their parent ("3.1.a"). Units come back as
    written with the known unit they match (`known_units`, default: the seed
    organisation). Raises PlanImportError when no task can be found, saying which
    headings were sought.
    """
    known = DEFAULT_UNITS if known_units is None else known_units
    if isinstance(source, str):
        source = Source("text", None, unicodedata.normalize("NFC", source))
    if source.kind == "docx" and source.blocks is not None:
        items = docx_items(source.blocks)
        pdf_like = hard_wrapped(items)
    else:
        items = text_items(source.text)
        pdf_like = looks_pdf_extracted(items)

    plan = parse_header(header_lines(items), pdf_like)
    task_tables = [it for it in items if isinstance(it, Table) and column_map(it)]
    body_items: list[Item] = []
    for item in items:
        if isinstance(item, Table) and item not in task_tables:
            body_items.extend(flatten(item))
        else:
            body_items.append(item)
    paragraphs = [p for p in rebuild_paragraphs(body_items, pdf_like) if isinstance(p, str)]
    preamble, sections = split_sections(paragraphs)
    plan["parent"] = parent_document(preamble)

    unplaced: list[str] = []
    roots: list[Node] = []
    for table in task_tables:
        roots.extend(table_tasks(table, unplaced))
    if not roots:
        task_sections = [s for s in sections if s.is_task]
        per_section = [(s, build_tree(s.paragraphs, unplaced)) for s in task_sections]
        per_section, by_unit = choose_task_items(per_section)
        for node in by_unit:
            by_unit_fields(node)
        seen: set[str] = set()
        clash = False
        for _, nodes in per_section:
            numbers = {n.number for n in nodes}
            clash = clash or bool(seen & numbers)
            seen |= numbers
        for section, nodes in per_section:
            if clash and section.label:
                renumber(nodes, section.label)
            roots.extend(nodes)
        if not roots:
            roots = quoted_tasks(paragraphs)
        if not roots:
            why = (
                "có mục nhiệm vụ nhưng không có mục nào được đánh số"
                if task_sections
                else "không thấy mục nội dung/nhiệm vụ nào"
            )
            raise PlanImportError(_NO_TASKS.format(why=why))
    for root in roots:
        inline_fields(root)
    return {
        "plan": plan,
        "tasks": [task_dict(root, known) for root in roots],
        "unplaced": unplaced,
    }


def parse_plan_bytes(data: bytes, known_units: Sequence[KnownUnit] | None = None) -> dict[str, Any]:
    """Read (any supported format/encoding) and parse; errors are PlanImportError."""
    return parse_plan(read_bytes(data), known_units)


def parse_plan_file(
    path: str | Path, known_units: Sequence[KnownUnit] | None = None
) -> dict[str, Any]:
    """Read a file from disk (size checked before reading) and parse it."""
    return parse_plan(read_path(path), known_units)


def parse_plan_text(text: str, known_units: Sequence[KnownUnit] | None = None) -> dict[str, Any]:
    """Parse text already decoded (any Unicode normalisation)."""
    return parse_plan(text, known_units)
