"""Stage 1, clean the text: raw lines or .docx blocks → paragraphs and tables.

* PDF extraction hard-wraps lines mid-sentence and mid-label and often puts a blank line
  after *every* line, so blank lines cannot mark paragraphs there; we rebuild paragraphs
  from what starts a block ("1.", "1.1.", "a)", "-", "Đơn vị chủ trì:" …) instead.
* Web pages wrap differently but do separate paragraphs with blank lines, and put table
  cells one per line between lines holding only "|"; Markdown copies add emphasis
  (``*Đơn vị chủ trì: *Sở X``), headings and escapes, which are removed here.
* Every paragraph keeps the numbers of the source lines it came from.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence

from documents.plan_import.model import BREAK, Break, Item, Para, Table
from documents.plan_import.patterns import (
    ITEM_INSIDE,
    LABEL_AT_START,
    LABEL_INSIDE,
    MD_HEADING_MARK,
    ONLY_MARK,
    SEPARATOR,
    SPACES,
    ends_sentence,
    is_all_caps,
    starts_block,
)
from documents.reading import Block

_ODD_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]")

_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")

_MD_ANY = re.compile(r"[*_#\\•●▪◦]")

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")

# Bounded spans: an unclosed marker on a long line must not make every later marker
# rescan the rest of the line (quadratic time).
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.{1,400}?)(?<=\S)\1")

_MD_EM = re.compile(r"(?<![\w*\\])([*_])(?=\S)(.{1,400}?)(?<=\S)\1(?![\w*])")

# What is left of emphasis after the pairs on one line are removed: a marker closed on
# another line ("*2.1. Sở" / "Tài chính*"), or set before a colon ("*Đơn vị chủ trì:
# *Sở Nội vụ"). A lone "*" is never content in these documents.
_MD_STRAY = re.compile(r"\*+|__")

_MD_BULLET = re.compile(r"^(\s*)[*•●▪◦]\s+")

_MD_ESCAPE = re.compile(r"\\([*_#|\\.\-+()\[\]])")


def _is_md_row(line: str) -> bool:
    """A Markdown table row: "|" at both ends and one between (a regex with two ".*" would
    backtrack quadratically on a long line)."""
    return line.startswith("|") and line.endswith("|") and line.count("|") >= 3


_MD_RULE = re.compile(r"^:?-{2,}:?$")


def _clean_line(line: str) -> str:
    """Undo what a web page or Markdown export adds: emphasis, headings, odd spaces."""
    line = _INVISIBLE.sub("", _ODD_SPACES.sub(" ", line)).rstrip()
    if not _MD_ANY.search(line):
        return line
    heading = _MD_HEADING.match(line)
    line = _MD_HEADING.sub("", line)
    line = _MD_BULLET.sub(r"\1- ", line)
    line = _MD_STRONG.sub(r"\2", line)
    line = _MD_EM.sub(r"\2", line)
    line = _MD_STRAY.sub("", line)
    line = _MD_ESCAPE.sub(r"\1", line)
    return MD_HEADING_MARK + line.strip() if heading and line.strip() else line


def text_items(text: str) -> list[Item]:
    return _line_items(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


_MAX_CELL_LINES = 12


def _line_items(raw: list[str], first: int = 1) -> list[Item]:
    """Lines, with "|"-per-line and Markdown tables made Tables."""
    lines = [Para(_clean_line(line), first + n) for n, line in enumerate(raw)]
    items: list[Item] = []
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped == "|":
            end = _pipe_region_end(lines, i)
            if end > i:
                items.append(_pipe_table(lines[i : end + 1]))
            i = end + 1
            continue
        broken_end = _broken_table_end(lines, i) if _is_md_row(stripped) else None
        if broken_end is not None:
            items.append(_broken_table(lines[i:broken_end]))
            i = broken_end
            continue
        if _is_md_row(stripped):
            rows: list[list[str]] = []
            row_lines: list[int] = []
            while i < len(lines) and _is_md_row(lines[i].strip()):
                cells = [c.strip() for c in lines[i].strip()[1:-1].split("|")]
                if not all(_MD_RULE.match(c) or not c for c in cells):
                    rows.append([re.sub(r"<br\s*/?>", "\n", c) for c in cells])
                    row_lines.append(lines[i].first)
                i += 1
            items.append(Table(rows, wrapped=False, row_lines=row_lines))
            continue
        items.append(lines[i])
        i += 1
    return items


def _broken_table_end(lines: list[Para], start: int) -> int | None:
    """Where a Markdown table ends whose rows were broken over several lines (a row
    line that does not end with "|" within the next lines); None for a sound table.
    It ends at a blank line followed by a line that is not a row."""
    header = lines[start].strip()
    if header.count("|") < 5:
        return None
    probe = [x.strip() for x in lines[start + 1 : start + 6] if x.strip()]
    if not any(x.startswith("|") and not x.endswith("|") for x in probe):
        return None
    j = start + 1
    while j < len(lines):
        if not lines[j].strip():
            following = next((x.strip() for x in lines[j + 1 : j + 3] if x.strip()), "")
            if not following.startswith("|"):
                return j
        j += 1
    return j


def _broken_table(region: list[Para]) -> Table:
    header = [c.strip() for c in region[0].strip().strip("|").split("|")]
    rows: list[list[str]] = [header]
    row_lines = [region[0].first]
    for line in region[1:]:
        for cell in line.split("|"):
            cell = cell.strip()
            if cell and not _MD_RULE.match(cell):
                rows.append([cell])
                row_lines.append(line.first)
    return Table(rows, wrapped=False, row_lines=row_lines, broken=True)


def _pipe_region_end(lines: list[str], start: int) -> int:
    """The last "|" line of a table whose cells sit one per line between "|" lines; a
    stretch of text longer than any cell means the table has ended."""
    last, gap = start, 0
    for j in range(start + 1, len(lines)):
        stripped = lines[j].strip()
        if stripped == "|":
            last, gap = j, 0
        elif stripped:
            gap += 1
            if gap > _MAX_CELL_LINES:
                break
    return last


def _pipe_table(region: list[Para]) -> Table:
    """Cells one per line between "|" lines; an empty cell ("|" twice) ends a row."""
    cells: list[tuple[str, int]] = []
    current: list[str] | None = None
    at = 0
    for line in region:
        if line.strip() == "|":
            if current is not None:
                cells.append(("\n".join(current).strip(), at))
            current = []
            at = line.first
        elif current is not None and line.strip():
            if not current:
                at = line.first
            current.append(line.strip())
    rows: list[list[str]] = []
    row_lines: list[int] = []
    row: list[str] = []
    for cell, at in cells:
        if cell:
            if not row:
                row_lines.append(at)
            row.append(cell)
        elif row:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return Table(rows, wrapped=True, row_lines=row_lines)


def docx_items(blocks: Iterable[Block]) -> list[Item]:
    """A .docx's paragraphs and tables; the "source line" is the block's number."""
    items: list[Item] = []
    for number, block in enumerate(blocks, start=1):
        if isinstance(block, str):
            items.extend(_line_items([*block.split("\n"), ""], first=number))
            # all lines of a paragraph carry its number
            for item in items[-len(block.split("\n")) - 1 :]:
                if isinstance(item, Para):
                    item.first = item.last = number
            continue
        rows = [[cell.strip() for cell in row] for row in block]
        items.append(Table(rows, wrapped=False, row_lines=[number] * len(rows)))
    return items


def flatten(table: Table) -> list[Item]:
    """A table that is not a task table, read as text: its cells' lines in order."""
    out: list[Item] = []
    for index, row in enumerate(table.rows):
        at = table.row_lines[index] if index < len(table.row_lines) else 0
        for cell in row:
            out.extend(Para(line, at) for line in cell.split("\n"))
            out.append(BREAK)
    return out


