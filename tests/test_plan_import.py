"""The plan importer's stages one by one, its limits, its size behaviour and its accuracy
on public plans it was not built with (issue 13).

Self-contained like tests/test_plan_parser.py: the public documents are copied in
tests/data/plans/more (their originals in ../shared/plans/more, checked below), the
hand-checked expectations in tests/data/more/expected_<id>.json.
"""

from __future__ import annotations

import copy
import importlib.util
import io
import json
import statistics
import sys
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest

from documents.plan_import import parse_plan, parse_plan_bytes, parse_plan_file
from documents.plan_import.clean import rebuild_paragraphs, text_items
from documents.plan_import.fields import unit_heading
from documents.plan_import.items import build_tree, choose_task_items
from documents.plan_import.model import Section
from documents.plan_import.sections import split_sections
from documents.reading import MAX_DOCX_PARAGRAPHS, PlanImportError, read_bytes
from documents.timing import parse_timing

DATA = Path(__file__).resolve().parent / "data"
MORE = DATA / "plans" / "more"
SHARED_MORE = Path(__file__).resolve().parents[1].parent / "shared" / "plans" / "more"
LABELLED = sorted((DATA / "more").glob("expected_*.json"))
NOT_PLANS = [
    "0bcf29d75837176e.md",  # a Q&A article on public-investment settlement forms
    "2a84d9a3f903b886.md",  # a Q&A article on ownerless real estate
    "624fffd4fed44a51.md",  # news: an extraordinary session of the National Assembly
    "ce4ad96dbd9a518d.md",  # a decision issuing rules for an e-consultation system
    "f0a9e4384b29dedd.md",  # news: a ministry directs implementing a conclusion
]


def load_bench() -> Any:
    spec = importlib.util.spec_from_file_location(
        "bench_importer_13", Path(__file__).resolve().parents[1] / "bench" / "importer.py"
    )
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # dataclasses look their module up
    spec.loader.exec_module(bench)
    return bench


