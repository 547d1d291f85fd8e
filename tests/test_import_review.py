"""The admin's review of a parsed plan before importing it: corrections applied to a copy
of the parser's JSON, the preview's view of it, and the files kept between the two."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from documents import plan_parser
from workflow.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from workflow.core.policy import Actor
from workflow.intake import import_review
from workflow.intake.import_review import NEW, Corrections, PreviewStore, Upload, apply_corrections

DATA = Path(__file__).parent / "data" / "plans"

KNOWN = [
    {"code": "bgd", "name": "Ban Giám đốc Sở", "aliases": [], "group": False},
    {"code": "vp", "name": "Văn phòng Sở", "aliases": ["VP"], "group": False},
    {"code": "khtc", "name": "Phòng Kế hoạch - Tài chính", "aliases": [], "group": False},
    {"code": "qltt", "name": "Chi cục Quản lý thị trường", "aliases": [], "group": False},
    {"code": "cac-phong", "name": "Các phòng thuộc Sở", "aliases": [], "group": True},
]


@pytest.fixture(scope="module")
def seed() -> dict:
    return plan_parser.parse_plan_file(DATA / "seed.txt", KNOWN)


@pytest.fixture(scope="module")
def foreign() -> dict:
    """A Hà Nội plan: its units are not the Department's."""
    return plan_parser.parse_plan_file(DATA / "plan_02.txt", KNOWN)


def leads(task: dict) -> list[tuple[str, str | None]]:
    return [(m["name"], m.get("code")) for m in task["lead_units"]]


def test_no_corrections_give_an_equal_copy(seed):
    before = copy.deepcopy(seed)
    result = apply_corrections(seed, KNOWN, Corrections())
    assert result == seed and result is not seed
    assert seed == before


def test_leads_replaced_keep_the_documents_wording_then_the_added_units(seed):
    before = copy.deepcopy(seed)
    # task 5 (index 4) is led by vp, the divisions and QLTT; keep QLTT and vp, add khtc
    result = apply_corrections(
        seed, KNOWN, Corrections(leads={4: ["khtc", "qltt", "vp"], 1: ["qltt"]})
    )
    assert leads(result["tasks"][4]) == [
        ("Văn phòng Sở", "vp"),
        ("Chi cục Quản lý thị trường", "qltt"),
        ("Phòng Kế hoạch - Tài chính", "khtc"),
    ]
    assert leads(result["tasks"][1]) == [("Chi cục Quản lý thị trường", "qltt")]
    assert seed == before  # the input is never changed
    assert leads(result["tasks"][0]) == leads(seed["tasks"][0])


def test_a_group_can_lead(seed):
    result = apply_corrections(seed, KNOWN, Corrections(leads={0: ["cac-phong"]}))
    assert leads(result["tasks"][0]) == [("Các phòng thuộc Sở", "cac-phong")]


def test_no_lead_chosen_leaves_the_task_without_one(seed):
    result = apply_corrections(seed, KNOWN, Corrections(leads={2: []}))
    assert result["tasks"][2]["lead_units"] == []


def test_unknown_codes_and_invented_new_names_are_refused(seed):
    with pytest.raises(InvalidInput, match="Nhiệm vụ 2: không có đơn vị mã “xyz”"):
        apply_corrections(seed, KNOWN, Corrections(leads={1: ["xyz"]}))
    with pytest.raises(InvalidInput, match="không phải đơn vị văn bản ghi"):
        apply_corrections(seed, KNOWN, Corrections(leads={1: [NEW + "Sở Ngoại giao"]}))
    with pytest.raises(InvalidInput, match="mặc định"):
        apply_corrections(seed, KNOWN, Corrections(default_lead="cac-phong"))


def test_unknown_units_written_by_the_document_can_be_kept_or_dropped(foreign):
    index = next(i for i, t in enumerate(foreign["tasks"]) if t["number"] == "3")
    task = foreign["tasks"][index]
    assert leads(task) == [("Công an Thành phố", None)]
    kept = apply_corrections(
        foreign, KNOWN, Corrections(leads={index: [NEW + "Công an Thành phố", "vp"]})
    )
    assert leads(kept["tasks"][index]) == [("Công an Thành phố", None), ("Văn phòng Sở", "vp")]
    dropped = apply_corrections(foreign, KNOWN, Corrections(leads={index: ["vp"]}))
    assert leads(dropped["tasks"][index]) == [("Văn phòng Sở", "vp")]


def test_due_dates(seed):
    task2 = seed["tasks"][1]
    assert task2["timing"]["due_date"] == "2025-11-15"
    same = apply_corrections(seed, KNOWN, Corrections(due={1: "15/11/2025"}))
    assert same["tasks"][1]["timing"] == task2["timing"]  # the document's wording is kept
    moved = apply_corrections(seed, KNOWN, Corrections(due={1: "30/11/2025", 0: "2025-12-20"}))
    assert moved["tasks"][1]["timing"] == {
        "kind": "deadline",
        "text": "Hoàn thành trước ngày 30/11/2025",
        "due_date": "2025-11-30",
    }
    assert moved["tasks"][0]["timing"]["kind"] == "deadline"  # was "Thường xuyên"
    assert moved["tasks"][0]["timing"]["due_date"] == "2025-12-20"
    cleared = apply_corrections(seed, KNOWN, Corrections(due={1: " "}))
    assert cleared["tasks"][1]["timing"] == {"kind": "unknown", "text": "", "due_date": None}
    ongoing = apply_corrections(seed, KNOWN, Corrections(due={0: ""}))
    assert ongoing["tasks"][0]["timing"] == seed["tasks"][0]["timing"]


