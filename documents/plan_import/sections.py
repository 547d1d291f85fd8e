"""Stage 3, find the sections: only the section that lists the tasks ("NỘI DUNG, THỜI
GIAN THỰC HIỆN", "NHIỆM VỤ VÀ GIẢI PHÁP" …) is read for tasks; numbered items under
MỤC ĐÍCH, YÊU CẦU, MỤC TIÊU, KINH PHÍ or TỔ CHỨC THỰC HIỆN are never tasks."""

from __future__ import annotations

from documents.plan_import.model import Para, Section, lines_of
from documents.plan_import.patterns import (
    CAP_LETTER,
    KE_HOACH,
    MD_HEADING_MARK,
    SIGNATURE,
    is_all_caps,
    number_of,
    roman_heading,
)
from documents.units import fold

TASK_HEADINGS = ("nhiệm vụ", "nội dung", "giải pháp", "hoạt động", "công việc")

NON_TASK_HEADINGS = (
    "tổ chức thực hiện",
    "kinh phí",
    "nơi nhận",
    "phụ lục",
    # a monitoring plan lists what is monitored, not tasks
    "nội dung giám sát",
    "nội dung đánh giá",
    "nội dung kiểm tra",
)

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


def split_sections(paragraphs: list[str]) -> tuple[list[str], list[Section]]:
    """Preamble and sections; roman headings, capital-letter sub-headings, and all-caps
    headings naming tasks (e.g. "NHIỆM VỤ CỤ THỂ") open sections."""
    marked = {i for i, p in enumerate(paragraphs) if p.startswith(MD_HEADING_MARK)}
    paragraphs = [
        Para(p.lstrip(MD_HEADING_MARK), *(lines_of(p) or (0, 0))) if i in marked else p
        for i, p in enumerate(paragraphs)
    ]
    has_roman = any(roman_heading(p) for p in paragraphs)
    preamble: list[str] = []
    sections: list[Section] = []
    roman_is_task = False
    # An all-caps plan title ("KẾ HOẠCH TRIỂN KHAI CÁC NHIỆM VỤ …") is not a heading:
    # unnumbered headings count only once ordinary text follows "KẾ HOẠCH".
    title_at = next((i for i, p in enumerate(paragraphs) if KE_HOACH.match(p)), -1)
    past_title = False
    for i, p in enumerate(paragraphs):
        past_title = past_title or (i > title_at and not is_all_caps(p))
        heading = _section_heading(p, has_roman, past_title)
        if heading is None and i in marked and not number_of(p):
            # "## Ưu tiên phát triển …" on a web page: the section before has ended;
            # it holds tasks only if it is an all-caps task heading.
            heading = ("md", "", p if is_all_caps(p) else "")
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
            sections.append(Section(label, title, is_task))
        elif sections:
            sections[-1].paragraphs.append(p)
        else:
            preamble.append(p)
    return preamble, sections


def _section_heading(p: str, has_roman: bool, past_title: bool) -> tuple[str, str, str] | None:
    if SIGNATURE.match(p):
        return "end", "", p
    roman = roman_heading(p)
    if roman:
        return "top", roman[0], roman[1]
    m = CAP_LETTER.match(p)
    if m and is_all_caps(m.group("title")):
        return "letter", m.group("num"), m.group("title")
    if not has_roman:
        num = number_of(p)
        if num and "." not in num[0] and is_all_caps(num[1]):
            return "top", num[0], num[1]
    if past_title and is_all_caps(p) and any(x in fold(p) for x in SECTION_WORDS):
        return "top", "", p
    return None