def flat(tasks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for task in tasks:
        out[task["number"]] = task
        out.update(flat(task["subtasks"]))
    return out


def leads(task: dict[str, Any]) -> list[str]:
    return [u["name"] for u in task["lead_units"]]


def coords(task: dict[str, Any]) -> list[str]:
    return [u["name"] for u in task["coordinating_units"]]


# ------------------------------------------------------------------- the documents


def copied_documents() -> list[str]:
    return sorted(p.name for p in MORE.glob("*.md"))


@pytest.mark.parametrize("name", copied_documents())
def test_copied_public_documents_are_the_shared_originals(name: str) -> None:
    original = SHARED_MORE / name
    assert original.exists(), f"{original}: shared/ is expected beside the clone (as in CI)"
    assert (MORE / name).read_bytes() == original.read_bytes()


def test_every_labelled_document_is_copied_with_its_expectation() -> None:
    assert len(LABELLED) >= 10
    for expected in LABELLED:
        document = json.loads(expected.read_text(encoding="utf-8"))["document"]
        assert (MORE / document).exists(), document


# ------------------------------------------------------------------ stage 1: clean


def test_paragraphs_remember_the_source_lines_they_were_joined_from() -> None:
    text = "Dòng một của đoạn\ntiếp tục ở dòng hai.\n\n1. Mục mới\n- Đơn vị chủ trì: Sở Y tế."
    paragraphs = rebuild_paragraphs(text_items(text), ignore_blanks=False)
    spans = [(str(p), p.first, p.last) for p in paragraphs]
    assert spans == [
        ("Dòng một của đoạn tiếp tục ở dòng hai.", 1, 2),
        ("1. Mục mới", 4, 4),
        ("- Đơn vị chủ trì: Sở Y tế.", 5, 5),
    ]


def test_markdown_emphasis_around_a_wrapped_label_still_gives_the_lead() -> None:
    text = (
        "KẾ HOẠCH\nThử\n\nII. NHIỆM VỤ\n\n1. Rà soát văn bản\n\n"
        "*Đơn vị chủ trì thực\nhiện: *Sở Nội vụ.\n\n**Thời gian thực hiện:** Tháng 12/2025\n"
    )
    (task,) = parse_plan(text)["tasks"]
    assert leads(task) == ["Sở Nội vụ"]
    assert task["timing"]["due_date"] == "2025-12-31"


def test_a_markdown_heading_ends_the_task_section() -> None:
    text = (
        "KẾ HOẠCH\nThử\n\nII. NỘI DUNG THỰC HIỆN\n\n1. Hội thảo\n\n- Cơ quan chủ trì: Sở Y tế.\n\n"
        "## Luật Đường bộ quy định gì?\n\n1. Chính sách phát triển kết cấu hạ tầng.\n"
    )
    tasks = parse_plan(text)["tasks"]
    assert [(t["number"], leads(t)) for t in tasks] == [("1", ["Sở Y tế"])]


# --------------------------------------------------------------- stage 3: sections


def test_monitoring_contents_and_organisation_are_not_task_sections() -> None:
    text = (
        "KẾ HOẠCH\nGiám sát\n\nI. MỤC ĐÍCH\n\n1. Mục đích\n\n"
        "II. NỘI DUNG GIÁM SÁT, ĐÁNH GIÁ\n\n1. Nội dung giám sát\n\n"
        "III. NHIỆM VỤ\n\n1. Việc thật\n\nIV. TỔ CHỨC THỰC HIỆN\n\n1. Sở Y tế\n"
    )
    paragraphs = rebuild_paragraphs(text_items(text), ignore_blanks=False)
    _, sections = split_sections(paragraphs)
    assert [(s.label, s.is_task) for s in sections] == [
        ("I", False),
        ("II", False),
        ("III", True),
        ("IV", False),
    ]


# ------------------------------------------------------------------ stage 4: items


def test_dashed_sub_items_with_their_own_units_become_sub_tasks() -> None:
    text = (
        "KẾ HOẠCH\nThử\n\nII. NHIỆM VỤ\n\n1. Tăng cường truyền thông\n"
        "- Tổ chức hội nghị tập huấn.\nĐơn vị chủ trì: Sở Nội vụ.\n"
        "Đơn vị phối hợp: Sở Tài chính.\nThời gian thực hiện: trước ngày 31 tháng 12 năm 2026.\n"
        "- Xây dựng phần mềm.\nĐơn vị chủ trì: Sở Khoa học và Công nghệ.\n"
        "Thời gian: Tháng 12/2025.\n"
    )
    (task,) = parse_plan(text)["tasks"]
    one, two = task["subtasks"]
    assert (one["number"], leads(one), coords(one)) == ("1.1", ["Sở Nội vụ"], ["Sở Tài chính"])
    assert one["timing"]["due_date"] == "2026-12-31"
    assert (two["number"], leads(two), two["timing"]["due_date"]) == (
        "1.2",
        ["Sở Khoa học và Công nghệ"],
        "2025-12-31",
    )


def test_dashes_without_units_stay_the_content_of_their_task() -> None:
    text = (
        "KẾ HOẠCH\nThử\n\nII. NHIỆM VỤ\n\n1. Tuyên truyền\n- Treo băng rôn.\n- Phát tờ rơi.\n"
        "Đơn vị chủ trì: Sở Văn hóa, Thể thao và Du lịch.\n"
    )
    (task,) = parse_plan(text)["tasks"]
    assert task["subtasks"] == []
    assert leads(task) == ["Sở Văn hóa, Thể thao và Du lịch"]
    assert "- Phát tờ rơi." in task["content"]


def test_a_by_unit_assignment_section_is_the_task_list() -> None:
    content = Section("II", "NỘI DUNG TRỌNG TÂM", True, ["1. Rà soát các nội dung."])
    assignment = Section(
        "III",
        "PHÂN CÔNG NHIỆM VỤ",
        True,
        [
            "1. Công an tỉnh",
            "- Chủ trì, phối hợp với các cơ quan, đơn vị có liên quan tham mưu kiện toàn.",
            "2. Đề nghị Viện kiểm sát nhân dân tỉnh, Tòa án nhân dân tỉnh tăng cường kiểm tra.",
        ],
    )
    per_section = [(s, build_tree(s.paragraphs, [])) for s in (content, assignment)]
    chosen, by_unit = choose_task_items(per_section)
    assert [s.label for s, _ in chosen] == ["III"]
    assert [n.number for n in by_unit] == ["1", "2"]


def test_goal_items_and_a_solutions_section_are_not_tasks() -> None:
    text = (
        "KẾ HOẠCH\nThử\n\nII. NHIỆM VỤ\n\n1. Mục tiêu 1\n\n- Chỉ tiêu: 90% hồ sơ trực tuyến.\n\n"
        "2. Số hóa hồ sơ\n\nĐơn vị chủ trì: Sở Nội vụ.\n\n"
        "III. GIẢI PHÁP THỰC HIỆN\n\n1. Tăng cường kỷ luật, kỷ cương.\n\n"
        "2. Bảo đảm kinh phí.\n"
    )
    tasks = parse_plan(text)["tasks"]
    assert [(t["number"], leads(t)) for t in tasks] == [("2", ["Sở Nội vụ"])]


def test_a_unit_heading_names_its_units_and_a_sentence_does_not() -> None:
    assert unit_heading("Đề nghị Viện kiểm sát nhân dân tỉnh, Tòa án nhân dân tỉnh") == [
        "Viện kiểm sát nhân dân tỉnh",
        "Tòa án nhân dân tỉnh",
    ]
    assert unit_heading("Tổ chức quán triệt, tuyên truyền sâu rộng") == []


def test_by_unit_tasks_lead_with_the_heading_and_coordinate_with_their_partners() -> None:
    text = (
        "KẾ HOẠCH\nThử\n\nIII. PHÂN CÔNG NHIỆM VỤ\n\n1. Công an tỉnh\n\n"
        "- Chủ trì, phối hợp với Bộ Chỉ huy Quân sự tỉnh và sở, ngành có liên quan tổ "
        "chức kiểm tra.\n\n- Phối hợp với Sở Tư pháp rà soát văn bản.\n\n"
        "2. Sở Nội vụ\n\n- Hướng dẫn các cơ quan.\n"
    )
    one, two = parse_plan(text)["tasks"]
    assert (leads(one), coords(one)) == (
        ["Công an tỉnh"],
        ["Bộ Chỉ huy Quân sự tỉnh", "sở, ngành có liên quan"],
    )
    assert (leads(two), coords(two)) == (["Sở Nội vụ"], [])


def test_a_task_table_whose_numbers_restart_in_each_group_is_numbered_by_group() -> None:
    rows = [
        "| TT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành |",
        "|---|---|---|---|---|",
        "| I | Thể chế | | | |",
        "| 1 | Rà soát quy định | Sở Tài chính | Sở Tư pháp | Quý IV/2025 |",
        "| 2 | Ban hành hướng dẫn | Sở Tài chính | | Năm 2026 |",
        "| II | Hạ tầng | | | |",
        "| 1 | Nâng cấp hệ thống | Sở Khoa học và Công nghệ | | Quý II/2027 |",
    ]
    tasks = flat(parse_plan("KẾ HOẠCH\nThử\n\n" + "\n".join(rows))["tasks"])
    assert list(tasks) == ["I.1", "I.2", "II.1"]
    assert tasks["II.1"]["timing"]["due_date"] == "2027-06-30"


def test_a_markdown_table_whose_rows_were_broken_over_lines() -> None:
    rows = [
        "| TT | Tên văn bản | Cơ quan trình | Cơ quan soạn thảo | Tiến độ | Hồ sơ | |",
        "|",
        "| I. Văn bản của Quốc hội |",
        "| | Luật sửa đổi Luật Tổ chức Quốc hội và các luật có liên quan | Ủy ban Thường vụ "
        "Quốc hội | Ban soạn thảo do UBTVQH thành lập",
        "| - Trình UBTVQH (tháng 4/2025); - Trình Quốc hội (tháng 5/2025). | - Hồ sơ gồm tờ "
        "trình. | |",
        "| Nghị quyết sửa đổi Nội quy kỳ họp Quốc hội năm 2025 | Ban Dân nguyện (Văn phòng "
        "Quốc hội phối hợp)",
        "| Trình UBTVQH trước ngày 10/01/2025 | - Hồ sơ gồm dự thảo. | ||",
        "",
        "Nơi nhận: như trên.",
    ]
    tasks = flat(parse_plan("KẾ HOẠCH\nThử\n\n" + "\n".join(rows))["tasks"])
    assert list(tasks) == ["I.1", "I.2"]
    one, two = tasks["I.1"], tasks["I.2"]
    assert leads(one) == ["Ban soạn thảo do UBTVQH thành lập"]  # not the submitter
    assert one["timing"]["due_date"] == "2025-05-31"  # the last step
    assert (leads(two), coords(two)) == (["Ban Dân nguyện"], ["Văn phòng Quốc hội"])
    assert two["timing"]["due_date"] == "2025-01-10"


# ----------------------------------------------------------------- stage 5: fields


def test_lead_and_coordinators_in_one_sentence() -> None:
    text = (
        "KẾ HOẠCH\nThử\n\nII. NHIỆM VỤ\n\n1. Kiểm tra việc thực hiện.\n\n"
        "Sở Tư pháp chủ trì, phối hợp với Sở Y tế, Sở Xây dựng và các đơn vị liên quan "
        "tổ chức kiểm tra.\n"
    )
    (task,) = parse_plan(text)["tasks"]
    assert leads(task) == ["Sở Tư pháp"]
    assert coords(task) == ["Sở Y tế", "Sở Xây dựng", "các đơn vị liên quan"]
    assert task["field_sources"]["lead_units"]["how"] == "sentence"


def test_plus_lines_under_the_executing_bodies_label() -> None:
    text = (
        "KẾ HOẠCH\nThử\n\nII. NHIỆM VỤ\n\n1. Hướng dẫn doanh nghiệp\n\nCơ quan thực hiện:\n"
        "+ Chủ trì: Sở Công Thương\n+ Phối hợp: Sở Tài chính, Công an tỉnh\n"
    )
    (task,) = parse_plan(text)["tasks"]
    assert (leads(task), coords(task)) == (["Sở Công Thương"], ["Sở Tài chính", "Công an tỉnh"])


def test_plus_lines_that_say_their_role_at_the_end() -> None:
    text = (
        "KẾ HOẠCH\nThử\n\nII. NHIỆM VỤ\n\n1. Số hóa hồ sơ\n\nCơ quan thực hiện:\n"
        "+ Sở Nội vụ chủ trì;\n+ Các sở, ban, ngành phối hợp.\n"
    )
    (task,) = parse_plan(text)["tasks"]
    assert (leads(task), coords(task)) == (["Sở Nội vụ"], ["Các sở, ban, ngành"])


def test_a_coordinator_list_is_not_the_lead_of_the_next_task() -> None:
    text = (
        "KẾ HOẠCH\nThử\n\nII. NHIỆM VỤ\n\n1. Việc một\n\nĐơn vị chủ trì: Sở Y tế.\n\n"
        "Đơn vị phối hợp:\n\n- Sở Tài chính\n\n- Sở Nội vụ\n\n2. Việc hai không ghi đơn vị.\n"
    )
    one, two = parse_plan(text)["tasks"]
    assert coords(one) == ["Sở Tài chính", "Sở Nội vụ"]
    assert leads(two) == [] and coords(two) == []


@pytest.mark.parametrize(
    ("sentence", "due"),
    [
        ("Sở Y tế chủ trì thực hiện, hoàn thành trước ngày 31 tháng 12 năm 2026.", "2026-12-31"),
        ("Rà soát hồ sơ. Trước ngày 15/11/2025.", "2025-11-15"),
        ("Báo cáo kết quả. Trong tháng 12/2025.", "2025-12-31"),
        ("Triển khai từ 01/7/2025 trên toàn tỉnh.", None),
    ],
)
def test_a_due_date_written_inside_the_task_text(sentence: str, due: str | None) -> None:
    text = f"KẾ HOẠCH\nThử\n\nII. NHIỆM VỤ\n\n1. Việc\n\n{sentence}\n"
    (task,) = parse_plan(text)["tasks"]
    assert task["timing"]["due_date"] == due


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("Từ 01/7/2025", None),  # a start, not a due date
        ("Từ ngày 01/7/2025 đến ngày 31/12/2025", "2025-12-31"),
        ("trước ngày 31 tháng 12 năm 2026", "2026-12-31"),
        ("Tháng 12/2025", "2025-12-31"),
    ],
)
def test_timings_that_name_a_start_or_a_month(text: str, due: str | None) -> None:
    timing = parse_timing(text).as_dict()
    assert timing["due_date"] == due


