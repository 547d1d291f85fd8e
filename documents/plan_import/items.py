"""Stage 4, find the task items: numbered (1., 1.1.), lettered (a), b)) and dashed
sub-items that carry their own units, or the rows of a task table (STT | Nội dung |
Cơ quan chủ trì …), which, when there is one, is the authoritative list. Nothing that
cannot be placed is dropped silently: it goes to "unplaced"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from documents.plan_import.clean import join_lines
from documents.plan_import.fields import UNIT_START, add_field
from documents.plan_import.model import Node, Para, Section, Table, lines_of
from documents.plan_import.patterns import (
    BULLET,
    LETTER,
    ROMAN_VALID,
    number_of,
    read_label,
    roman_heading,
)
from documents.timing import parse_timing
from documents.units import fold

# "- Địa điểm: …", "- Nội dung: …": a field the importer does not keep, not a sub-item.
_KEY_VALUE = re.compile(r"^[^\W\d][\w ,/]{1,30}:\s")


def build_tree(paragraphs: list[str], unplaced: list[str]) -> list[Node]:
    roots: list[Node] = []
    stack: list[Node] = []
    current: Node | None = None
    pending: str | None = None  # a label with no value; its values follow as bullets
    for p in paragraphs:
        label = read_label(p)
        if label:
            kind, value = label
            if BULLET.match(value) and _KEY_VALUE.match(BULLET.sub("", value)):
                value = ""  # "- Thời gian: - Địa điểm: …": the label was left empty
            if current is None:
                unplaced.append(p)
            elif kind == "content":
                current.body.append(p)
                current.see(p)
            elif value:
                add_field(current, kind, value, p)
            pending = None if value or kind == "content" else kind
            continue
        if (
            pending
            and current is not None
            and BULLET.match(p)
            and not _KEY_VALUE.match(BULLET.sub("", p))
        ):
            add_field(current, pending, BULLET.sub("", p), p)
            continue
        pending = None
        numbered = number_of(p)
        if numbered:
            depth = numbered[0].count(".") + 1
            while stack and stack[-1].depth >= depth:
                stack.pop()
            node = Node(numbered[0], numbered[1], depth=depth)
            node.see(p)
            (stack[-1].children if stack else roots).append(node)
            stack.append(node)
            current = node
            continue
        letter = LETTER.match(p)
        if letter:
            parent = stack[-1] if stack else None
            number = f"{parent.number}.{letter['num']}" if parent else letter["num"]
            node = Node(number, letter["rest"].strip(), depth=99, is_letter=True)
            node.see(p)
            (parent.children if parent else roots).append(node)
            current = node
            continue
        if current is not None and BULLET.match(p) and not _KEY_VALUE.match(BULLET.sub("", p)):
            # A "-" sub-item: a sub-task of its own when it turns out to carry its own
            # units or timing (settled below), else the item's content.
            parent = current
            while parent.dash and parent.parent is not None:
                parent = parent.parent
            dashes = sum(1 for c in parent.children if c.dash)
            node = Node(
                f"{parent.number}.{dashes + 1}",
                BULLET.sub("", p).strip(),
                depth=99,
                is_letter=True,
                dash=True,
            )
            node.parent = parent
            node.see(p)
            parent.children.append(node)
            current = node
            continue
        if current is not None:
            current.body.append(p)
            current.see(p)
        else:
            unplaced.append(p)
    for root in roots:
        _settle_letters(root)
    return roots


def _settle_letters(node: Node) -> None:
    """a), b) items are subtasks only when they carry their own units or timing;
    otherwise they are the task's content. When only the last one has fields, those
    fields were written for the whole task ("a) … b) … - Đơn vị chủ trì: …")."""
    for child in node.children:
        _settle_letters(child)
    letters = [c for c in node.children if c.is_letter]
    if not letters:
        return
    with_fields = [c for c in letters if c.has_fields()]
    if with_fields == [letters[-1]] and not node.has_fields():
        last = letters[-1]
        node.leads, node.coords = last.leads, last.coords
        node.timing, node.products = last.timing, last.products
        node.found = last.found
        last.leads, last.coords, last.timing, last.products = [], [], [], []
        last.found = {}
        with_fields = []
    if with_fields:
        return
    for child in letters:
        mark = "-" if child.dash else f"{child.number.rsplit('.', 1)[-1]})"
        node.body.append(f"{mark} {child.heading}".strip())
        node.body.extend(child.body)
        node.last = max(node.last, child.last)
    node.children = [c for c in node.children if not c.is_letter]


def _column_kind(header: str) -> str | None:
    h = fold(header)
    if re.fullmatch(r"(số )?(stt|tt|thứ tự)|số thứ tự", h):
        return "number"
    if any(k in h for k in ("thời gian", "thời hạn", "tiến độ")):
        return "timing"
    if "phối hợp" in h:
        return "coord"
    if (
        "chủ trì" in h
        or "soạn thảo" in h  # the drafting body of a legislative programme
        or ("thực hiện" in h and ("cơ quan" in h or "đơn vị" in h))
    ):
        return "lead"
    if "sản phẩm" in h or "kết quả" in h:
        return "products"
    if any(k in h for k in ("nội dung", "nhiệm vụ", "công việc", "hoạt động", "tên ")):
        return "content"
    return None


@dataclass
class _Columns:
    header_index: int  # the last header row
    kinds: dict[str, int]  # column kind → index in the data rows
    width: int


def _kinds(row: list[str]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for col, cell in enumerate(row):
        kind = _column_kind(cell) if len(cell) <= 60 else None  # headers are short
        if kind and kind not in kinds:
            kinds[kind] = col
    return kinds


def column_map(table: Table) -> _Columns | None:
    """Where the header row is and which column holds what; None if not a task table.

    A header row may carry leftover cells before "STT" (a "|"-per-line table that runs
    on from the signature block); columns are counted from "STT"."""
    for index, row in enumerate(table.rows[:4]):
        offset = next((c for c, cell in enumerate(row) if _column_kind(cell) == "number"), None)
        if offset is None:
            continue
        kinds = _kinds(row[offset:])
        if not ({"content"} <= kinds.keys() and {"lead", "timing"} & kinds.keys()):
            continue
        width = len(row) - offset
        # A two-row header ("Cơ quan thực hiện" over "Chủ trì | Phối hợp").
        below = table.rows[index + 1] if index + 1 < len(table.rows) else []
        if below and not _row_number(below[0]):
            refined = {
                k: c
                for k, c in _kinds(below).items()
                if k in ("lead", "coord", "timing", "products")
            }
            if refined:
                kinds.update(refined)
                index += 1
        return _Columns(index, kinds, width)
    return None


def _row_number(cell: str) -> str | None:
    cell = cell.strip().rstrip(".")
    return cell if re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){0,3}", cell) else None


def _repair_rows(rows: list[tuple[list[str], int]], width: int) -> list[tuple[list[str], int]]:
    """In "|"-per-line text an empty cell looks like a row end; glue such halves back.
    Rows come with their source line."""
    out: list[tuple[list[str], int]] = []
    for row, at in rows:
        previous = out[-1][0] if out else None
        if (
            previous is not None
            and len(previous) < width
            and len(previous) + 1 + len(row) <= width
            and _row_number(previous[0])
            and not _row_number(row[0])
            and not roman_heading(row[0])
        ):
            out[-1] = ([*previous, "", *row], out[-1][1])
        else:
            out.append((list(row), at))
    return out


def table_tasks(table: Table, unplaced: list[str]) -> list[Node]:
    mapping = column_map(table)
    if mapping is None:
        return []
    if table.broken:
        return _broken_table_tasks(table, mapping)
    columns = mapping.kinds
    width = max(mapping.width, max(columns.values()) + 1)
    lines = table.row_lines or [0] * len(table.rows)
    rows = list(zip(table.rows, lines, strict=False))[mapping.header_index + 1 :]
    if table.wrapped:
        rows = _repair_rows(rows, width)
    roots: list[Node] = []
    groups: dict[str, list[Node]] = {}  # group heading ("I", "II" …) → its tasks
    group = ""
    by_number: dict[tuple[str, str], Node] = {}
    last: Node | None = None
    unit_columns = {columns[k] for k in ("lead", "coord") if k in columns}
    for row, at in rows:
        source = Para("", at)
        if len(row) < width and len(row[columns["number"]]) > 20 and not _group_heading(row[0]):
            row = ["", *row]  # a merged STT cell: the text has slid into its column
        cells = [
            (_unit_lines(c) if i in unit_columns else join_lines(c)) if table.wrapped else c.strip()
            for i, c in enumerate(row)
        ]
        cells += [""] * (width - len(cells))
        if all(re.fullmatch(r"\(?\d*\)?", c) for c in cells):
            continue  # column numbering row "(1) (2) (3)"
        number = _row_number(cells[columns["number"]])
        content = cells[columns["content"]]
        heading = _group_heading(cells[0])
        if number is None and (len(set(cells)) == 1 or heading):
            group = heading or group
            continue  # a group heading row ("I. NÂNG CAO NHẬN THỨC …", "I | Hoàn thiện …")
        if number is None:
            if last is None:
                unplaced.append(" | ".join(c for c in cells if c))
                continue
            # A merged STT cell: the row continues the task above (more text, or more
            # units written on a row of their own).
            if content:
                last.body.append(content)
            last.see(source)
            for kind in ("lead", "coord", "timing", "products"):
                if kind in columns and cells[columns[kind]]:
                    if kind == "timing" and last.timing:
                        continue
                    add_field(last, kind, cells[columns[kind]], source, how="table")
            continue
        node = Node(number, content, depth=number.count(".") + 1)
        node.see(source)
        for kind in ("lead", "coord", "timing", "products"):
            if kind in columns and cells[columns[kind]]:
                add_field(node, kind, cells[columns[kind]], source, how="table")
        parent = by_number.get((group, number.rsplit(".", 1)[0])) if "." in number else None
        (parent.children if parent else roots).append(node)
        by_number[(group, number)] = node
        if parent is None:
            groups.setdefault(group, []).append(node)
        last = node
    # Numbers that restart in each group ("I | 1, 2 …; II | 1, 2 …") are told apart by
    # the group: "I.1", "II.1".
    numbers = [n.number for nodes in groups.values() for n in nodes]
    if len(set(numbers)) < len(numbers):
        for label, nodes in groups.items():
            if label:
                renumber(nodes, label)
    return roots


_UNIT_LINE = re.compile(r"^(?:Sở|Các|UBND|Ủy ban|Uỷ ban|Ban|Trung tâm|Công an|Văn phòng|Bộ)\s")


def _unit_lines(cell: str) -> str:
    """A unit cell holding one unit per line ("Các sở, ngành, UBND xã\nSở Tài chính"):
    a line starting a unit name after a complete one is a new unit, not a wrap."""
    out = ""
    for line in (x.strip() for x in cell.split("\n")):
        if not line:
            continue
        if out and _UNIT_LINE.match(line) and not out.endswith((",", " và", "(")):
            out += "; " + line
        else:
            out = f"{out} {line}" if out else line
    return out


_TIMING_START = re.compile(
    r"^(?:trình|theo|hoàn thành|trước|trong|quý|năm|tháng|thường xuyên|hằng|hàng)\b", re.I
)
_ROLE_WORDS = re.compile(r"\b(?:chủ trì|thẩm tra|tham gia|cho ý kiến)\b", re.I)


def _cell_type(cell: str) -> str:
    """What a cell of a broken table holds, judged by its text: a group heading, a list
    of units, a timing, a numbered row, or other text (a title, a remark)."""
    text = BULLET.sub("", cell).strip()
    if _group_heading(cell):
        return "group"
    if _row_number(cell):
        return "number"
    if _TIMING_START.match(text) or (
        len(text) < 30 and parse_timing(text).kind in ("deadline", "period")
    ):
        return "timing"
    bare = re.sub(r"\([^()]*\)|\[\d+\]", "", text)
    if (
        not cell.startswith(("-", "+"))
        and len(bare) < 160
        and UNIT_START.match(bare)
        and not _ROLE_WORDS.search(bare)
    ):
        return "unit"
    return "other"


def _broken_table_tasks(table: Table, mapping: _Columns) -> list[Node]:
    """A task table whose rows the crawl broke over lines, with merged cells missing:
    the cells are read in order and a row starts at each title (a long text cell that
    is not a unit list, a timing or a remark starting with "-"). Within a row the unit
    cells fill the unit columns from the right (a merged "submitted by" cell is the
    one that goes missing), the timing cell the timing column. Rows are numbered by
    their order in their group ("I.1", "II.3") unless the number column says."""
    header = table.rows[0]
    unit_columns = [
        c
        for c, cell in enumerate(header)
        if c in (mapping.kinds.get("lead"), mapping.kinds.get("coord"))
        or (_column_kind(cell) is None and fold(cell).startswith(("cơ quan", "đơn vị")))
        and not any(w in fold(cell) for w in ("thẩm tra", "ý kiến"))
    ]
    rows: list[tuple[str, list[tuple[str, str, int]]]] = []  # group, typed cells
    group = ""
    for (cell,), at in zip(table.rows[1:], table.row_lines[1:], strict=False):
        kind = _cell_type(cell)
        if kind == "group":
            group = _group_heading(cell) or group
            continue
        starts = (
            kind == "other"
            and not cell.startswith(("-", "+"))
            and len(cell) > 30
            and not _ROLE_WORDS.search(cell)
        )
        if starts and (not rows or any(k == "title" for k, _, _ in rows[-1][1])):
            rows.append((group, [("title", cell, at)]))
        elif rows:
            rows[-1][1].append((kind, cell, at))
    roots: list[Node] = []
    counts: dict[str, int] = {}
    for group, cells in rows:
        counts[group] = counts.get(group, 0) + 1
        title = next(text for kind, text, _ in cells if kind == "title")
        number = f"{group}.{counts[group]}" if group else str(counts[group])
        node = Node(number, title)
        units = [(text, at) for kind, text, at in cells if kind == "unit"]
        columns = unit_columns[-len(units) :] if units else []
        for (text, at), column in zip(units, columns, strict=False):
            role = "lead" if column == mapping.kinds.get("lead") else None
            role = "coord" if column == mapping.kinds.get("coord") else role
            if role:
                add_field(node, role, text, Para(text, at), how="table")
        timing = next(((text, at) for kind, text, at in cells if kind == "timing"), None)
        if timing and "timing" in mapping.kinds:
            add_field(node, "timing", BULLET.sub("", timing[0]), Para("", timing[1]), "table")
        for _, text, at in cells:
            node.see(Para(text, at))
        node.body.extend(text for kind, text, _ in cells if kind not in ("title",))
        roots.append(node)
    return roots


def _group_heading(cell: str) -> str | None:
    """ "I", "II." or "I. NÂNG CAO …" in the first cell: a group of the task table."""
    roman = roman_heading(cell)
    if roman:
        return roman[0]
    cell = cell.strip()
    return cell if cell and ROMAN_VALID.fullmatch(cell) else None


def renumber(nodes: list[Node], prefix: str) -> None:
    for node in nodes:
        node.number = f"{prefix}.{node.number}"
        renumber(node.children, prefix)


def _assignment(text: str) -> bool:
    """A heading (short, not a sentence that mentions it) announcing the assignment."""
    return len(text) < 100 and "phân công" in fold(text)


def _carries_fields(nodes: list[Node]) -> bool:
    return any(n.has_fields() or _carries_fields(n.children) for n in nodes)


# Numbered items that introduce goals or solutions, not work to do ("1.1. Mục tiêu 1",
# "6. Chỉ tiêu chủ yếu", "2. Giải pháp"): not tasks unless they carry units or timings.
_NOT_TASK_ITEM = re.compile(
    r"^(?:mục tiêu|chỉ tiêu|mục đích|yêu cầu|quan điểm|nguyên tắc|giải pháp|phạm vi|"
    r"đối tượng|kết quả đạt được)\b"
)
_SIDE_SECTION = ("giải pháp", "mục tiêu", "trách nhiệm")
_MAIN_SECTION = ("nhiệm vụ", "nội dung", "hoạt động", "công việc", "phân công")


def _without_side_sections(
    per_section: list[tuple[Section, list[Node]]],
) -> list[tuple[Section, list[Node]]]:
    """Drop goal/solution items, and a "GIẢI PHÁP …" section without units or timings
    when another task section has them (it restates the tasks as solutions)."""
    cleaned = []
    for section, nodes in per_section:
        kept = [
            n
            for n in nodes
            if not (
                len(n.heading) < 80
                and _NOT_TASK_ITEM.match(fold(n.heading))
                and not _carries_fields([n])
            )
        ]
        cleaned.append((section, kept))
    with_fields = [s for s, nodes in cleaned if _carries_fields(nodes)]
    if not with_fields:
        return cleaned
    return [
        (s, nodes)
        for s, nodes in cleaned
        if _carries_fields(nodes)
        or not any(w in fold(s.title) for w in _SIDE_SECTION)
        or any(w in fold(s.title) for w in _MAIN_SECTION)
    ]


def choose_task_items(
    per_section: list[tuple[Section, list[Node]]],
) -> tuple[list[tuple[Section, list[Node]]], list[Node]]:
    """Which items of the task-named sections are the tasks, and which of them are
    written per unit (each heading a unit, its duties below).

    A plan that assigns the work by unit ("III. PHÂN CÔNG NHIỆM VỤ", or "2. Phân công
    trách nhiệm" inside "NHIỆM VỤ, GIẢI PHÁP …") lists its tasks there; its other
    task-named sections ("NỘI DUNG TRỌNG TÂM", "Nhiệm vụ, giải pháp tổng thể") are the
    plan's general content, kept only when they carry units or timings of their own."""
    per_section = _without_side_sections(per_section)
    chosen: list[tuple[Section, list[Node]]] = []
    by_unit: list[Node] = []
    for section, nodes in per_section:
        groups = [n for n in nodes if _assignment(n.heading)]
        if groups:
            chosen.append((section, groups))
            for group in groups:
                by_unit.extend(group.children)
        elif _assignment(section.title):
            chosen.append((section, nodes))
            by_unit.extend(nodes)
    if not chosen:
        return per_section, []
    picked = {id(section) for section, _ in chosen}
    kept = [
        (section, nodes)
        for section, nodes in per_section
        if id(section) in picked or _carries_fields(nodes)
    ]
    chosen_by_id = {id(section): nodes for section, nodes in chosen}
    return [(s, chosen_by_id.get(id(s), n)) for s, n in kept], by_unit


def quoted_tasks(paragraphs: list[str]) -> list[Node]:
    """A text with no task section that still quotes a task with its labelled lines (an
    article citing one item of a plan: "… - Đơn vị chủ trì: Cục X. - Thời gian: …"):
    one task per run of labelled lines holding a lead, numbered 1, 2 … in order; its
    title is the paragraph before the labels."""
    tasks: list[Node] = []
    i = 0
    while i < len(paragraphs):
        label = read_label(paragraphs[i])
        if not label or label[0] not in ("lead", "coord", "timing", "products"):
            i += 1
            continue
        start = i
        while i < len(paragraphs) and (
            read_label(paragraphs[i]) or (i > start and BULLET.match(paragraphs[i]))
        ):
            i += 1
        run = paragraphs[start:i]
        if not any((read_label(p) or ("", ""))[0] == "lead" for p in run):
            continue
        title = paragraphs[start - 1] if start > 0 else ""
        heading = Para(f"{len(tasks) + 1}. {title}", *(lines_of(title) or (0, 0)))
        tasks.extend(build_tree([heading, *run], []))
    return tasks