@pytest.mark.parametrize("typed", ["31/02/2025", "15-11-2025", "mai", "2025/11/15"])
def test_bad_due_dates_name_the_task(seed, typed):
    with pytest.raises(InvalidInput, match=r"Nhiệm vụ 2: ngày .* dd/mm/yyyy"):
        apply_corrections(seed, KNOWN, Corrections(due={1: typed}))


def test_review_of_the_seed(seed):
    review = import_review.review(seed, KNOWN)
    assert [t.number for t in review.tasks] == [str(n) for n in range(1, 10)]
    assert review.unknown_units == [] and review.unplaced == [] and review.without_lead == []
    task5 = review.tasks[4]
    assert task5.chosen == ["vp", "cac-phong", "qltt"]
    assert [m.group for m in task5.leads] == [False, True, False]
    assert review.tasks[1].due_typed == "15/11/2025" and review.tasks[0].due_typed == ""
    assert [o.value for o in review.unit_options] == ["bgd", "vp", "khtc", "qltt"]
    assert review.plan["number"] == "/KH-SCT" and review.plan_date is None


def test_review_shows_what_was_typed_and_the_new_units(foreign):
    review = import_review.review(foreign, KNOWN, Corrections(leads={1: []}, due={1: "32/13"}))
    assert "Công an Thành phố" in review.unknown_units
    assert review.tasks[1].chosen == [] and review.tasks[1].due_typed == "32/13"
    assert review.tasks[1].number in review.without_lead
    task1 = review.tasks[0]  # leads only in its sub-tasks 1.1 and 1.2
    assert task1.leads_from_parts and task1.number not in review.without_lead
    assert [p.number for p in task1.parts] == ["1.1", "1.2"]
    task3 = review.tasks[2]
    assert [o.value for o in task3.new_options] == [NEW + "Công an Thành phố"]


def test_only_admins_review_and_confirm():
    member = Actor(1, "vp.chuyenvien", 1, "Văn phòng Sở", frozenset({"member"}))
    locked = Actor(2, "admin", 1, "Văn phòng Sở", frozenset({"admin"}), active=False)
    upload = Upload("0" * 64, "a.txt", 1, "text", "utf-8", [], "2025-01-01T00:00:00+00:00",
                    "x", {"plan": {}, "tasks": [], "unplaced": []})  # fmt: skip
    for who in (member, locked):
        with pytest.raises(NotPermitted):
            import_review.start(None, who, "0" * 64)
        with pytest.raises(NotPermitted):
            import_review.preview(None, who, upload)
        with pytest.raises(NotPermitted):
            import_review.confirm(None, who, upload, Corrections())


# --- the files kept between preview and confirmation ---------------------------------


def make_upload(sha: str = "a" * 64, when: datetime | None = None) -> Upload:
    return Upload(
        sha256=sha,
        source_name="kế hoạch.txt",
        size=3,
        kind="text",
        encoding="utf-8",
        warnings=[],
        uploaded_at=(when or datetime.now(UTC)).isoformat(),
        uploaded_by="admin",
        parsed={"plan": {"title": "Kế hoạch"}, "tasks": [], "unplaced": []},
        source_text="abc",
    )


def test_store_saves_the_bytes_and_the_json_beside_them(tmp_path):
    store = PreviewStore(tmp_path / "imports")
    token = store.save(make_upload(), b"abc")
    assert token == "a" * 64
    assert (tmp_path / "imports" / token).read_bytes() == b"abc"
    saved = json.loads((tmp_path / "imports" / f"{token}.json").read_text("utf-8"))
    assert saved["source_name"] == "kế hoạch.txt" and saved["parsed"]["plan"]["title"]
    assert store.load(token) == make_upload().__class__.from_json(saved)
    assert [u.token for u in store.pending()] == [token]


@pytest.mark.parametrize("token", ["b" * 64, "../../etc/passwd", "A" * 64, "", "a" * 63])
def test_unknown_or_malformed_tokens_are_not_found(tmp_path, token):
    store = PreviewStore(tmp_path)
    store.save(make_upload(), b"abc")
    with pytest.raises(NotFound, match="tải tệp lên lại"):
        store.load(token)


def test_previews_expire_and_are_swept_but_imported_files_stay(tmp_path):
    store = PreviewStore(tmp_path, hours=24)
    old = datetime.now(UTC) - timedelta(hours=25)
    store.save(make_upload("a" * 64, old), b"old")
    store.save(make_upload("b" * 64, old), b"imported")
    store.save(make_upload("c" * 64), b"new")
    imported = Upload.from_json(json.loads((tmp_path / f"{'b' * 64}.json").read_text()))
    store.mark_imported(imported, "KH-bbbbbbbbbbbb")
    with pytest.raises(NotFound):
        store.load("a" * 64)
    with pytest.raises(Conflict, match="KH-bbbbbbbbbbbb"):
        store.load("b" * 64)
    assert [u.token for u in store.pending()] == ["c" * 64]
    assert store.sweep() == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["b" * 64, "b" * 64 + ".json", "c" * 64, "c" * 64 + ".json"]
    )


def test_start_refuses_a_file_already_imported(session, seed):
    from workflow.intake import importing
    from workflow.intake import seed as seeding

    seeding.ensure_organisation(session)
    session.commit()
    admin = Actor(0, "admin", None, "", frozenset({"admin"}))
    sha = "e" * 64
    known = import_review.start(session, admin, sha)
    assert {u["code"] for u in known} >= {"vp", "qltt", "cac-phong"}
    plan = importing.import_plan(
        session, admin, copy.deepcopy(seed), source_name="seed.txt", sha256=sha
    )
    assert plan.code == import_review.plan_code(sha)
    with pytest.raises(Conflict, match=plan.code):
        import_review.start(session, admin, sha)