# ---------------------------------------------------------------- stage 6: resolve


def test_each_task_says_where_it_was_read_and_how_sure_the_parser_is() -> None:
    text = (
        "KẾ HOẠCH\nThử\n\nII. NHIỆM VỤ\n\n1. Việc có nhãn\n\nĐơn vị chủ trì: Sở Y tế.\n\n"
        "Thời gian thực hiện: Năm 2026.\n\n2. Việc không ghi gì\n"
    )
    labelled, bare = parse_plan(text)["tasks"]
    assert labelled["source_lines"] == [6, 10]
    assert labelled["field_sources"]["lead_units"] == {"how": "label", "lines": [8, 8]}
    assert labelled["confidence"]["lead_units"] >= 0.9
    assert labelled["confidence"]["due_date"] >= 0.9
    assert bare["confidence"]["lead_units"] < 0.75  # nothing found where a lead was due
    assert bare["field_sources"]["lead_units"] is None


# --------------------------------------------------------------- not a plan at all


@pytest.mark.parametrize("name", NOT_PLANS)
def test_a_document_that_is_not_a_plan_gets_no_invented_tasks(name: str) -> None:
    with pytest.raises(PlanImportError, match="Không tìm thấy phần nhiệm vụ"):
        parse_plan_file(MORE / name)


