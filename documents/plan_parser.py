"""Plan documents (PDF-extracted text, web-page text, .docx) → plan header and tasks.

Why the parser looks the way it does:

* PDF extraction hard-wraps lines mid-sentence and mid-label and often puts a blank line
  after *every* line, so blank lines cannot mark paragraphs there; we rebuild paragraphs
  from what starts a block ("1.", "1.1.", "a)", "-", "Đơn vị chủ trì:" …) instead.
* Web pages wrap differently but do separate paragraphs with blank lines, and put table
  cells one per line between lines holding only "|".
* Only the section that lists the tasks is read for tasks ("NỘI DUNG, THỜI GIAN THỰC
  HIỆN", "NHIỆM VỤ VÀ GIẢI PHÁP" …); numbered items under MỤC ĐÍCH, YÊU CẦU, KINH PHÍ or
  TỔ CHỨC THỰC HIỆN are never tasks. A task table (STT | Nội dung | Cơ quan chủ trì …),
  when there is one, is the authoritative list.
* Nothing the parser cannot place is dropped silently: it goes to "unplaced".

The result is plain JSON-able data (see `parse_plan`), printed as is by
`pheduyet import-plan FILE --dry-run --format json`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from documents.reading import Block, PlanImportError, Source, read_bytes, read_path
from documents.timing import parse_timing
from documents.units import DEFAULT_UNITS, KnownUnit, fold, match_units, split_unit_names

__all__ = ["PlanImportError", "parse_plan", "parse_plan_bytes", "parse_plan_file"]

TASK_HEADINGS = ("nhiệm vụ", "nội dung", "giải pháp", "hoạt động", "công việc")
NON_TASK_HEADINGS = ("tổ chức thực hiện", "kinh phí", "nơi nhận", "phụ lục")
# Words of section headings in general: an unnumbered all-caps line holding one is a heading.
SECTION_WORDS = (
    *TASK_HEADINGS,
    *NON_TASK_HEADINGS,
    "mục đích",
    "yêu cầu",
    "mục tiêu",
    "quan điểm",
    "đối tượng",
    "phạm vi",
    "chế độ báo cáo",
)
_NO_TASKS = (
    "Không tìm thấy nhiệm vụ nào: {why}. Đã tìm mục có tiêu đề chứa "
    "“NỘI DUNG”, “NHIỆM VỤ”, “GIẢI PHÁP” hoặc “HOẠT ĐỘNG” (ví dụ “II. NỘI DUNG, THỜI GIAN "
    "THỰC HIỆN”, “NHIỆM VỤ VÀ GIẢI PHÁP”, “NHIỆM VỤ CỤ THỂ”) với các mục đánh số 1., 2., "
    "1.1…, và bảng nhiệm vụ có cột STT, Nội dung/Tên nhiệm vụ, Cơ quan chủ trì. Các mục "
    "MỤC ĐÍCH, YÊU CẦU, MỤC TIÊU, KINH PHÍ, TỔ CHỨC THỰC HIỆN không được coi là nhiệm vụ."
)


# --------------------------------------------------------------------------- lines


class _Break:
    """A hard paragraph boundary (a table cell ends)."""


BREAK = _Break()


@dataclass
class Table:
    rows: list[list[str]]
    wrapped: bool  # cells hold hard-wrapped lines (text sources), not real paragraphs


Item = str | Table | _Break

_ODD_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_MD_ANY = re.compile(r"[*_#\\•●▪◦]")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
# Bounded spans: an unclosed marker on a long line must not make every later marker
# rescan the rest of the line (quadratic time).
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.{1,400}?)(?<=\S)\1")
_MD_EM = re.compile(r"(?<![\w*\\])([*_])(?=\S)(.{1,400}?)(?<=\S)\1(?![\w*])")
_MD_STRAY = re.compile(r"\*\*|__")
_MD_BULLET = re.compile(r"^(\s*)[*•●▪◦]\s+")
_MD_ESCAPE = re.compile(r"\\([*_#|\\.\-+()\[\]])")
_MD_ROW = re.compile(r"^\|.*\|.*\|$")
_MD_RULE = re.compile(r"^:?-{2,}:?$")


def _clean_line(line: str) -> str:
    """Undo what a web page or Markdown export adds: emphasis, headings, odd spaces."""
    line = _INVISIBLE.sub("", _ODD_SPACES.sub(" ", line)).rstrip()
    if not _MD_ANY.search(line):
        return line
    line = _MD_HEADING.sub("", line)
    line = _MD_BULLET.sub(r"\1- ", line)
    line = _MD_STRONG.sub(r"\2", line)
    line = _MD_EM.sub(r"\2", line)
    line = _MD_STRAY.sub("", line)
    return _MD_ESCAPE.sub(r"\1", line)


def _text_items(text: str) -> list[Item]:
    return _line_items(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


_MAX_CELL_LINES = 12


def _line_items(raw: list[str]) -> list[Item]:
    """Lines, with "|"-per-line and Markdown tables made Tables."""
    lines = [_clean_line(line) for line in raw]
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
        if _MD_ROW.match(stripped):
            rows: list[list[str]] = []
            while i < len(lines) and _MD_ROW.match(lines[i].strip()):
                cells = [c.strip() for c in lines[i].strip()[1:-1].split("|")]
                if not all(_MD_RULE.match(c) or not c for c in cells):
                    rows.append([re.sub(r"<br\s*/?>", "\n", c) for c in cells])
                i += 1
            items.append(Table(rows, wrapped=False))
            continue
        items.append(lines[i])
        i += 1
    return items


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


def _pipe_table(region: list[str]) -> Table:
    """Cells one per line between "|" lines; an empty cell ("|" twice) ends a row."""
    cells: list[str] = []
    current: list[str] | None = None
    for line in region:
        if line.strip() == "|":
            if current is not None:
                cells.append("\n".join(current).strip())
            current = []
        elif current is not None and line.strip():
            current.append(line.strip())
    rows: list[list[str]] = []
    row: list[str] = []
    for cell in cells:
        if cell:
            row.append(cell)
        elif row:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return Table(rows, wrapped=True)


def _docx_items(blocks: Iterable[Block]) -> list[Item]:
    items: list[Item] = []
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            lines.extend(block.split("\n"))
            lines.append("")
            continue
        items.extend(_line_items(lines))
        lines = []
        items.append(Table([[cell.strip() for cell in row] for row in block], wrapped=False))
    items.extend(_line_items(lines))
    return items


def _flatten(table: Table) -> list[Item]:
    out: list[Item] = []
    for row in table.rows:
        for cell in row:
            out.extend(cell.split("\n"))
            out.append(BREAK)
    return out


def _pdf_like(items: Sequence[Item]) -> bool:
    """Text extracted from a PDF has a blank line after nearly every line."""
    lines = [it for it in items if isinstance(it, str)]
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if len(filled) < 6:
        return False
    followed = sum(1 for i in filled if i + 1 < len(lines) and not lines[i + 1].strip())
    return followed / len(filled) > 0.7


def _hard_wrapped(items: Sequence[Item]) -> bool:
    """A .docx converted from a PDF keeps one paragraph per printed line: most of its
    paragraphs stop mid-sentence and the next one just runs on."""
    lines = [it.strip() for it in items if isinstance(it, str) and it.strip()]
    if len(lines) < 10:
        return False
    runs_on = sum(
        1
        for a, b in zip(lines, lines[1:], strict=False)
        if not _ends_sentence(a) and not _starts_block(b, a)
    )
    return runs_on / (len(lines) - 1) > 0.4


# ------------------------------------------------------------------------ patterns

_LABELS: dict[str, tuple[str, ...]] = {
    "lead": (
        "cơ quan, đơn vị chủ trì",
        "cơ quan, đơn vị thực hiện",
        "đơn vị chủ trì thực hiện",
        "cơ quan chủ trì thực hiện",
        "đơn vị chủ trì",
        "cơ quan chủ trì",
        "chủ trì thực hiện",
        "chủ trì",
        "đơn vị thực hiện",
        "cơ quan thực hiện",
        "đơn vị triển khai",
        "trách nhiệm thực hiện",
    ),
    "coord": (
        "cơ quan, đơn vị phối hợp",
        "đơn vị phối hợp thực hiện",
        "cơ quan phối hợp thực hiện",
        "đơn vị phối hợp",
        "cơ quan phối hợp",
        "phối hợp thực hiện",
        "phối hợp",
    ),
    "timing": (
        "thời gian thực hiện",
        "thời gian hoàn thành",
        "thời hạn hoàn thành",
        "thời hạn thực hiện",
        "tiến độ thực hiện",
        "tiến độ hoàn thành",
        "thời gian",
        "thời hạn",
        "tiến độ",
    ),
    "products": (
        "kết quả/sản phẩm",
        "sản phẩm/kết quả",
        "sản phẩm đầu ra",
        "sản phẩm dự kiến",
        "hình thức sản phẩm",
        "kết quả đầu ra",
        "kết quả dự kiến",
        "sản phẩm",
    ),
    "content": ("nội dung thực hiện", "nội dung nhiệm vụ", "nội dung", "nhiệm vụ"),
}
_LABEL_KIND = {fold(label): kind for kind, labels in _LABELS.items() for label in labels}
_NO_COLON_OK = ("thời gian thực hiện", "thời gian hoàn thành", "thời hạn hoàn thành")


def _label_pattern(labels: Iterable[str]) -> str:
    ordered = sorted(labels, key=len, reverse=True)
    return "|".join(r"\s*".join(re.escape(w) for w in label.split()) for label in ordered)


_ALL_LABELS = _label_pattern(label for labels in _LABELS.values() for label in labels)
_MARK = r"(?:[-–—+•]\s*|[a-zđ]\)\s*)?"
_LABEL_AT_START = re.compile(rf"^{_MARK}(?P<label>{_ALL_LABELS})\s*:\s*(?P<value>.*)$", re.I | re.S)
_LABEL_NO_COLON = re.compile(
    rf"^{_MARK}(?P<label>{_label_pattern(_NO_COLON_OK)})\s+"
    r"(?P<value>.*)$",
    re.I | re.S,
)
_LABEL_INSIDE = re.compile(rf"(?<=\S)\s+(?=(?:{_ALL_LABELS})\s*:)", re.I)
_CAPS_WORD = r"[A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ,]*"
_ITEM_INSIDE = re.compile(
    r"(?<=[.;:])\s+(?=\d{1,2}(?:\.\d{1,2}){0,3}\.\s+[A-ZĐÀ-Ỹ]"
    rf"|[IVX]{{1,5}}\.\s+{_CAPS_WORD}\s+{_CAPS_WORD}\b)"
)

_ONLY_MARK = re.compile(r"\s*(?:[-–—+•]|[a-zđ]\)|\d{1,2}(?:\.\d{1,2})*[.)]?)?\s*")
_ROMAN = re.compile(r"^(?P<num>[IVXLC]{1,6})\s*[.):]\s*(?P<title>.*)$", re.S)
_ROMAN_VALID = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_CAP_LETTER = re.compile(r"^(?P<num>[A-ZĐ])\s*[.)]\s+(?P<title>.+)$", re.S)
_NUMBER = re.compile(
    r"^(?P<num>\d{1,2}(?:\.\d{1,2}){1,3})\.?(?:\s+|$)(?P<rest>.*)$"
    r"|^(?P<num1>\d{1,2})\s*[.)](?:\s+|$)(?P<rest1>.*)$",
    re.S,
)
_LETTER = re.compile(r"^(?P<num>[a-zđ])\)\s*(?P<rest>.*)$", re.S)
_BULLET = re.compile(r"^[-–—+•]\s*(?=\S)")
_SEPARATOR = re.compile(r"^[-–—_=*.~·]{3,}$")
_DOC_TYPES = (
    r"(?:Kế hoạch|Nghị quyết|Quyết định|Chỉ thị|Công văn|Chương trình(?: hành động)?|"
    r"Thông báo|Kết luận|Nghị định|Thông tư|Luật|Hướng dẫn|Đề án|Văn bản)"
)
_PARENT_LINE = re.compile(rf"^(?:Thực hiện|Căn cứ|Triển khai)\s+{_DOC_TYPES}\b", re.I)
_DATE_PART = r"\s+ngày\s+(?:\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})"
_DOC_REF = (
    rf"{_DOC_TYPES}\s+số\s+\w[\w/.\-]*\w(?:{_DATE_PART})?"
    r"(?:\s+của\s+[^;,.]*?(?=\s+(?:về|ban hành|quy định|phê duyệt|triển khai|thực hiện|"
    r"hướng dẫn|tại)\b|[;,.]|$))?"
)
# Case-sensitive on purpose: an all-caps title ("TRIỂN KHAI THỰC HIỆN NGHỊ QUYẾT SỐ …")
# names what the plan is about, the "Thực hiện …" sentence names what it implements.
_PARENT_REF = re.compile(rf"[Tt]hực hiện\s+(?P<ref>{_DOC_REF})")
_PARENT_REF_FALLBACK = re.compile(rf"[Cc]ăn cứ\s+(?P<ref>{_DOC_REF})")
_KE_HOACH = re.compile(r"^(KẾ HOẠCH|CHƯƠNG TRÌNH HÀNH ĐỘNG)\b\s*(?P<rest>.*)$")
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
_SIGNATURE = re.compile(r"^(Nơi nhận|TM\.|KT\.|PHỤ LỤC\b|Trên đây là)", re.I)
_PREDICATE_AFTER_COORD = re.compile(
    r"\s(?:tổ chức|triển khai|thực hiện|tham mưu|xây dựng|rà soát|hướng dẫn|báo cáo|"
    r"theo dõi|kiểm tra|đôn đốc|ban hành|đề xuất|tổng hợp|trình)\b",
    re.I,
)
_INLINE_TIMING = re.compile(
    r"(?:^|(?<=[.;(]))\s*(?P<timing>(?:[Hh]oàn thành (?:trước|trong|chậm nhất)|[Tt]hời hạn"
    r"|[Tt]hực hiện thường xuyên|[Tt]hường xuyên)\b[^.;()]*)"
)
_INLINE_LEAD = re.compile(
    r"(?P<lead>[^.;:]{2,160}?)\s+(?:là cơ quan đầu mối,?\s*)?chủ trì\s*,?\s*phối hợp\s+"
    r"(?:với\s+)?(?P<coord>[^.;:]{2,240})",
    re.I,
)


def _is_all_caps(text: str) -> bool:
    return text == text.upper() and len(_LETTERS.findall(text, 0, 200)) >= 4


_LETTERS = re.compile(r"[^\W\d_]")


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", ";", ":", "!", "?", "…"))


def _number_of(paragraph: str) -> tuple[str, str] | None:
    m = _NUMBER.match(paragraph)
    if not m:
        return None
    if m.group("num"):
        return m.group("num"), m.group("rest").strip()
    return m.group("num1"), m.group("rest1").strip()


def _roman_heading(paragraph: str) -> tuple[str, str] | None:
    m = _ROMAN.match(paragraph)
    if m and _ROMAN_VALID.fullmatch(m.group("num")):
        return m.group("num"), m.group("title").strip()
    return None


def _label(paragraph: str) -> tuple[str, str] | None:
    m = _LABEL_AT_START.match(paragraph) or _LABEL_NO_COLON.match(paragraph)
    if not m:
        return None
    return _LABEL_KIND[fold(m.group("label"))], m.group("value").strip()


def _starts_block(line: str, previous: str, previous_caps: bool | None = None) -> bool:
    """Does this line begin a new paragraph rather than continue a wrapped one?
    `previous` is the previous line; `previous_caps` whether its whole paragraph is all
    caps (default: judged from that line)."""
    if _BULLET.match(line):
        # "kinh tế\n- xã hội": a compound broken at the line end, not a bullet.
        rest = _BULLET.sub("", line)
        return not (rest[:1].islower() and not _ends_sentence(previous))
    if _label(line) or _roman_heading(line) or _number_of(line) or _LETTER.match(line):
        return True
    if _CAP_LETTER.match(line) and _is_all_caps(_CAP_LETTER.match(line).group("title")):
        return True
    if _KE_HOACH.match(line) or _SIGNATURE.match(line) or _PARENT_LINE.match(line):
        return True
    if previous_caps is None:
        previous_caps = _is_all_caps(previous)
    return _is_all_caps(line) and not previous_caps


def _join(previous: str, line: str) -> str:
    if _HYPHEN_END.search(previous[-2:]):  # "05-\nCT/TW", a number broken at the end
        return previous + line
    return f"{previous} {line}"


_HYPHEN_END = re.compile(r"\w-$")


def _join_lines(text: str) -> str:
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


def _split_inline(paragraph: str) -> list[str]:
    """Split where a lost line break glued two blocks together: before a label that
    follows a sentence end or starts with a capital ("… thiết yếu. Đơn vị chủ trì: …",
    "Văn phòng Sở Thời gian thực hiện: Năm 2025"), and before a numbered item or an
    all-caps roman heading that follows a sentence end ("… 15/11/2025. 3. Rà soát …")."""
    cuts: list[int] = []
    labels = _LABEL_INSIDE.finditer(paragraph) if ":" in paragraph else ()
    for m in labels:
        before = paragraph[cuts[-1] if cuts else 0 : m.start()]
        if _ONLY_MARK.fullmatch(before):
            continue  # "a) Nhiệm vụ: …", "- Đơn vị chủ trì: …"
        if before.endswith((".", ";")) or paragraph[m.end()].isupper():
            cuts.append(m.end())
    cuts.extend(m.end() for m in _ITEM_INSIDE.finditer(paragraph))
    cuts = sorted(set(cuts))
    bounds = [0, *cuts, len(paragraph)]
    return [paragraph[a:b].strip() for a, b in zip(bounds, bounds[1:], strict=False)]


def _steal_label_head(parts: list[str], line: str) -> tuple[list[str], str] | None:
    if ":" not in line[:40] or not parts:
        return None
    keep = parts[:-4]
    tail = " ".join(parts[-4:])
    words = tail.rsplit(None, 3)
    for n in (3, 2, 1):
        if len(words) < n:
            continue
        head = " ".join(words[-n:])
        rest = " ".join(words[:-n])
        if rest and not _ends_sentence(rest):
            continue
        if not rest and keep and not _ends_sentence(keep[-1]):
            continue
        m = _LABEL_AT_START.match(f"{head} {line}")
        if m and len(m.group("label")) > len(head):
            return ([*keep, rest] if rest else keep), f"{head} {line}"
    return None


def _paragraphs(items: Sequence[Item], ignore_blanks: bool) -> list[str | Table]:
    """Rebuild paragraphs. With `ignore_blanks` (PDF text) only block starts end one;
    otherwise a blank line does too, unless the text plainly runs on (the paragraph has
    no closing punctuation and the next one starts in lower case). Linear: a paragraph
    is kept as its lines and joined once."""
    out: list[str | Table] = []
    parts: list[str] = []
    caps = True  # every line of the current paragraph is all caps
    after_blank = False

    def close() -> None:
        nonlocal parts
        if parts:
            out.extend(p for p in _split_inline(" ".join(parts)) if p)
        parts = []

    for item in items:
        if isinstance(item, Table | _Break):
            close()
            if isinstance(item, Table):
                out.append(item)
            continue
        line = _SPACES.sub(" ", item).strip()
        if not line:
            after_blank = not ignore_blanks
            continue
        if _SEPARATOR.match(line) or line == "|":
            close()
            continue
        stolen = _steal_label_head(parts, line) if parts else None
        if stolen:
            kept, line = stolen
            parts = kept
            if not parts:
                caps = True
        last = parts[-1] if parts else ""
        runs_on = bool(parts) and not _ends_sentence(last) and line[0].islower()
        if not parts or _starts_block(line, last, caps) or (after_blank and not runs_on):
            close()
            parts = [line]
            caps = _is_all_caps(line)
        else:
            _append(parts, line)
            caps = caps and _is_all_caps(line)
        after_blank = False
    close()
    return out


_SPACES = re.compile(r"\s+")


# -------------------------------------------------------------------------- header


def _header_lines(items: Sequence[Item]) -> list[str]:
    """Raw lines of the document's head (tables flattened), enough for the header and
    title; the body is read from paragraphs instead."""
    lines: list[str] = []
    for item in items[:_HEAD_ITEMS]:
        if isinstance(item, Table):
            lines.extend("" if isinstance(x, _Break) else str(x) for x in _flatten(item))
        elif isinstance(item, _Break):
            lines.append("")
        else:
            lines.append(re.sub(r"\s+", " ", item).strip())
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


def _parse_header(lines: list[str], pdf_like: bool) -> dict[str, Any]:
    plan: dict[str, Any] = {
        "issuer": None,
        "number": None,
        "date": None,
        "date_text": None,
        "place": None,
        "title": None,
        "parent": None,
    }
    kh = next((i for i, line in enumerate(lines) if _KE_HOACH.match(line)), None)
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
        if _HEADER_STOP.match(line) or _SEPARATOR.match(line):
            break
        if not bodies or fold(line).startswith(_ISSUER_HEADS):
            bodies.append(line)
        else:
            bodies[-1] = f"{bodies[-1]} {line}"
    return bodies[-1] if bodies else None


def _title(lines: list[str], kh: int, pdf_like: bool) -> str | None:
    rest = _KE_HOACH.match(lines[kh]).group("rest").strip()
    collected = [rest] if rest else []
    for line in lines[kh + 1 :]:
        if not line:
            if collected and not pdf_like:
                break
            continue
        if _SEPARATOR.match(line) or line == "|" or _roman_heading(line) and collected:
            if collected:
                break
            continue
        if collected and (_PARENT_LINE.match(line) or len(collected) >= 6):
            break
        collected.append(line)
    title = ""
    for line in collected:
        title = _join(title, line) if title else line
    return title or None


def _parent(paragraphs: Iterable[str]) -> str | None:
    text = " ".join(p for p in paragraphs if not _is_all_caps(p) and not _KE_HOACH.match(p))
    m = _PARENT_REF.search(text) or _PARENT_REF_FALLBACK.search(text)
    return re.sub(r"\s+", " ", m.group("ref")).strip(" .,;") if m else None


# ---------------------------------------------------------------------------- tasks


@dataclass
class _Node:
    number: str
    heading: str
    depth: int = 1
    is_letter: bool = False
    body: list[str] = field(default_factory=list)
    leads: list[str] = field(default_factory=list)
    coords: list[str] = field(default_factory=list)
    timing: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)

    def has_fields(self) -> bool:
        return bool(self.leads or self.coords or self.timing or self.products)


def _add_field(node: _Node, kind: str, value: str) -> None:
    if kind == "lead":
        node.leads.extend(split_unit_names(value))
    elif kind == "coord":
        node.coords.extend(split_unit_names(value))
    elif kind == "timing":
        node.timing.append(value)
    elif kind == "products":
        node.products.extend(p for p in (_tidy(x) for x in re.split(r";|\n", value)) if p)


def _tidy(text: str) -> str:
    return re.sub(r"\s+", " ", _BULLET.sub("", text.strip())).strip(" .;")


@dataclass
class _Section:
    label: str
    title: str
    is_task: bool
    paragraphs: list[str] = field(default_factory=list)


def _sections(paragraphs: list[str]) -> tuple[list[str], list[_Section]]:
    """Preamble and sections; roman headings, capital-letter sub-headings, and all-caps
    headings naming tasks (e.g. "NHIỆM VỤ CỤ THỂ") open sections."""
    has_roman = any(_roman_heading(p) for p in paragraphs)
    preamble: list[str] = []
    sections: list[_Section] = []
    roman_is_task = False
    # An all-caps plan title ("KẾ HOẠCH TRIỂN KHAI CÁC NHIỆM VỤ …") is not a heading:
    # unnumbered headings count only once ordinary text follows "KẾ HOẠCH".
    title_at = next((i for i, p in enumerate(paragraphs) if _KE_HOACH.match(p)), -1)
    past_title = False
    for i, p in enumerate(paragraphs):
        past_title = past_title or (i > title_at and not _is_all_caps(p))
        heading = _section_heading(p, has_roman, past_title)
        if heading:
            kind, label, title = heading
            t = fold(title)
            excluded = kind == "end" or any(x in t for x in NON_TASK_HEADINGS)
            named = any(x in t for x in TASK_HEADINGS)
            if kind == "letter":
                is_task = not excluded and (named or roman_is_task)
            else:
                is_task = not excluded and named
                roman_is_task = is_task
            sections.append(_Section(label, title, is_task))
        elif sections:
            sections[-1].paragraphs.append(p)
        else:
            preamble.append(p)
    return preamble, sections


def _section_heading(p: str, has_roman: bool, past_title: bool) -> tuple[str, str, str] | None:
    if _SIGNATURE.match(p):
        return "end", "", p
    roman = _roman_heading(p)
    if roman:
        return "top", roman[0], roman[1]
    m = _CAP_LETTER.match(p)
    if m and _is_all_caps(m.group("title")):
        return "letter", m.group("num"), m.group("title")
    if not has_roman:
        num = _number_of(p)
        if num and "." not in num[0] and _is_all_caps(num[1]):
            return "top", num[0], num[1]
    if past_title and _is_all_caps(p) and any(x in fold(p) for x in SECTION_WORDS):
        return "top", "", p
    return None


def _build_tree(paragraphs: list[str], unplaced: list[str]) -> list[_Node]:
    roots: list[_Node] = []
    stack: list[_Node] = []
    current: _Node | None = None
    pending: str | None = None  # a label with no value; its values follow as bullets
    for p in paragraphs:
        label = _label(p)
        if label:
            kind, value = label
            if current is None:
                unplaced.append(p)
            elif kind == "content":
                current.body.append(p)
            elif value:
                _add_field(current, kind, value)
            pending = None if value or kind == "content" else kind
            continue
        if pending and current is not None and _BULLET.match(p):
            _add_field(current, pending, _BULLET.sub("", p))
            continue
        pending = None
        numbered = _number_of(p)
        if numbered:
            depth = numbered[0].count(".") + 1
            while stack and stack[-1].depth >= depth:
                stack.pop()
            node = _Node(numbered[0], numbered[1], depth=depth)
            (stack[-1].children if stack else roots).append(node)
            stack.append(node)
            current = node
            continue
        letter = _LETTER.match(p)
        if letter:
            parent = stack[-1] if stack else None
            number = f"{parent.number}.{letter['num']}" if parent else letter["num"]
            node = _Node(number, letter["rest"].strip(), depth=99, is_letter=True)
            (parent.children if parent else roots).append(node)
            current = node
            continue
        if current is not None:
            current.body.append(p)
        else:
            unplaced.append(p)
    for root in roots:
        _settle_letters(root)
    return roots


def _settle_letters(node: _Node) -> None:
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
        last.leads, last.coords, last.timing, last.products = [], [], [], []
        with_fields = []
    if with_fields:
        return
    for child in letters:
        node.body.append(f"{child.number.rsplit('.', 1)[-1]}) {child.heading}".strip())
        node.body.extend(child.body)
    node.children = [c for c in node.children if not c.is_letter]


def _inline_fields(node: _Node) -> None:
    """Units and timing written inside a sentence, used only where no label says them:
    "Sở X chủ trì, phối hợp với Sở Y …", "… Hoàn thành trong tháng 3/2026."."""
    for child in node.children:
        _inline_fields(child)
    texts = (node.heading, *node.body)
    if not node.timing:
        found = next((m for t in texts if (m := _INLINE_TIMING.search(t))), None)
        if found:
            node.timing.append(found.group("timing").strip())
    if node.leads:
        return
    for text in texts:
        m = _INLINE_LEAD.search(text)
        lead = _lead_subject(m.group("lead")) if m else None
        if m and lead:
            node.leads = split_unit_names(lead)
            coord = _PREDICATE_AFTER_COORD.split(m.group("coord"), maxsplit=1)[0]
            node.coords = node.coords or split_unit_names(coord)
            return


def _lead_subject(text: str) -> str | None:
    """The unit at the end of "… , giao Sở Công Thương" (before "chủ trì")."""
    words = text.split()
    for i in range(len(words)):
        candidate = " ".join(words[i:])
        if (
            split_unit_names(candidate) == [candidate]
            and re.match(
                r"^(Sở|Ủy ban|Uỷ ban|UBND|Ban|Văn phòng|Chi cục|Cục|Bộ|Phòng|Trung tâm|Công an|"
                r"Các|các)\b",
                candidate,
            )
            and len(words) - i <= 12
        ):
            return candidate
    return None


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


def _task_dict(node: _Node, known: Sequence[KnownUnit]) -> dict[str, Any]:
    body = [node.heading, *node.body] if node.heading else list(node.body)
    title_source = node.heading or next(iter(node.body), "")
    return {
        "number": node.number,
        "title": _first_sentence(_label_value(title_source)),
        "content": "\n".join(b for b in body if b),
        "lead_units": match_units(_dedupe(node.leads), known),
        "coordinating_units": match_units(_dedupe(node.coords), known),
        "timing": parse_timing("; ".join(node.timing) or None).as_dict(),
        "products": node.products,
        "subtasks": [_task_dict(child, known) for child in node.children],
    }


def _label_value(text: str) -> str:
    label = _label(text)
    return label[1] if label else text


# ---------------------------------------------------------------------- task tables


def _column_kind(header: str) -> str | None:
    h = fold(header)
    if re.fullmatch(r"(số )?(stt|tt|thứ tự)|số thứ tự", h):
        return "number"
    if any(k in h for k in ("thời gian", "thời hạn", "tiến độ")):
        return "timing"
    if "phối hợp" in h:
        return "coord"
    if "chủ trì" in h or ("thực hiện" in h and ("cơ quan" in h or "đơn vị" in h)):
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


def _column_map(table: Table) -> _Columns | None:
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


def _repair_rows(rows: list[list[str]], width: int) -> list[list[str]]:
    """In "|"-per-line text an empty cell looks like a row end; glue such halves back."""
    out: list[list[str]] = []
    for row in rows:
        if (
            out
            and len(out[-1]) < width
            and len(out[-1]) + 1 + len(row) <= width
            and _row_number(out[-1][0])
            and not _row_number(row[0])
            and not _roman_heading(row[0])
        ):
            out[-1] = [*out[-1], "", *row]
        else:
            out.append(list(row))
    return out


def _table_tasks(table: Table, unplaced: list[str]) -> list[_Node]:
    mapping = _column_map(table)
    if mapping is None:
        return []
    columns = mapping.kinds
    width = max(mapping.width, max(columns.values()) + 1)
    rows = table.rows[mapping.header_index + 1 :]
    if table.wrapped:
        rows = _repair_rows(rows, width)
    roots: list[_Node] = []
    by_number: dict[str, _Node] = {}
    last: _Node | None = None
    for row in rows:
        cells = [(_join_lines(c) if table.wrapped else c.strip()) for c in row]
        cells += [""] * (width - len(cells))
        if all(re.fullmatch(r"\(?\d*\)?", c) for c in cells):
            continue  # column numbering row "(1) (2) (3)"
        number = _row_number(cells[columns["number"]])
        content = cells[columns["content"]]
        if number is None and (len(set(cells)) == 1 or _roman_heading(cells[0])):
            continue  # a group heading row ("I. NÂNG CAO NHẬN THỨC …")
        if number is None:
            if last is None:
                unplaced.append(" | ".join(c for c in cells if c))
                continue
            if not any(cells[columns[k]] for k in ("lead", "coord", "timing") if k in columns):
                last.body.append(content)
                continue
            number = f"{last.number}.{len(last.children) + 1}"
        node = _Node(number, content, depth=number.count(".") + 1)
        for kind in ("lead", "coord", "timing", "products"):
            if kind in columns and cells[columns[kind]]:
                _add_field(node, kind, cells[columns[kind]])
        parent = by_number.get(number.rsplit(".", 1)[0]) if "." in number else None
        (parent.children if parent else roots).append(node)
        by_number[number] = node
        if parent is None:
            last = node
    return roots


# ----------------------------------------------------------------------------- API


def _renumber(nodes: list[_Node], prefix: str) -> None:
    for node in nodes:
        node.number = f"{prefix}.{node.number}"
        _renumber(node.children, prefix)


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
        items = _docx_items(source.blocks)
        pdf_like = _hard_wrapped(items)
    else:
        items = _text_items(source.text)
        pdf_like = _pdf_like(items)

    plan = _parse_header(_header_lines(items), pdf_like)
    task_tables = [it for it in items if isinstance(it, Table) and _column_map(it)]
    body_items: list[Item] = []
    for item in items:
        if isinstance(item, Table) and item not in task_tables:
            body_items.extend(_flatten(item))
        else:
            body_items.append(item)
    paragraphs = [p for p in _paragraphs(body_items, pdf_like) if isinstance(p, str)]
    preamble, sections = _sections(paragraphs)
    plan["parent"] = _parent(preamble)

    unplaced: list[str] = []
    roots: list[_Node] = []
    for table in task_tables:
        roots.extend(_table_tasks(table, unplaced))
    if not roots:
        task_sections = [s for s in sections if s.is_task]
        per_section = [(s, _build_tree(s.paragraphs, unplaced)) for s in task_sections]
        seen: set[str] = set()
        clash = False
        for _, nodes in per_section:
            numbers = {n.number for n in nodes}
            clash = clash or bool(seen & numbers)
            seen |= numbers
        for section, nodes in per_section:
            if clash and section.label:
                _renumber(nodes, section.label)
            roots.extend(nodes)
        if not roots:
            why = (
                "có mục nhiệm vụ nhưng không có mục nào được đánh số"
                if task_sections
                else "không thấy mục nội dung/nhiệm vụ nào"
            )
            raise PlanImportError(_NO_TASKS.format(why=why))
    for root in roots:
        _inline_fields(root)
    return {
        "plan": plan,
        "tasks": [_task_dict(root, known) for root in roots],
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
