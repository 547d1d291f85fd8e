"""Unit names: folding for comparison, splitting written lists, matching to known units.

Plans name the same unit in many spellings ("Chi cục QLTT", "Chi cục Quản lý thị
trường", "Uỷ ban"/"Ủy ban", NFC/NFD text from different extractors), and list several
units in one line where commas also occur *inside* names ("Sở Văn hóa, Thể thao và Du
lịch", "các Sở, ban, ngành"). The importer must not lose any name: what it cannot match
is proposed as a new unit, never dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TypedDict

__all__ = [
    "DEFAULT_UNITS",
    "KnownUnit",
    "UnitMatch",
    "fold",
    "match_units",
    "split_unit_names",
]


class KnownUnit(TypedDict, total=False):
    code: str
    name: str
    aliases: list[str]
    group: bool


class UnitMatch(TypedDict):
    name: str
    matched: str | None
    code: str | None


# The seed organisation (Sở Công Thương Quảng Ngãi). The web app may pass its own list.
DEFAULT_UNITS: list[KnownUnit] = [
    {"code": "vp", "name": "Văn phòng Sở", "aliases": ["Văn phòng", "VP Sở"], "group": False},
    {
        "code": "qltt",
        "name": "Chi cục Quản lý thị trường",
        "aliases": ["Chi cục QLTT", "Chi cục Quản lý thị trường tỉnh", "Chi cục QLTT tỉnh"],
        "group": False,
    },
    {
        "code": "cac-phong",
        "name": "Các phòng thuộc Sở",
        "aliases": [
            "các phòng",
            "các phòng chuyên môn",
            "các phòng chuyên môn thuộc Sở",
            "các phòng, đơn vị thuộc Sở",
        ],
        "group": True,
    },
    {
        "code": "bgd",
        "name": "Ban Giám đốc Sở",
        "aliases": ["Ban Giám đốc", "Lãnh đạo Sở"],
        "group": False,
    },
]

_TONES = "\u0300\u0301\u0303\u0309\u0323"
_NOT_LETTER_AFTER = r"(?![^\W\d_]|[\u0300-\u036f])"
# Old-style tone placement ("hóa", "khỏe", "thủy") → new style ("hoá", "khoẻ", "thuỷ"),
# only in open syllables, which is where the two styles differ.
_OLD_OA_OE = re.compile(rf"([oO])([{_TONES}])([aAeE]){_NOT_LETTER_AFTER}")
_OLD_UY = re.compile(rf"([uU])([{_TONES}])([yY]){_NOT_LETTER_AFTER}")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Comparison key: NFC, one tone-placement style, case-folded, single spaces, no
    trailing punctuation. Accents are kept: "phòng" and "phong" are different words."""
    t = unicodedata.normalize("NFD", text)
    t = _OLD_OA_OE.sub(r"\1\3\2", t)
    t = _OLD_UY.sub(r"\1\3\2", t)
    t = unicodedata.normalize("NFC", t).casefold()
    t = re.sub(r"\bquí\b", "quý", t)
    t = re.sub(r"\s*,\s*", ", ", t)
    t = _SPACES.sub(" ", t)
    return t.strip(" .;:,-–")


# Words that begin a unit name. A "," or " và " followed by one of them starts a new
# unit; otherwise the comma belongs to the name ("Sở Văn hóa, Thể thao và Du lịch").
_HEADS_CAPITAL = (
    "Sở",
    "Ủy ban",
    "Uỷ ban",
    "UBND",
    "HĐND",
    "Ban",
    "Văn phòng",
    "Chi cục",
    "Cục",
    "Tổng cục",
    "Bộ",
    "Phòng",
    "Trung tâm",
    "Công an",
    "Báo",
    "Đài",
    "Hội",
    "Hiệp hội",
    "Liên minh",
    "Liên đoàn",
    "Mặt trận",
    "Thanh tra",
    "Kho bạc",
    "Bảo hiểm",
    "Viện",
    "Trường",
    "Bệnh viện",
    "Tỉnh đoàn",
    "Thành đoàn",
    "Đoàn",
    "Hội đồng",
    "Tòa án",
    "Toà án",
    "Cảng vụ",
    "Quỹ",
    "Chi nhánh",
    "Ngân hàng",
    "Công ty",
    "Tổng công ty",
    "Đảng ủy",
    "Đảng uỷ",
    "Tỉnh ủy",
    "Tỉnh uỷ",
    "Thành ủy",
    "Thành uỷ",
    "Lãnh đạo",
    "Giám đốc",
    "Phó Giám đốc",
    "Chủ tịch",
    "Thủ trưởng",
    "Người đứng đầu",
    "Tổ",
    "MTTQ",
    "BQL",
    "VPUB",
    "BCĐ",
    "BHXH",
    "KBNN",
    "TAND",
    "VKSND",
    "Thuế",
    "Kiểm toán",
    "Thành phố",
    "Hải quan",
    "Các",
    "Những",
)
_HEADS_ANY_CASE = ("các", "những", "sở\\s*[,\u0001]\\s*(?:ban|ngành)")
_HEAD_RE = re.compile(
    r"^(?:(?:" + "|".join(re.escape(h) for h in _HEADS_CAPITAL) + r")\b"
    r"|(?i:" + "|".join(_HEADS_ANY_CASE) + r")\b)"
)
# Compounds whose inner commas never separate units.
_COMPOUNDS = re.compile(
    r"\b(sở|ban)\s*,\s*(ban|ngành)(\s*,\s*(ngành|đoàn thể))?\b"
    r"|\b(xã|phường)\s*,\s*(phường|xã|thị trấn|đặc khu)(\s*,\s*(thị trấn|đặc khu))?\b"
    r"|\b(cơ quan|đơn vị)\s*,\s*(đơn vị|tổ chức|địa phương)"
    r"(\s*,\s*(địa phương|tổ chức|cá nhân))?\b"
    r"|\btổ chức\s*,\s*cá nhân\b"
    r"|\bchức năng\s*,\s*nhiệm vụ\b",
    re.IGNORECASE,
)
_KEEP = "\u0001"  # stands for a comma that belongs to a name while splitting

