"""Ban Chỉ đạo: the decision setting up a steering committee, its members (exactly one
head, at least three) and the files it may name (its working rules, the assignment notice)."""

from __future__ import annotations

from typing import Any

from workflow.items.kinds.fields import (
    Choice,
    IsoDate,
    Kind,
    KindData,
    Row,
    Rows,
    Text,
    Widget,
    choice,
    day,
    rows,
    text,
)

COMMITTEE_ROLES = {
    "truong_ban": "Trưởng ban",
    "pho_truong_ban": "Phó Trưởng ban",
    "thanh_vien": "Thành viên",
}
MIN_COMMITTEE_MEMBERS = 3


class Member(Row):
    full_name: Text = text("Họ và tên", 200, Widget(say="họ tên"))
    position: Text = text("Chức vụ", 200, Widget(say="chức vụ"))
    unit: Text = text("Đơn vị", 200, Widget(say="đơn vị"))
    committee_role: Choice(COMMITTEE_ROLES, "thanh_vien") = choice(
        "Vai trò trong Ban", COMMITTEE_ROLES, "thanh_vien", say="vai trò"
    )


class SteeringCommitteeData(KindData):
    decision_number: Text = text("Số quyết định", 80)
    decision_date: IsoDate = day("Ngày quyết định")
    members: Rows(Member) = rows(
        "Thành viên Ban Chỉ đạo", say="Thành viên", row="Thành viên", blank=3, least=5
    )


def lacks(data: dict[str, Any]) -> list[str]:
    found = []
    if not data.get("decision_number") or not data.get("decision_date"):
        found.append("thiếu số và ngày quyết định")
    members = data.get("members") or []
    heads = sum(1 for m in members if m.get("committee_role") == "truong_ban")
    if heads != 1:
        found.append(f"cần đúng một Trưởng ban (hiện có {heads})")
    if len(members) < MIN_COMMITTEE_MEMBERS:
        found.append(f"cần ít nhất {MIN_COMMITTEE_MEMBERS} thành viên (hiện có {len(members)})")
    if any(not (m.get("full_name") and m.get("position") and m.get("unit")) for m in members):
        found.append("thành viên thiếu họ tên, chức vụ hoặc đơn vị")
    return found


KIND = Kind(
    "steering_committee",
    "Ban Chỉ đạo",
    SteeringCommitteeData,
    files={
        "working_rules": "Quy chế làm việc của Ban Chỉ đạo",
        "assignment_notice": "Thông báo phân công nhiệm vụ thành viên",
    },
    lacks=lacks,
    vocabulary={"committee_roles": COMMITTEE_ROLES},
)