# ------------------------------------------------------------------ size and limits


def repeated_plan(lines: int) -> tuple[str, int]:
    """The seed's head, its task section (9 tasks) repeated to `lines` lines, its tail."""
    seed = (DATA / "plans" / "seed.txt").read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(seed) if line.strip().startswith("II. NỘI DUNG"))
    end = next(i for i, line in enumerate(seed) if line.strip().startswith("III. TỔ CHỨC"))
    head, section, tail = seed[: start + 1], seed[start + 1 : end], seed[end:]
    body: list[str] = []
    while len(head) + len(body) + len(section) + len(tail) <= lines:
        body.extend(section)
    return "\n".join(head + body + tail), 9 * (len(body) // len(section))


def test_forty_thousand_lines_parse_to_every_task() -> None:
    text, tasks = repeated_plan(40_000)
    assert text.count("\n") >= 39_000
    result = parse_plan(text)  # finishes: the bench measures how fast
    assert len(result["tasks"]) == tasks
    assert result["tasks"][-1]["lead_units"][0]["code"] == "vp"


def test_one_very_long_wrapped_paragraph_parses() -> None:
    text = "KẾ HOẠCH\nThử\n\nII. NHIỆM VỤ\n\n1. Việc\n" + "và tiếp tục công việc\n" * 40_000
    (task,) = parse_plan(text)["tasks"]
    assert task["source_lines"] == [6, 40_006]


def docx_bytes(paragraphs: int) -> bytes:
    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH")
    body = document.element.body
    template = body[0]
    for _ in range(paragraphs):
        body.insert(0, copy.deepcopy(template))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_docx_with_too_many_paragraphs_is_refused_in_vietnamese() -> None:
    data = docx_bytes(MAX_DOCX_PARAGRAPHS + 10)
    assert len(data) < 1024 * 1024  # small on disk: the paragraphs compress away
    with pytest.raises(PlanImportError, match="quá nhiều đoạn văn"):
        parse_plan_bytes(data)


def test_a_docx_that_inflates_past_the_limit_is_refused_without_inflating_it() -> None:
    good = io.BytesIO(docx_bytes(1))
    buffer = io.BytesIO()
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(buffer, "w") as bomb:
        for item in source.infolist():
            bomb.writestr(item, source.read(item), compress_type=zipfile.ZIP_DEFLATED)
        bomb.writestr("word/media/padding.bin", b"\0" * (60 * 1024 * 1024), zipfile.ZIP_DEFLATED)
    with pytest.raises(PlanImportError, match="quá lớn khi giải nén"):
        read_bytes(buffer.getvalue())


# ------------------------------------------------------------------------ accuracy


@pytest.mark.parametrize("expected_path", LABELLED, ids=lambda p: p.stem.removeprefix("expected_"))
def test_labelled_public_plans_score_at_least_95_percent(expected_path: Path) -> None:
    bench = load_bench()
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    result = bench.parse_or_empty((MORE / expected["document"]).read_bytes())
    scores = bench.score(expected, result)
    f1 = statistics.mean(scores[m].f1() for m in bench.METRICS)
    assert f1 >= 0.95, {m: (s.tp, s.fp, s.fn) for m, s in scores.items()}
