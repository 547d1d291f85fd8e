"""Stage 5, read each item's fields: labelled lines ("Đơn vị chủ trì: …") are added
as they are met; units and timing written inside a sentence ("Sở X chủ trì, phối hợp
với Sở Y …", "Hoàn thành trước ngày …") are used only where no label says them."""

from __future__ import annotations

import re

from documents.plan_import.model import Node, lines_of
from documents.plan_import.patterns import BULLET
from documents.units import split_unit_names

# Verbs that end a list of units and start what they do ("… phối hợp với Sở X tổ
# chức …", "Đề nghị Văn phòng Tỉnh ủy, … tăng cường công tác …").
_PREDICATE_AFTER_COORD = re.compile(
    r"(?<!các)(?<!những)\s(?:tổ chức|triển khai|thực hiện|tham mưu|xây dựng|rà soát|"
    r"hướng dẫn|báo cáo|"
    r"theo dõi|kiểm tra|đôn đốc|ban hành|đề xuất|tổng hợp|trình|nghiên cứu|tăng cường|"
    r"đẩy mạnh|chỉ đạo|tuyên truyền|quán triệt|cung cấp|xử lý|đánh giá|bảo đảm|đảm bảo|"
    r"hỗ trợ|tiếp tục|thẩm định|giám sát|quản lý|phổ biến|thu thập|cập nhật|bố trí|"
    r"khảo sát|vận động|lập|tập huấn|bồi dưỡng|phát hiện|ngăn chặn|chủ động|nâng cao|"
    r"thường xuyên|kịp thời|có trách nhiệm|chịu trách nhiệm|căn cứ|định kỳ|phát động|"
    r"duy trì|kiện toàn|sửa đổi|bổ sung|hoàn thiện|điều tra|thanh tra|rà soát)\b",
)  # case-sensitive: "các Ban Xây dựng Đảng" is a name

# "Hoàn thành trước ngày …", "Hoàn thành, báo cáo kết quả … trong tháng 11/2025",
# "Thời hạn: …", "Thực hiện thường xuyên".
_INLINE_TIMING = re.compile(
    r"(?:^|(?<=[.;(])|(?<=,)(?=\s*hoàn thành))\s*(?P<timing>(?:[Hh]oàn thành"
    r"(?:,?\s[^.;]{0,160}?)?\s(?:trước|trong|chậm nhất)|[Tt]hời hạn|[Tt]hực hiện thường xuyên"
    r"|[Tt]hường xuyên|Trước ngày|Trong (?:tháng|quý|năm))\b[^.;()]*)"
)

_INLINE_LEAD = re.compile(
    r"(?P<lead>[^.;:]{2,160}?)\s+(?:là cơ quan đầu mối,?\s*)?chủ trì\s*,?\s*phối hợp\s+"
    r"(?:với\s+)?(?P<coord>[^.;:]{2,240})",
    re.I,
)


def add_field(
    node: Node, kind: str, value: str, source: str | None = None, how: str = "label"
) -> None:
    """Add a field's value to an item; `source` is the paragraph it was read from, `how`
    it was found ("label", "table", "sentence")."""
    if source is not None:
        node.see(source)
        span = lines_of(source)
        if span and kind not in node.found:
            node.found[kind] = (how, *span)
        elif kind not in node.found:
            node.found[kind] = (how, 0, 0)
    if kind in ("lead", "coord"):
        role = _ROLE_AT_END.search(value)
        if role:  # "+ Sở Nội vụ chủ trì", "+ Các sở, ngành phối hợp"
            kind = "lead" if "chủ trì" in role.group(0).lower() else "coord"
            value = value[: role.start()]
            if source is not None:
                node.found.setdefault(kind, node.found.get("lead") or ("label", 0, 0))
        leads, coords = _unit_field(value)
        if kind == "lead":
            node.leads.extend(leads)
            node.coords.extend(coords)
            if coords and "coord" not in node.found and "lead" in node.found:
                node.found["coord"] = node.found["lead"]
        else:
            node.coords.extend(leads + coords)
    elif kind == "timing":
        node.timing.append(value)
    elif kind == "products":
        node.products.extend(p for p in (_tidy(x) for x in re.split(r";|\n", value)) if p)