def looks_pdf_extracted(items: Sequence[Item]) -> bool:
    """Text extracted from a PDF has a blank line after nearly every line."""
    lines = [it for it in items if isinstance(it, str)]
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if len(filled) < 6:
        return False
    followed = sum(1 for i in filled if i + 1 < len(lines) and not lines[i + 1].strip())
    return followed / len(filled) > 0.7


def hard_wrapped(items: Sequence[Item]) -> bool:
    """A .docx converted from a PDF keeps one paragraph per printed line: most of its
    paragraphs stop mid-sentence and the next one just runs on."""
    lines = [it.strip() for it in items if isinstance(it, str) and it.strip()]
    if len(lines) < 10:
        return False
    runs_on = sum(
        1
        for a, b in zip(lines, lines[1:], strict=False)
        if not ends_sentence(a) and not starts_block(b, a)
    )
    return runs_on / (len(lines) - 1) > 0.4


def join_wrapped(previous: str, line: str) -> str:
    if _HYPHEN_END.search(previous[-2:]):  # "05-\nCT/TW", a number broken at the end
        return previous + line
    return f"{previous} {line}"


_HYPHEN_END = re.compile(r"\w-$")


def join_lines(text: str) -> str:
    parts: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if line:
            _append(parts, line)
    return " ".join(parts)


def _append(parts: list[str], line: str) -> None:
    """Add a wrapped line to a paragraph kept as parts (joined once, at the end: joining
    as we go would copy the paragraph on every line, quadratic in its length)."""
    if parts and _HYPHEN_END.search(parts[-1][-2:]):
        parts[-1] += line
    else:
        parts.append(line)


