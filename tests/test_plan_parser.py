"""The plan importer's parser: real plans in, the tasks a clerk would read out.

Self-contained: no app, no database, no conftest fixture beyond pytest's tmp_path.
The four source documents are copied in tests/data/plans; the expected results in
tests/data/expected_*.json were written by reading each document.
"""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest

from documents.plan_parser import parse_plan, parse_plan_bytes, parse_plan_file
from documents.reading import MAX_BYTES, PlanImportError, read_bytes, read_path
from documents.timing import parse_timing
from documents.units import DEFAULT_UNITS, fold, match_units, split_unit_names

DATA = Path(__file__).resolve().parent / "data"
PLANS = DATA / "plans"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SOURCES = {
    "seed.txt": SHARED / "seeds" / "000_0980ed83eaa2ff5b.txt",
    "plan_02.txt": SHARED / "plans" / "plan_02.txt",
    "plan_04.txt": SHARED / "plans" / "plan_04.txt",
    "plan_06.txt": SHARED / "plans" / "plan_06.txt",
}
VP, PHONG, QLTT = "Văn phòng Sở", "Các phòng thuộc Sở", "Chi cục Quản lý thị trường"


def flat(tasks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for task in tasks:
        out[task["number"]] = task
        out.update(flat(task["subtasks"]))
    return out


def names(units: list[dict[str, Any]]) -> list[str]:
    return [u["matched"] or u["name"] for u in units]


def folded(values: list[str]) -> list[str]:
    return sorted(fold(v) for v in values)


def expected(name: str) -> dict[str, Any]:
    return json.loads((DATA / f"expected_{name}.json").read_text(encoding="utf-8"))


def seed_text() -> str:
    return (PLANS / "seed.txt").read_text(encoding="utf-8")


# ------------------------------------------------------------------- the documents


@pytest.mark.parametrize("copy", sorted(SOURCES))
def test_copied_documents_are_the_shared_originals(copy: str) -> None:
    original = SOURCES[copy]
    assert original.exists(), f"{original}: shared/ is expected beside the clone (as in CI)"
    assert (PLANS / copy).read_bytes() == original.read_bytes()


def test_seed_plan_has_nine_tasks_with_their_units_and_due_dates() -> None:
    result = parse_plan_file(PLANS / "seed.txt")
    tasks = result["tasks"]
    assert [t["number"] for t in tasks] == [str(n) for n in range(1, 10)]
    office_leads = {"1", "2", "3", "4", "6", "9"}
    for task in tasks:
        if task["number"] in office_leads:
            assert [u["code"] for u in task["lead_units"]] == ["vp"]
            assert [u["code"] for u in task["coordinating_units"]] == ["cac-phong", "qltt"]
        else:  # 5, 7, 8: each unit leads its own part, nobody coordinates
            assert [u["code"] for u in task["lead_units"]] == ["vp", "cac-phong", "qltt"]
            assert task["coordinating_units"] == []
    timing = {t["number"]: (t["timing"]["kind"], t["timing"]["due_date"]) for t in tasks}
    assert timing == {
        "1": ("ongoing", None),
        "2": ("deadline", "2025-11-15"),
        "3": ("deadline", "2025-11-20"),
        "4": ("ongoing", None),
        "5": ("ongoing", None),
        "6": ("ongoing", None),
        "7": ("deadline", "2025-12-31"),
        "8": ("ongoing", None),
        "9": ("ongoing", None),
    }
    assert result["unplaced"] == []


def test_seed_header_keeps_blank_number_and_day() -> None:
    plan = parse_plan_file(PLANS / "seed.txt")["plan"]
    assert plan == expected("seed")["plan"]
    assert plan["date"] is None and "tháng 11 năm 2025" in plan["date_text"]


def test_seed_task_one_keeps_its_cu_the_bullets_as_content() -> None:
    task = parse_plan_file(PLANS / "seed.txt")["tasks"][0]
    assert task["subtasks"] == []
    assert task["content"].count("\n- ") == 2
    assert "Nghị quyết số 25-NQ/TW" in task["content"]
    assert "Đơn vị chủ trì" not in task["content"]  # labels become fields, not content
    assert task["title"].startswith("Tiếp tục quán triệt, triển khai thực hiện có hiệu quả")
    assert len(task["title"]) <= 161


@pytest.mark.parametrize("name", ["seed", "plan_02", "plan_04", "plan_06"])
def test_documents_match_hand_checked_expectations(name: str) -> None:
    want = expected(name)
    result = parse_plan_file(PLANS / want["document"])
    got = flat(result["tasks"])
    assert list(got) == [t["number"] for t in want["tasks"]]
    for task in want["tasks"]:
        mine = got[task["number"]]
        assert folded(names(mine["lead_units"])) == folded(task["lead_units"]), task["number"]
        assert folded(names(mine["coordinating_units"])) == folded(task["coordinating_units"]), (
            task["number"]
        )
        assert mine["timing"]["due_date"] == task["due_date"], task["number"]
        assert mine["timing"]["kind"] == task["timing_kind"], task["number"]
    for key, value in want["plan"].items():
        assert result["plan"][key] == value, key


def test_result_has_the_import_plan_json_shape() -> None:
    result = parse_plan_file(PLANS / "plan_02.txt")
    json.dumps(result, ensure_ascii=False)
    assert set(result) == {"plan", "tasks", "unplaced"}
    assert set(result["plan"]) == {
        "issuer",
        "number",
        "date",
        "date_text",
        "place",
        "title",
        "parent",
    }
    keys = {
        "number",
        "title",
        "content",
        "lead_units",
        "coordinating_units",
        "timing",
        "products",
        "subtasks",
        # issue 13: honest output, where each task was read and how sure the parser is
        "source_lines",
        "confidence",
        "field_sources",
    }
    for task in flat(result["tasks"]).values():
        assert set(task) == keys
        assert set(task["timing"]) == {"kind", "text", "due_date"}
        for unit in task["lead_units"] + task["coordinating_units"]:
            assert set(unit) == {"name", "matched", "code"}


def test_bench_scores_every_document_fully(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location(
        "bench_importer", Path(__file__).resolve().parents[1] / "bench" / "importer.py"
    )
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # dataclasses look their module up
    spec.loader.exec_module(bench)
    assert bench.main(["--runs", "1", "--no-scaling"]) == 0
    out = capsys.readouterr().out.splitlines()
    for name in ("seed", "plan_02", "plan_04", "plan_06"):
        row = next(line for line in out if line.startswith(name))
        assert row.count("100%/100%/100.0%") == 4, row
    assert any(line.startswith("mean F1 over") for line in out)
    assert not any(line.startswith("MISSING") for line in out)


# ---------------------------------------------------------------------- timing


@pytest.mark.parametrize(
    ("text", "kind", "due"),
    [
        ("Thường xuyên.", "ongoing", None),
        ("Thực hiện thường xuyên .", "ongoing", None),
        ("Hằng năm", "ongoing", None),
        ("Thường xuyên, hằng năm", "ongoing", None),
        ("Quý IV năm 2025 và các năm tiếp theo.", "ongoing", None),
        ("Hoàn thành trước ngày 15/11/2025.", "deadline", "2025-11-15"),
        ("hoàn thành trước ngày 20/11/2025", "deadline", "2025-11-20"),
        ("trước ngày 01 tháng 01 năm 2026", "deadline", "2026-01-01"),
        ("Năm 2025.", "deadline", "2025-12-31"),
        ("Hoàn thành trong năm 2025.", "deadline", "2025-12-31"),
        ("Quý IV/2025", "period", "2025-12-31"),
        ("Quí IV-2025", "period", "2025-12-31"),
        ("Quý IV năm 2025", "period", "2025-12-31"),
        ("Quý 1/2026", "period", "2026-03-31"),
        ("Tháng 12/2025", "period", "2025-12-31"),
        ("Trong tháng 6 năm 2026", "period", "2026-06-30"),
        ("Giai đoạn 2026-2030", "period", "2030-12-31"),
        ("Giai đoạn 2026 - 2030", "period", "2030-12-31"),
        ("Theo tiến độ xây dựng dự thảo văn bản của cơ quan chủ trì soạn thảo.", "unknown", None),
        ("Sau khi Nghị định số 80/2025/NĐ-CP ngày 01/4/2025 được ban hành", "unknown", None),
        ("Khi có yêu cầu", "unknown", None),
        ("", "unknown", None),
    ],
)
def test_timing_forms(text: str, kind: str, due: str | None) -> None:
    timing = parse_timing(text).as_dict()
    assert (timing["kind"], timing["due_date"]) == (kind, due)


# --------------------------------------------------------------- damaged text


PDF_LIKE = """UBND TỈNH QUẢNG NGÃI

SỞ CÔNG THƯƠNG

Số:    /KH-SCT

Quảng Ngãi, ngày    tháng 12 năm 2025

KẾ HOẠCH

Kiểm tra thị trường cuối năm

––––––

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích: bảo đảm thị trường ổn định.

II. NỘI DUNG, THỜI GIAN THỰC HIỆN

1. Kiểm tra, kiểm soát thị trường trong dịp cuối năm, tập trung các mặt hàng thiết

yếu. Đơn vị

chủ trì: Văn phòng Sở, các phòng thuộc Sở, Chi cục Quản lý thị

trường căn cứ chức năng, nhiệm vụ triển khai thực hiện.

Thời gian thực

hiện: Năm 2025.

2. Tổng hợp kết quả kiểm tra.

Đơn vị chủ trì: Chi cục QLTT

Đơn vị phối hợp: Văn phòng Sở; Các phòng

chuyên môn.

Thời gian thực hiện: Hoàn thành trước ngày 31/12/2025.

III. TỔ CHỨC THỰC HIỆN

Các đơn vị triển khai thực hiện.
"""


def test_wrapped_label_lines_are_rejoined() -> None:
    tasks = parse_plan(PDF_LIKE)["tasks"]
    assert [t["number"] for t in tasks] == ["1", "2"]
    first, second = tasks
    assert names(first["lead_units"]) == [VP, PHONG, QLTT]
    assert first["timing"]["due_date"] == "2025-12-31"
    assert first["content"].endswith("các mặt hàng thiết yếu.")
    assert names(second["lead_units"]) == [QLTT]
    assert names(second["coordinating_units"]) == [VP, PHONG]
    assert second["timing"] == {
        "kind": "deadline",
        "text": "Hoàn thành trước ngày 31/12/2025",
        "due_date": "2025-12-31",
    }


def test_objectives_section_is_not_taken_for_tasks() -> None:
    text = """KẾ HOẠCH
Thử nghiệm

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích: tuyên truyền.

2. Yêu cầu: đồng bộ.

II. MỤC TIÊU

1. Đến hết năm 2025: 30% doanh nghiệp ứng dụng công nghệ số.

III. NHIỆM VỤ CỤ THỂ

1. Xây dựng kế hoạch tuyên truyền.

- Cơ quan chủ trì: Sở Văn hoá, Thể thao và Du lịch.

- Cơ quan phối hợp: Báo và Phát thanh, Truyền hình tỉnh.

IV. KINH PHÍ

1. Kinh phí từ ngân sách tỉnh.

V. TỔ CHỨC THỰC HIỆN

1. Sở Khoa học và Công nghệ theo dõi, đôn đốc.
"""
    tasks = parse_plan(text)["tasks"]
    assert [(t["number"], t["title"]) for t in tasks] == [
        ("1", "Xây dựng kế hoạch tuyên truyền"),
    ]
    assert names(tasks[0]["lead_units"]) == ["Sở Văn hoá, Thể thao và Du lịch"]
    seed_titles = [t["title"] for t in parse_plan(seed_text())["tasks"]]
    assert not any(fold(t).startswith(("mục đích", "yêu cầu")) for t in seed_titles)


def test_nfd_text_parses_like_nfc() -> None:
    nfc = parse_plan(seed_text())
    nfd_text = unicodedata.normalize("NFD", seed_text())
    assert parse_plan(nfd_text) == nfc
    assert parse_plan_bytes(nfd_text.encode("utf-8")) == nfc


def test_markdown_emphasis_and_crlf_are_ignored() -> None:
    marked = (
        seed_text()
        .replace("Đơn vị chủ trì:", "**Đơn vị chủ trì:**")
        .replace("Đơn vị phối hợp:", "_Đơn vị phối hợp_:")
        .replace("II. NỘI DUNG, THỜI GIAN THỰC HIỆN", "## **II. NỘI DUNG, THỜI GIAN THỰC HIỆN**")
        .replace("Thời gian thực hiện: Thường xuyên.", "*Thời gian thực hiện:* Thường xuyên.")
        .replace("\n", "\r\n")
    )
    assert parse_plan(marked)["tasks"] == parse_plan(seed_text())["tasks"]


def test_inline_lead_and_letter_items_with_shared_labels() -> None:
    text = """KẾ HOẠCH
Thử nghiệm

II. NHIỆM VỤ VÀ GIẢI PHÁP

1. Giao Sở Công Thương chủ trì, phối hợp với Sở Tài chính và các đơn vị liên quan xây
dựng kế hoạch hỗ trợ doanh nghiệp. Thời gian thực hiện: Quý IV/2025.

2. Xây dựng báo cáo tổng hợp:

a) Báo cáo quý;

b) Báo cáo năm.

- Đơn vị chủ trì: Văn phòng Sở

- Sản phẩm: Báo cáo quý; Báo cáo năm.

3. Kiểm tra định kỳ

Đơn vị thực hiện:

- Văn phòng Sở;

- Chi cục QLTT.
"""
    one, two, three = parse_plan(text)["tasks"]
    assert names(one["lead_units"]) == ["Sở Công Thương"]
    assert names(one["coordinating_units"]) == ["Sở Tài chính", "các đơn vị liên quan"]
    assert one["timing"]["due_date"] == "2025-12-31"
    assert two["subtasks"] == []  # a) b) without units of their own are content
    assert "a) Báo cáo quý;" in two["content"]
    assert names(two["lead_units"]) == [VP]
    assert two["products"] == ["Báo cáo quý", "Báo cáo năm"]
    assert names(three["lead_units"]) == [VP, QLTT]


def test_unnumbered_headings_glued_items_and_inline_timing() -> None:
    text = """ỦY BAN NHÂN DÂN TỈNH X
Số: 5/KH-UBND
X, ngày 2 tháng 1 năm 2026

KẾ HOẠCH

TRIỂN KHAI CÁC NHIỆM VỤ TRỌNG TÂM NĂM 2026

Thực hiện Chương trình hành động số 10-CTr/TU ngày 13/8/2025 của Ban Thường vụ Tỉnh ủy,

MỤC ĐÍCH, YÊU CẦU

1. Bảo đảm tiến độ.

NHIỆM VỤ CỤ THỂ

1. Sở Tài chính chủ trì, phối hợp với các sở, ngành tham mưu bố trí kinh phí. Hoàn thành
trong tháng 3/2026. 2. Sở Nội vụ rà soát tổ chức bộ máy.

Đơn vị chủ trì: Sở Nội vụ Thời gian thực hiện: 6 tháng đầu năm 2026

TỔ CHỨC THỰC HIỆN

1. Các sở báo cáo.
"""
    result = parse_plan(text)
    assert result["plan"]["title"] == "TRIỂN KHAI CÁC NHIỆM VỤ TRỌNG TÂM NĂM 2026"
    assert result["plan"]["parent"] == (
        "Chương trình hành động số 10-CTr/TU ngày 13/8/2025 của Ban Thường vụ Tỉnh ủy"
    )
    one, two = result["tasks"]
    assert names(one["lead_units"]) == ["Sở Tài chính"]
    assert names(one["coordinating_units"]) == ["các sở, ngành"]
    assert one["timing"]["due_date"] == "2026-03-31"
    assert two["title"] == "Sở Nội vụ rà soát tổ chức bộ máy"
    assert names(two["lead_units"]) == ["Sở Nội vụ"]
    assert two["timing"]["due_date"] == "2026-06-30"
    assert result["unplaced"] == []


# ------------------------------------------------------------------------ units


def test_unit_lists_split_where_a_new_name_begins() -> None:
    cases = {
        "Văn phòng Sở, các phòng thuộc Sở, Chi cục Quản lý thị trường căn cứ chức năng, "
        "nhiệm vụ triển khai thực hiện.": [VP, "các phòng thuộc Sở", QLTT],
        "Sở Khoa học và Công nghệ; Sở Văn hóa, Thể thao và Du lịch; Báo và Phát thanh "
        "Truyền hình Lai Châu và các sở, ngành có liên quan.": [
            "Sở Khoa học và Công nghệ",
            "Sở Văn hóa, Thể thao và Du lịch",
            "Báo và Phát thanh Truyền hình Lai Châu",
            "các sở, ngành có liên quan",
        ],
        "Các Sở, ban, ngành, UBND xã, phường.": ["Các Sở, ban, ngành", "UBND xã, phường"],
        "Các sở, ngành, UBND các xã, phường và các cơ quan, tổ chức, cá nhân có liên quan.": [
            "Các sở, ngành",
            "UBND các xã, phường",
            "các cơ quan, tổ chức, cá nhân có liên quan",
        ],
        "Sở Tài chính\nSở Nội vụ": ["Sở Tài chính", "Sở Nội vụ"],
    }
    for text, want in cases.items():
        assert split_unit_names(text) == want, text


def test_units_match_by_alias_case_and_accent_form() -> None:
    written = [
        "Chi cục QLTT",
        "CÁC PHÒNG  THUỘC SỞ",
        unicodedata.normalize("NFD", "văn phòng sở"),
        "các phòng chuyên môn",
        "Ban Giám đốc",
        "Sở Tài chính",
    ]
    result = match_units(written, DEFAULT_UNITS)
    assert [r["code"] for r in result] == ["qltt", "cac-phong", "vp", "cac-phong", "bgd", None]
    assert [r["name"] for r in result] == written  # as written, never dropped
    assert result[-1]["matched"] is None
    assert fold("Uỷ ban") == fold("Ủy ban") and fold("hoá") == fold("hóa")
    assert fold("Quí IV") == fold("Quý IV")


def test_custom_known_units_are_used() -> None:
    known = [{"code": "skhcn", "name": "Sở Khoa học và Công nghệ", "aliases": ["Sở KH&CN"]}]
    tasks = parse_plan_file(PLANS / "plan_06.txt", known_units=known)["tasks"]
    assert {u["code"] for t in tasks for u in t["lead_units"]} == {"skhcn", None}


# ----------------------------------------------------------------------- tables


def test_table_plan() -> None:
    result = parse_plan_file(PLANS / "plan_06.txt")
    tasks = result["tasks"]
    assert [t["number"] for t in tasks] == [str(n) for n in range(1, 12)]
    assert all(t["subtasks"] == [] for t in tasks)  # group rows I.–IV. are not tasks
    eight = tasks[7]
    assert names(eight["coordinating_units"]) == [
        "Ban Quản lý Khu kinh tế",
        "Sở Công Thương",
        "các doanh nghiệp viễn thông",
        "các cơ quan, đơn vị liên quan",
    ]
    assert eight["timing"] == {"kind": "period", "text": "Quí IV-2025", "due_date": "2025-12-31"}
    assert tasks[0]["title"].startswith("Triển khai nền tảng đào tạo trực tuyến mở đại trà")


def test_pipe_table_with_an_empty_cell_and_markdown_table() -> None:
    # One cell per line between "|" lines, "|" twice between rows; task 1 has no
    # coordinating unit, so its empty cell also shows as "|" twice.
    rows = [
        ["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"],
        ["1", "Rà soát quy chế", "Văn phòng Sở", "", "Tháng 12/2025"],
        ["2", "Kiểm tra", "Chi cục QLTT", "Văn phòng Sở", "Thường xuyên"],
    ]
    cells = "\n|\n".join("\n|\n".join(row) + "\n|" for row in rows).replace("\n\n", "\n")
    pipes = "KẾ HOẠCH\nThử nghiệm\n\nII. NHIỆM VỤ CỤ THỂ\n\n|\n" + cells + "\n"
    one, two = parse_plan(pipes)["tasks"]
    assert names(one["lead_units"]) == [VP] and one["coordinating_units"] == []
    assert one["timing"]["due_date"] == "2025-12-31"
    assert names(two["coordinating_units"]) == [VP]

    markdown = """KẾ HOẠCH
Thử nghiệm

| STT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian thực hiện |
|-----|----------|-----------------|------------------|---------------------|
| 1 | **Rà soát** quy chế | Văn phòng Sở | Các phòng thuộc Sở | Quý I/2026 |
| 2 | Kiểm tra | Chi cục QLTT |  | Giai đoạn 2026-2030 |
"""
    one, two = parse_plan(markdown)["tasks"]
    assert one["title"] == "Rà soát quy chế"
    assert [u["code"] for u in one["coordinating_units"]] == ["cac-phong"]
    assert two["timing"]["due_date"] == "2030-12-31"


# ------------------------------------------------------------------------- docx


def build_docx(path: Path, with_table: bool) -> Path:
    document = docx.Document()
    header = document.add_table(rows=1, cols=2)
    header.cell(0, 0).text = "UBND TỈNH QUẢNG NGÃI\nSỞ CÔNG THƯƠNG\nSố: 15/KH-SCT"
    header.cell(0, 1).text = (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        "Quảng Ngãi, ngày 03 tháng 12 năm 2025"
    )
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Chuyển đổi số năm 2026")
    document.add_paragraph(
        "Thực hiện Kế hoạch số 99/KH-UBND ngày 20/11/2025 của Ủy ban nhân dân tỉnh về chuyển "
        "đổi số; Sở Công Thương ban hành kế hoạch như sau:"
    )
    document.add_paragraph("I. MỤC ĐÍCH, YÊU CẦU")
    document.add_paragraph("1. Mục đích: nâng cao hiệu quả quản lý.")
    document.add_paragraph("II. NHIỆM VỤ CỤ THỂ")
    if with_table:
        table = document.add_table(rows=4, cols=6)
        rows = [
            [
                "STT",
                "Nội dung",
                "Cơ quan chủ trì",
                "Cơ quan phối hợp",
                "Thời gian hoàn thành",
                "Sản phẩm",
            ],
            [
                "1",
                "Xây dựng kho dữ liệu ngành công thương.",
                "Văn phòng Sở",
                "Các phòng thuộc Sở\nChi cục QLTT",
                "Quý I/2026",
                "Kho dữ liệu; Quy chế khai thác",
            ],
            ["2", "Số hoá hồ sơ lưu trữ.", "Chi cục QLTT", "", "Tháng 6/2026", "Hồ sơ số"],
        ]
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                table.cell(r, c).text = value
        table.cell(3, 0).merge(table.cell(3, 5)).text = "II. NHÓM NHIỆM VỤ KHÁC"
    else:
        document.add_paragraph("1. Xây dựng kho dữ liệu ngành công thương.")
        document.add_paragraph("Đơn vị chủ trì: Văn phòng Sở")
        document.add_paragraph("Đơn vị phối hợp: Các phòng thuộc Sở; Chi cục QLTT")
        document.add_paragraph("Thời gian thực hiện: Quý I/2026")
        document.add_paragraph("2. Số hoá hồ sơ lưu trữ.")
        document.add_paragraph("Đơn vị chủ trì: Chi cục QLTT")
        document.add_paragraph("Thời gian thực hiện: Tháng 6/2026")
    document.add_paragraph("III. TỔ CHỨC THỰC HIỆN")
    document.add_paragraph("1. Văn phòng Sở theo dõi, đôn đốc.")
    document.save(path)
    return path


@pytest.mark.parametrize("with_table", [True, False], ids=["table", "paragraphs"])
def test_docx_paragraphs_and_tables(tmp_path: Path, with_table: bool) -> None:
    path = build_docx(tmp_path / "plan.docx", with_table)
    source = read_path(path)
    assert source.kind == "docx"
    result = parse_plan(source)
    assert result["plan"] == {
        "issuer": "SỞ CÔNG THƯƠNG",
        "number": "15/KH-SCT",
        "date": "2025-12-03",
        "date_text": "ngày 03 tháng 12 năm 2025",
        "place": "Quảng Ngãi",
        "title": "Chuyển đổi số năm 2026",
        "parent": "Kế hoạch số 99/KH-UBND ngày 20/11/2025 của Ủy ban nhân dân tỉnh",
    }
    one, two = result["tasks"]
    assert (one["number"], one["title"]) == ("1", "Xây dựng kho dữ liệu ngành công thương")
    assert [u["code"] for u in one["lead_units"]] == ["vp"]
    assert [u["code"] for u in one["coordinating_units"]] == ["cac-phong", "qltt"]
    assert one["timing"]["due_date"] == "2026-03-31"
    assert [u["code"] for u in two["lead_units"]] == ["qltt"]
    assert two["coordinating_units"] == []
    assert two["timing"]["due_date"] == "2026-06-30"
    if with_table:
        assert one["products"] == ["Kho dữ liệu", "Quy chế khai thác"]


# -------------------------------------------------------------------- bad input


def cp1258(text: str) -> bytes:
    """Windows-1258 writes Vietnamese as base letter + combining tone mark."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out += base.encode("cp1258") + "".join(c for c in parts if c in tones).encode("cp1258")
    return bytes(out)


@pytest.mark.parametrize(
    ("encode", "encoding"),
    [
        (lambda t: t.encode("utf-8"), "utf-8"),
        (lambda t: t.encode("utf-8-sig"), "utf-8-sig"),
        (lambda t: t.encode("utf-16"), "utf-16"),
        (lambda t: t.encode("utf-16-le"), "utf-16-le"),
        (cp1258, "windows-1258"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-16-no-bom", "windows-1258"],
)
def test_text_encodings_are_decoded_and_reported(encode, encoding: str) -> None:
    source = read_bytes(encode(seed_text()))
    assert source.encoding == encoding
    assert source.text == seed_text()
    assert len(parse_plan(source)["tasks"]) == 9


def corrupt_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document><w:body><w:p>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


ENCRYPTED_OLE = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le")
)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "rỗng"),
        (b"   \n\n  ", "không có nội dung"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "ảnh"),
        (bytes(range(256)) * 8, "nhị phân"),
        (b"PK\x03\x04 not really a zip" + b"\x00" * 64, "hỏng"),
        (corrupt_docx(), "hỏng"),
        (plain_zip(), "không phải tài liệu Word"),
        (ENCRYPTED_OLE, "mật khẩu"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, ".doc"),
        (b"%PDF-1.7\n", "PDF"),
        (b"a" * (MAX_BYTES + 1), "quá lớn"),
    ],
    ids=[
        "empty",
        "blank",
        "png",
        "binary",
        "broken-zip",
        "corrupt-docx",
        "xlsx-like-zip",
        "encrypted",
        "legacy-doc",
        "pdf",
        "too-large",
    ],
)
def test_bad_input(data: bytes, words: str) -> None:
    with pytest.raises(PlanImportError) as caught:
        parse_plan_bytes(data)
    assert words in caught.value.message


def test_utf8_with_a_damaged_byte_is_read_with_a_warning() -> None:
    data = seed_text().encode("utf-8")
    cut = data.index(b"KH-SCT")
    source = read_bytes(data[:cut] + b"\xff" + data[cut:])
    assert source.encoding == "utf-8"
    assert source.warnings and "không giải mã được" in source.warnings[0]
    assert len(parse_plan(source)["tasks"]) == 9


def test_docx_without_tasks_is_refused(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("I. MỤC ĐÍCH, YÊU CẦU")
    document.add_paragraph("1. Mục đích: tuyên truyền.")
    document.save(tmp_path / "empty.docx")
    with pytest.raises(PlanImportError, match="Không tìm thấy phần nhiệm vụ"):
        parse_plan_file(tmp_path / "empty.docx")


def test_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(MAX_BYTES + 1)
    with pytest.raises(PlanImportError, match="10 MB"):
        read_path(big)


def test_text_without_tasks_says_what_headings_it_looked_for() -> None:
    text = "KẾ HOẠCH\nThử nghiệm\n\nI. MỤC ĐÍCH, YÊU CẦU\n\n1. Mục đích.\n"
    with pytest.raises(PlanImportError) as caught:
        parse_plan(text)
    message = caught.value.message
    assert message.startswith("Không tìm thấy phần nhiệm vụ")
    assert "NỘI DUNG, THỜI GIAN THỰC HIỆN" in message and "NHIỆM VỤ" in message
