"""Recognisers shared by the stages: field labels ("Đơn vị chủ trì:", "Thời gian thực
hiện:" …), numbering (1., 1.1., a), "-"), roman and all-caps headings, sentence ends, and
what starts a new paragraph."""

from __future__ import annotations

import re
from collections.abc import Iterable

from documents.units import fold

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

LABEL_AT_START = re.compile(rf"^{_MARK}(?P<label>{_ALL_LABELS})\s*:\s*(?P<value>.*)$", re.I | re.S)

_LABEL_NO_COLON = re.compile(
    rf"^{_MARK}(?P<label>{_label_pattern(_NO_COLON_OK)})\s+"
    r"(?P<value>.*)$",
    re.I | re.S,
)

LABEL_INSIDE = re.compile(rf"(?<=\S)\s+(?=(?:[-–—+•]\s*)?(?:{_ALL_LABELS})\s*:)", re.I)

_CAPS_WORD = r"[A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ,]*"

ITEM_INSIDE = re.compile(
    r"(?<=[.;:])\s+(?=\d{1,2}(?:\.\d{1,2}){0,3}\.\s+[A-ZĐÀ-Ỹ]"
    rf"|[IVX]{{1,5}}\.\s+{_CAPS_WORD}\s+{_CAPS_WORD}\b)"
)

ONLY_MARK = re.compile(r"\s*(?:[-–—+•]|[a-zđ]\)|\d{1,2}(?:\.\d{1,2})*[.)]?)?\s*")

_ROMAN = re.compile(r"^(?P<num>[IVXLC]{1,6})\s*[.):]\s*(?P<title>.*)$", re.S)

ROMAN_VALID = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")

CAP_LETTER = re.compile(r"^(?P<num>[A-ZĐ])\s*[.)]\s+(?P<title>.+)$", re.S)

_NUMBER = re.compile(
    r"^(?P<num>\d{1,2}(?:\.\d{1,2}){1,3})\.?(?:\s+|$)(?P<rest>.*)$"
    r"|^(?P<num1>\d{1,2})\s*[.)](?:\s+|$)(?P<rest1>.*)$",
    re.S,
)

LETTER = re.compile(r"^(?P<num>[a-zđ])\)\s*(?P<rest>.*)$", re.S)

BULLET = re.compile(r"^[-–—+•]\s*(?=\S)")

SEPARATOR = re.compile(r"^[-–—_=*.~·]{3,}$")

DOC_TYPES = (
    r"(?:Kế hoạch|Nghị quyết|Quyết định|Chỉ thị|Công văn|Chương trình(?: hành động)?|"
    r"Thông báo|Kết luận|Nghị định|Thông tư|Luật|Hướng dẫn|Đề án|Văn bản)"
)

PARENT_LINE = re.compile(rf"^(?:Thực hiện|Căn cứ|Triển khai)\s+(?i:{DOC_TYPES})\b")

KE_HOACH = re.compile(r"^(KẾ HOẠCH|CHƯƠNG TRÌNH HÀNH ĐỘNG)\b\s*(?P<rest>.*)$")

SIGNATURE = re.compile(r"^(Nơi nhận|TM\.|KT\.|PHỤ LỤC\b|Trên đây là)", re.I)


def is_all_caps(text: str) -> bool:
    return text == text.upper() and len(_LETTERS.findall(text, 0, 200)) >= 4


_LETTERS = re.compile(r"[^\W\d_]")


def ends_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", ";", ":", "!", "?", "…"))


def number_of(paragraph: str) -> tuple[str, str] | None:
    m = _NUMBER.match(paragraph)
    if not m:
        return None
    if m.group("num"):
        return m.group("num"), m.group("rest").strip()
    return m.group("num1"), m.group("rest1").strip()


def roman_heading(paragraph: str) -> tuple[str, str] | None:
    m = _ROMAN.match(paragraph)
    if m and ROMAN_VALID.fullmatch(m.group("num")):
        return m.group("num"), m.group("title").strip()
    return None


def read_label(paragraph: str) -> tuple[str, str] | None:
    m = LABEL_AT_START.match(paragraph) or _LABEL_NO_COLON.match(paragraph)
    if not m:
        return None
    return _LABEL_KIND[fold(m.group("label"))], m.group("value").strip()


# Marks a Markdown heading line ("## …") through paragraph rebuilding: on a web page
# it is a section boundary even when it is not numbered.
MD_HEADING_MARK = "\u2063"


def starts_block(line: str, previous: str, previous_caps: bool | None = None) -> bool:
    """Does this line begin a new paragraph rather than continue a wrapped one?
    `previous` is the previous line; `previous_caps` whether its whole paragraph is all
    caps (default: judged from that line)."""
    if line.startswith(MD_HEADING_MARK) or previous.startswith(MD_HEADING_MARK):
        return True
    if BULLET.match(line):
        # "kinh tế\n- xã hội": a compound broken at the line end, not a bullet.
        rest = BULLET.sub("", line)
        return not (rest[:1].islower() and not ends_sentence(previous))
    if read_label(line) or roman_heading(line) or number_of(line) or LETTER.match(line):
        return True
    if CAP_LETTER.match(line) and is_all_caps(CAP_LETTER.match(line).group("title")):
        return True
    if KE_HOACH.match(line) or SIGNATURE.match(line) or PARENT_LINE.match(line):
        return True
    if previous_caps is None:
        previous_caps = is_all_caps(previous)
    return is_all_caps(line) and not previous_caps


SPACES = re.compile(r"\s+")


def label_value(text: str) -> str:
    label = read_label(text)
    return label[1] if label else text