# "… căn cứ chức năng, nhiệm vụ triển khai thực hiện", "theo chức năng, nhiệm vụ được giao".
_BOILERPLATE = re.compile(
    r"\s*[,(]?\s*\b(?:căn cứ|theo|trên cơ sở|trong phạm vi|thuộc phạm vi)\s+"
    r"(?:(?:các\s+)?chức năng|nhiệm vụ|thẩm quyền|lĩnh vực|phạm vi|phân công)\b.*$",
    re.IGNORECASE | re.DOTALL,
)
# Predicates that end the subject of a clause ("Sở X tiến hành rà soát …").
_PREDICATES = re.compile(
    r"\s(?:tiến hành|rà soát|thực hiện|triển khai|tham mưu|xây dựng|hướng dẫn|chủ động|"
    r"báo cáo|gửi|phối hợp|chủ trì|chịu trách nhiệm|có trách nhiệm|theo dõi|tổng hợp|"
    r"tổ chức thực hiện|tổ chức triển khai|ban hành|đề xuất|kiểm tra|tiếp tục|căn cứ)\b",
)  # case-sensitive: "Sở Xây dựng" is a name, "xây dựng" a verb
_SENTENCE_END = re.compile(r"\.\s+(?=[A-ZĐÀ-Ỹ])")
_LEADING_JUNK = re.compile(r"^(?:[-–+•*]\s*|và\s+|giao\s+|đề nghị\s+|yêu cầu\s+)+", re.I)
_LONG_CLAUSE_WORDS = 12


def _cut_predicate(clause: str) -> str:
    """A long clause is a sentence about the unit; keep its subject only."""
    if len(clause.split()) < _LONG_CLAUSE_WORDS:
        return clause
    for m in _PREDICATES.finditer(clause):
        if len(clause[: m.start()].split()) >= 2:
            return clause[: m.start()]
    return clause


# Names with " và " inside before another head word.
_AND_COMPOUNDS = re.compile(r"\bQuốc hội\s+và\s+(?=HĐND|Hội đồng nhân dân)")
_KEEP_AND = "\u0002"


def _split_on_heads(clause: str) -> list[str]:
    protected = _COMPOUNDS.sub(lambda m: m.group(0).replace(",", _KEEP), clause)
    protected = _AND_COMPOUNDS.sub(lambda m: m.group(0).replace(" và ", _KEEP_AND), protected)
    tokens = re.split(r"(,|\s+và\s+)", protected)  # piece, separator, piece, …
    names = [tokens[0]]
    for sep, piece in zip(tokens[1::2], tokens[2::2], strict=True):
        if _HEAD_RE.match(piece.strip()):
            names.append(piece)
        else:
            names[-1] += sep + piece
    return [n.replace(_KEEP, ",").replace(_KEEP_AND, " và ") for n in names]


def _tidy(name: str) -> str:
    name = _SPACES.sub(" ", name).strip()
    name = _LEADING_JUNK.sub("", name)
    name = re.sub(r"\[\d{1,3}\]", "", name)  # footnote markers "[1]"
    return name.strip(" .;:,–-|").strip()


def _first_sentence(text: str) -> str:
    """Up to the first sentence end, but not at abbreviations ("UBND TP. Hồ Chí Minh")."""
    for m in _SENTENCE_END.finditer(text):
        word = text[: m.start()].rsplit(" ", 1)[-1]
        if not (word.isupper() and len(word) <= 4):
            return text[: m.start()]
    return text


def split_unit_names(text: str, *, list_only: bool = False) -> list[str]:
    """Unit names from a written list ("A; B, C và các D căn cứ chức năng …").

    Splits on ";" and newlines always, on "," and " và " only where a new name begins,
    drops the "căn cứ chức năng, nhiệm vụ …" tail, and keeps only the subject of a
    sentence that goes on to say what the unit does (not with `list_only`: a heading
    that is nothing but a list of units, however long).
    """
    text = _first_sentence(_SPACES.sub(" ", text.replace("\n", "; ")).strip())
    names: list[str] = []
    for clause in re.split(r"\s*;\s*", text):
        clause = _BOILERPLATE.sub("", clause)
        if not list_only:
            clause = _cut_predicate(clause)
        for name in _split_on_heads(clause):
            name = _tidy(_BOILERPLATE.sub("", name))
            if name:
                names.append(name)
    return names


def _index(known_units: Iterable[KnownUnit]) -> dict[str, KnownUnit]:
    index: dict[str, KnownUnit] = {}
    for unit in known_units:
        for spelling in (unit["name"], *unit.get("aliases", [])):
            index.setdefault(fold(spelling), unit)
    return index


def match_units(names: Sequence[str], known_units: Iterable[KnownUnit]) -> list[UnitMatch]:
    """Pair each written name with a known unit by folded name or alias.

    Every name comes back, in order; an unknown one has matched/code None so the
    importer can propose it as a new unit instead of silently losing an owner.
    """
    index = _index(known_units)
    result: list[UnitMatch] = []
    for name in names:
        unit = index.get(fold(name))
        result.append(
            {
                "name": name,
                "matched": unit["name"] if unit else None,
                "code": unit["code"] if unit else None,
            }
        )
    return result
