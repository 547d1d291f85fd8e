"""Stage 5, read each item's fields: labelled lines ("Đơn vị chủ trì: …") are added
as they are met; units and timing written inside a sentence ("Sở X chủ trì, phối hợp
với Sở Y …", "Hoàn thành trước ngày …") are used only where no label says them."""

from __future__ import annotations

import re

from documents.plan_import.model import Node
from documents.plan_import.patterns import BULLET
from documents.units import split_unit_names

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


def add_field(node: Node, kind: str, value: str) -> None:
    if kind == "lead":
        node.leads.extend(split_unit_names(value))
    elif kind == "coord":
        node.coords.extend(split_unit_names(value))
    elif kind == "timing":
        node.timing.append(value)
    elif kind == "products":
        node.products.extend(p for p in (_tidy(x) for x in re.split(r";|\n", value)) if p)


def _tidy(text: str) -> str:
    return re.sub(r"\s+", " ", BULLET.sub("", text.strip())).strip(" .;")


def inline_fields(node: Node) -> None:
    """Units and timing written inside a sentence, used only where no label says them:
    "Sở X chủ trì, phối hợp với Sở Y …", "… Hoàn thành trong tháng 3/2026."."""
    for child in node.children:
        inline_fields(child)
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
