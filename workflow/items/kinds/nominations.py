"""Đề nghị khen thưởng “Dân vận khéo”: a list of nominations, voted on by the emulation
council (workflow.items.council) before it is reviewed."""

from __future__ import annotations

from typing import Any

from workflow.items.kinds.fields import (
    Choice,
    Kind,
    KindData,
    Row,
    Rows,
    Text,
    Widget,
    choice,
    rows,
    text,
)

NOMINEE_TYPES = {"collective": "Tập thể", "individual": "Cá nhân"}
COMMENDATION_FORMS = (
    "Giấy khen của Giám đốc Sở",
    "Bằng khen của Chủ tịch UBND tỉnh",
    "Biểu dương",
)
REQUIRED = ("name", "unit", "model_name", "achievements", "proposed_form")


class Entry(Row):
    type: Choice(NOMINEE_TYPES, "individual") = choice(
        "Loại", NOMINEE_TYPES, "individual", say="loại đề nghị"
    )
    name: Text = text("Tên tập thể / cá nhân", 200, Widget(say="tên"))
    unit: Text = text("Đơn vị", 200, Widget(say="đơn vị"))
    model_name: Text = text("Tên mô hình", 300, Widget(say="tên mô hình"))
    achievements: Text = text("Thành tích", widget=Widget("textarea", say="thành tích"))
    proposed_form: Text = text(
        "Hình thức đề nghị", 200, Widget(say="hình thức", suggestions=COMMENDATION_FORMS)
    )


class NominationsData(KindData):
    entries: Rows(Entry) = rows(
        "Danh sách đề nghị khen thưởng", say="Danh sách đề nghị", row="Dòng", blank=2, least=3
    )


def lacks(data: dict[str, Any]) -> list[str]:
    entries = data.get("entries") or []
    found = [] if entries else ["danh sách đề nghị khen thưởng đang trống"]
    for n, entry in enumerate(entries, start=1):
        if not all(entry.get(k) for k in REQUIRED):
            found.append(f"dòng {n} của danh sách chưa đủ thông tin")
    return found


KIND = Kind(
    "nominations",
    "Đề nghị khen thưởng",
    NominationsData,
    lacks=lacks,
    vocabulary={"nominee_types": NOMINEE_TYPES, "commendation_forms": COMMENDATION_FORMS},
)