_ROLE_AT_END = re.compile(r"\s+(?:chủ trì|phối hợp)(?:\s+thực hiện)?\s*[.;]?\s*$", re.I)
_CELL_END = re.compile(r"\s\|(?:\s|$)")
_PLUS_ITEM = re.compile(r"(?:^|\s)\+\s+")
_THEN_COORD = re.compile(r"[;,]\s*(?:và\s+)?phối hợp\s+(?:với\s+)?", re.I)
_PARTNER_IN_BRACKETS = re.compile(r"\((?P<units>[^()]{2,120}?)\s+phối hợp\b[^()]*\)")
_PARENTHESIS = re.compile(r"\s*\([^()]{0,120}\)")


def _unit_field(value: str) -> tuple[list[str], list[str]]:
    """Units of a lead/coordinator value, and coordinators it names in passing.

    "Cục X xây dựng kế hoạch …; phối hợp với các cơ quan liên quan …" leads with Cục X
    and coordinates with the others; "+ Các đơn vị thuộc Bộ: Văn phòng Bộ, Cục Y" lists
    the units after the category's colon; "Cục Z (Bộ Văn hóa …)" names Cục Z's ministry
    in brackets, not another unit."""
    value = _CELL_END.split(value, maxsplit=1)[0]  # "… liên quan. | Quyền và nghĩa vụ …"
    coords: list[str] = []
    for partner in _PARTNER_IN_BRACKETS.finditer(value):  # "Ban X (Viện Y phối hợp)"
        coords.extend(split_unit_names(partner.group("units")))
    value = _PARENTHESIS.sub("", value)
    then = _THEN_COORD.search(value)
    if then:
        rest = _PREDICATE_AFTER_COORD.split(value[then.end() :], maxsplit=1)[0]
        coords.extend(split_unit_names(_COORD_TAIL.split(rest, maxsplit=1)[0]))
        value = value[: then.start()]
    units: list[str] = []
    for piece in _PLUS_ITEM.split(value):
        piece = piece.strip()
        if not piece:
            continue
        head, colon, after = piece.partition(":")
        if colon and after.strip() and len(head) < 120:
            piece = after  # "Các đơn vị thuộc Bộ …: A, B" → A, B
        units.extend(split_unit_names(piece))
    return units, coords


def _tidy(text: str) -> str:
    return re.sub(r"\s+", " ", BULLET.sub("", text.strip())).strip(" .;")


_LEAD_ALONE = re.compile(
    r"^(?:[-–+•]\s*)?(?P<lead>[^.;:,()]{2,120}?)\s+(?:là cơ quan đầu mối,?\s*)?chủ trì\s+"
    r"(?!,|phối hợp)[a-zđà-ỹ]"
)
_LEAD_ANCHOR = re.compile(r"chủ trì\s*,?\s*phối hợp", re.I)


def _inline_lead(text: str) -> re.Match[str] | None:
    """`_INLINE_LEAD` tried only around each "chủ trì, phối hợp" (a window of the
    pattern's own bounds): searching the whole paragraph would try every start."""
    for anchor in _LEAD_ANCHOR.finditer(text):
        start = max(0, anchor.start() - 200)
        m = _INLINE_LEAD.search(text, start, min(len(text), anchor.end() + 260))
        if m:
            return m
    return None


def inline_fields(node: Node) -> None:
    """Units and timing written inside a sentence, used only where no label says them:
    "Sở X chủ trì, phối hợp với Sở Y …", "… Hoàn thành trong tháng 3/2026."."""
    for child in node.children:
        inline_fields(child)
    texts = (node.heading, *node.body)
    if not node.timing:
        for text in texts:
            m = _INLINE_TIMING.search(text)
            if m:
                node.timing.append(m.group("timing").strip())
                _found(node, "timing", text)
                break
    if node.leads:
        return
    for text in texts:
        m = _inline_lead(text) if "chủ trì" in text.lower() else None
        lead = _lead_subject(m.group("lead")) if m else None
        if m and lead:
            node.leads = split_unit_names(lead)
            _found(node, "lead", text)
            coord = _PREDICATE_AFTER_COORD.split(m.group("coord"), maxsplit=1)[0]
            if not node.coords:
                node.coords = split_unit_names(coord)
                _found(node, "coord", text)
            return
    # "- Sở Y tế chủ trì kiểm tra, đôn đốc …": a duty whose subject leads it.
    for text in texts:
        m = _LEAD_ALONE.match(text) if "chủ trì" in text else None
        lead = _lead_subject(m.group("lead")) if m else None
        if m and lead:
            node.leads = split_unit_names(lead)
            _found(node, "lead", text)
            return


