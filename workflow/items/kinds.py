"""Deliverable kinds: their own fields (kept in `Deliverable.data`), how to validate them, and
the completeness check each kind needs before it may be submitted."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from workflow.core.errors import InvalidInput

KIND_LABELS = {
    "document": "Văn bản",
    "steering_committee": "Ban Chỉ đạo",
    "regulation": "Quy chế",
    "nominations": "Đề nghị khen thưởng “Dân vận khéo”",
    "periodic_report": "Báo cáo định kỳ",
}
COMMITTEE_ROLES = {
    "truong_ban": "Trưởng ban",
    "pho_truong_ban": "Phó Trưởng ban",
    "thanh_vien": "Thành viên",
}
NOMINEE_TYPES = {"collective": "Tập thể", "individual": "Cá nhân"}
COMMENDATION_FORMS = (
    "Giấy khen của Giám đốc Sở",
    "Bằng khen của Chủ tịch UBND tỉnh",
    "Biểu dương",
)
# Files a kind names: purpose → label (accepted on an attachment, shown beside it).
FILE_PURPOSES = {
    "steering_committee": {
        "working_rules": "Quy chế làm việc của Ban Chỉ đạo",
        "assignment_notice": "Thông báo phân công nhiệm vụ thành viên",
    }
}
# The named files a kind needs before it may be submitted. None today: task 2's working
# rules and its assignment notice are products of their own in the plan (each drafted,
# reviewed and approved), so the committee's decision does not ask for them a second time
# as its files.
REQUIRED_FILES: dict[str, tuple[str, ...]] = {}
REPORT_SECTIONS = {
    "done": "Công việc đã thực hiện",
    "results": "Kết quả đạt được",
    "difficulties": "Khó khăn, vướng mắc",
    "proposals": "Đề xuất, kiến nghị",
}
MIN_COMMITTEE_MEMBERS = 3
MAX_ROWS = 200
MAX_TEXT = 20_000


def _text(value: Any, label: str, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{label}: phải là văn bản.")
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(f"{label}: không quá {limit} ký tự.")
    return value


def _iso_date(value: Any, label: str) -> str:
    text = _text(value, label, 10)
    if not text:
        return ""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise InvalidInput(f"{label}: ngày không hợp lệ.") from None


def _rows(value: Any, label: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise InvalidInput(f"{label}: phải là danh sách.")
    if len(value) > MAX_ROWS:
        raise InvalidInput(f"{label}: không quá {MAX_ROWS} dòng.")
    return value


def clean_data(kind: str, data: Any) -> dict[str, Any]:
    """The kind's fields, validated and normalised; unknown keys are refused."""
    if not isinstance(data, dict):
        raise InvalidInput("Dữ liệu của sản phẩm phải là một đối tượng.")
    allowed = {
        "document": set(),
        "steering_committee": {"decision_number", "decision_date", "members"},
        "regulation": {"effective_date"},
        "nominations": {"entries"},
        "periodic_report": set(REPORT_SECTIONS),
    }[kind]
    unknown = set(data) - allowed
    if unknown:
        raise InvalidInput(f"Trường không hợp lệ cho loại này: {', '.join(sorted(unknown))}.")
    if kind == "steering_committee":
        members = []
        for n, row in enumerate(_rows(data.get("members"), "Thành viên"), start=1):
            role = row.get("committee_role") or "thanh_vien"
            if not isinstance(role, str) or role not in COMMITTEE_ROLES:
                raise InvalidInput(f"Thành viên {n}: vai trò không hợp lệ.")
            member = {
                "full_name": _text(row.get("full_name"), f"Thành viên {n}: họ tên", 200),
                "position": _text(row.get("position"), f"Thành viên {n}: chức vụ", 200),
                "unit": _text(row.get("unit"), f"Thành viên {n}: đơn vị", 200),
                "committee_role": role,
            }
            if any(member[k] for k in ("full_name", "position", "unit")):
                members.append(member)
        return {
            "decision_number": _text(data.get("decision_number"), "Số quyết định", 80),
            "decision_date": _iso_date(data.get("decision_date"), "Ngày quyết định"),
            "members": members,
        }
    if kind == "regulation":
        return {"effective_date": _iso_date(data.get("effective_date"), "Ngày có hiệu lực")}
    if kind == "nominations":
        entries = []
        for n, row in enumerate(_rows(data.get("entries"), "Danh sách đề nghị"), start=1):
            nominee = row.get("type") or "individual"
            if not isinstance(nominee, str) or nominee not in NOMINEE_TYPES:
                raise InvalidInput(f"Dòng {n}: loại đề nghị không hợp lệ.")
            entry = {
                "type": nominee,
                "name": _text(row.get("name"), f"Dòng {n}: tên", 200),
                "unit": _text(row.get("unit"), f"Dòng {n}: đơn vị", 200),
                "model_name": _text(row.get("model_name"), f"Dòng {n}: tên mô hình", 300),
                "achievements": _text(row.get("achievements"), f"Dòng {n}: thành tích"),
                "proposed_form": _text(row.get("proposed_form"), f"Dòng {n}: hình thức", 200),
            }
            if any(v for k, v in entry.items() if k != "type"):
                entries.append(entry)
        return {"entries": entries}
    if kind == "periodic_report":
        return {key: _text(data.get(key), label) for key, label in REPORT_SECTIONS.items()}
    return {}


def missing(
    kind: str, title: str, body: str, data: dict[str, Any] | None, purposes: Iterable[str]
) -> list[str]:
    """What the item still lacks before it can be submitted, in words for its author."""
    data = data or {}
    purposes = set(purposes)
    lacks = [] if (title or "").strip() else ["thiếu tiêu đề"]
    if kind in ("document", "regulation") and not (body or "").strip():
        lacks.append("thiếu nội dung" if kind == "document" else "thiếu toàn văn quy chế")
    if kind == "steering_committee":
        if not data.get("decision_number") or not data.get("decision_date"):
            lacks.append("thiếu số và ngày quyết định")
        members = data.get("members") or []
        heads = sum(1 for m in members if m.get("committee_role") == "truong_ban")
        if heads != 1:
            lacks.append(f"cần đúng một Trưởng ban (hiện có {heads})")
        if len(members) < MIN_COMMITTEE_MEMBERS:
            lacks.append(f"cần ít nhất {MIN_COMMITTEE_MEMBERS} thành viên (hiện có {len(members)})")
        if any(not (m.get("full_name") and m.get("position") and m.get("unit")) for m in members):
            lacks.append("thành viên thiếu họ tên, chức vụ hoặc đơn vị")
    if kind == "nominations":
        entries = data.get("entries") or []
        if not entries:
            lacks.append("danh sách đề nghị khen thưởng đang trống")
        for n, entry in enumerate(entries, start=1):
            if not all(
                entry.get(k)
                for k in ("name", "unit", "model_name", "achievements", "proposed_form")
            ):
                lacks.append(f"dòng {n} của danh sách chưa đủ thông tin")
    for purpose in REQUIRED_FILES.get(kind, ()):
        if purpose not in purposes:
            lacks.append(f"thiếu tệp “{FILE_PURPOSES[kind][purpose]}”")
    if kind == "periodic_report":
        for key in ("done", "results"):
            if not data.get(key):
                lacks.append(f"thiếu mục “{REPORT_SECTIONS[key]}”")
    return lacks