def _split_inline(paragraph: str) -> list[tuple[int, int]]:
    """Split where a lost line break glued two blocks together: before a label that
    follows a sentence end or starts with a capital ("… thiết yếu. Đơn vị chủ trì: …",
    "Văn phòng Sở Thời gian thực hiện: Năm 2025"), and before a numbered item or an
    all-caps roman heading that follows a sentence end ("… 15/11/2025. 3. Rà soát …")."""
    cuts: list[int] = []
    labels = LABEL_INSIDE.finditer(paragraph) if ":" in paragraph else ()
    for m in labels:
        before = paragraph[cuts[-1] if cuts else 0 : m.start()]
        if ONLY_MARK.fullmatch(before):
            continue  # "a) Nhiệm vụ: …", "- Đơn vị chủ trì: …"
        if before.endswith((".", ";")) or paragraph[m.end()].isupper():
            cuts.append(m.end())
    cuts.extend(m.end() for m in ITEM_INSIDE.finditer(paragraph))
    cuts = sorted(set(cuts))
    bounds = [0, *cuts, len(paragraph)]
    return list(zip(bounds, bounds[1:], strict=False))


def _steal_label_head(parts: list[str], line: str) -> tuple[int, str, str] | None:
    """ "… thiết yếu. Đơn vị" + "chủ trì: …": the label began on the line before.
    Returns how many parts to keep, what remains of the last kept one, and the label
    line; only the last few parts are looked at."""
    if ":" not in line[:40] or not parts:
        return None
    keep = parts[:-4]
    tail = " ".join(parts[-4:])  # the kept parts are replaced by `rest` below
    words = tail.rsplit(None, 3)
    for n in (3, 2, 1):
        if len(words) < n:
            continue
        head = " ".join(words[-n:])
        rest = " ".join(words[:-n])
        if rest and not ends_sentence(rest):
            continue
        if not rest and keep and not ends_sentence(keep[-1]):
            continue
        m = LABEL_AT_START.match(f"{head} {line}")
        if m and len(m.group("label")) > len(head):
            return len(keep), rest, f"{head} {line}"
    return None


def rebuild_paragraphs(items: Sequence[Item], ignore_blanks: bool) -> list[Para | Table]:
    """Rebuild paragraphs. With `ignore_blanks` (PDF text) only block starts end one;
    otherwise a blank line does too, unless the text plainly runs on (the paragraph has
    no closing punctuation and the next one starts in lower case). Linear: a paragraph
    is kept as its lines and joined once. Each paragraph knows its source lines."""
    out: list[Para | Table] = []
    parts: list[str] = []
    part_lines: list[int] = []
    caps = True  # every line of the current paragraph is all caps
    after_blank = False

    def close() -> None:
        nonlocal parts, part_lines
        if parts:
            text = " ".join(parts)
            starts = []
            offset = 0
            for part in parts:
                starts.append(offset)
                offset += len(part) + 1
            for a, b in _split_inline(text):
                piece = text[a:b].strip()
                if piece:
                    first = part_lines[bisect_right(starts, a) - 1]
                    last = part_lines[bisect_right(starts, max(a, b - 1)) - 1]
                    out.append(Para(piece, first, last))
        parts, part_lines = [], []

    for item in items:
        if isinstance(item, Table | Break):
            close()
            if isinstance(item, Table):
                out.append(item)
            continue
        at = getattr(item, "first", 0)
        line = SPACES.sub(" ", item).strip()
        if not line:
            after_blank = not ignore_blanks
            continue
        if SEPARATOR.match(line) or line == "|":
            close()
            continue
        stolen = _steal_label_head(parts, line) if parts else None
        if stolen:
            keep, rest, line = stolen
            head_at = part_lines[-1]
            rest_at = part_lines[keep] if keep < len(part_lines) else head_at
            parts, part_lines = parts[:keep], part_lines[:keep]
            if rest:
                parts.append(rest)
                part_lines.append(rest_at)
            if not parts:
                caps = True
            at = head_at
        last = parts[-1] if parts else ""
        runs_on = bool(parts) and not ends_sentence(last) and line[0].islower()
        if not parts or starts_block(line, last, caps) or (after_blank and not runs_on):
            close()
            parts, part_lines = [line], [at]
            caps = is_all_caps(line)
        else:
            if _HYPHEN_END.search(parts[-1][-2:]):
                parts[-1] += line
            else:
                parts.append(line)
                part_lines.append(at)
            caps = caps and is_all_caps(line)
        after_blank = False
    close()
    return out