def _found(node: Node, kind: str, text: str) -> None:
    span = lines_of(text) or (node.first, node.last)
    node.found.setdefault(kind, ("sentence", *span))


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


_REQUEST = re.compile(r"^(?:đề nghị|giao|yêu cầu)\s+", re.I)
UNIT_START = re.compile(
    r"^(?:các\s+|những\s+)?(?:Sở|Ủy ban|Uỷ ban|UBND|Ban|Văn phòng|Chi cục|Cục|Bộ|Công an|"
    r"Trung tâm|Báo|Đài|Viện|Tòa án|Toà án|Liên đoàn|Mặt trận|Hội|Kho bạc|Bảo hiểm|"
    r"Ngân hàng|Thanh tra|Tỉnh đoàn|Thành đoàn|Đoàn|Cơ quan|Đơn vị|Chi nhánh|Trường|"
    r"Bệnh viện|Thuế|Kiểm toán|Hải quan|Chính quyền|Lực lượng|Quỹ|Công ty|Tổng công ty|"
    r"Tổng Thư ký|Thường trực)\b",
    re.I,
)
_DUTY_COORD = re.compile(
    r"\bchủ trì\b(?:[^.;:]{0,100}?\s+và)?\s*,?\s*phối hợp(?:\s+chặt chẽ)?\s+(?:với\s+)?"
    r"(?P<coord>[^.;:]{2,240})",
    re.I,
)
_PARTNERS_FOLLOW = re.compile(r"chủ trì\s*,?\s*phối hợp(?:\s+với)?\s*:?\s*$", re.I)
_COORD_TAIL = re.compile(r"\s(?:tại|để|nhằm|trong|về|theo|đối với|cho)\s", re.I)


def unit_heading(heading: str) -> list[str]:
    """The units a by-unit heading names ("Công an tỉnh", "Đề nghị Văn phòng Tỉnh ủy,
    …"); none when the heading is not a list of units."""
    text = _REQUEST.sub("", heading.strip().rstrip(":."))
    if not text or not UNIT_START.match(text):
        return []
    text = _PREDICATE_AFTER_COORD.split(text, maxsplit=1)[0]  # "X, Y tăng cường …"
    if len(text) > 600:
        return []
    if text.endswith(("…", "...")) or ". " in text:
        return []
    return split_unit_names(text, list_only=True)


def by_unit_fields(node: Node) -> None:
    """A task written per unit: the heading names the lead(s); the units its duties say
    it works with ("Chủ trì, phối hợp với X …") are the coordinators. A duty where the
    unit only "phối hợp với X" makes X no coordinator: X leads that work."""
    if not node.leads:
        leads = unit_heading(node.heading)
        if leads:
            node.leads = leads
            node.found.setdefault("lead", ("heading", node.first, node.first))
    if node.coords:
        return
    partners_follow = False
    for text in node.body:
        if partners_follow and BULLET.match(text):
            # "b) Chủ trì, phối hợp" then "- Sở Tài chính và … tham mưu …" lines
            subject = _PREDICATE_AFTER_COORD.split(BULLET.sub("", text), maxsplit=1)[0]
            names = split_unit_names(subject)
            if names and len(subject) < 200:
                node.coords.extend(names)
                _found(node, "coord", text)
            continue
        partners_follow = bool(_PARTNERS_FOLLOW.search(text))
        if "chủ trì" not in text.lower():
            continue
        for m in _DUTY_COORD.finditer(text):
            coord = _PREDICATE_AFTER_COORD.split(m.group("coord"), maxsplit=1)[0]
            coord = _COORD_TAIL.split(coord, maxsplit=1)[0]
            names = split_unit_names(coord)
            if names:
                node.coords.extend(names)
                _found(node, "coord", text)
