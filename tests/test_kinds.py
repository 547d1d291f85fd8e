"""Each deliverable kind's own fields and its completeness check (the guard on submit)."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from models import Attachment
from tests.helpers import COMPLETE_DATA, fill, office_deliverable, state_and_version
from workflow.core import errors, service
from workflow.items import editing, kinds

COMMITTEE = COMPLETE_DATA["steering_committee"]
FILES = ("working_rules", "assignment_notice")


def committee(**changes):
    data = copy.deepcopy(COMMITTEE)
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "purposes", "lack"),
    [
        (COMMITTEE, FILES, None),
        (committee(decision_number=""), FILES, "số và ngày quyết định"),
        (committee(members=COMMITTEE["members"][:2]), FILES, "ít nhất 3 thành viên"),
        (
            committee(
                members=[{**m, "committee_role": "thanh_vien"} for m in COMMITTEE["members"]]
            ),
            FILES,
            "đúng một Trưởng ban (hiện có 0)",
        ),
        (
            committee(
                members=[{**m, "committee_role": "truong_ban"} for m in COMMITTEE["members"]]
            ),
            FILES,
            "đúng một Trưởng ban (hiện có 3)",
        ),
    ],
)
def test_steering_committee_completeness(data, purposes, lack):
    found = kinds.missing("steering_committee", "Quyết định", "", data, purposes)
    if lack is None:
        assert found == []
    else:
        assert any(lack in item for item in found), found


@pytest.mark.parametrize(
    ("kind", "data", "body", "lack"),
    [
        ("nominations", COMPLETE_DATA["nominations"], "", None),
        ("nominations", {"entries": []}, "", "đang trống"),
        ("nominations", {"entries": [{"name": "A", "unit": "B"}]}, "", "dòng 1"),
        ("periodic_report", COMPLETE_DATA["periodic_report"], "", None),
        ("periodic_report", {"done": "x"}, "", "Kết quả đạt được"),
        ("regulation", {}, "Điều 1.", None),
        ("regulation", {}, "  ", "toàn văn"),
        ("document", {}, "Nội dung", None),
        ("document", {}, "", "thiếu nội dung"),
    ],
)
def test_other_kinds_completeness(kind, data, body, lack):
    found = kinds.missing(kind, "Tiêu đề", body, data, ())
    if lack is None:
        assert found == []
    else:
        assert any(lack in item for item in found), found


def test_the_committee_decision_does_not_ask_again_for_the_tasks_other_products():
    """Issue 12: task 2's working rules and assignment notice are products of their own in
    the plan; the decision no longer requires them a second time as its files."""
    assert kinds.missing("steering_committee", "Quyết định", "", COMMITTEE, ()) == []
    assert not kinds.REQUIRED_FILES.get("steering_committee")


def test_a_complete_committee_without_files_can_be_submitted(session, actors):
    item = office_deliverable(session)
    editing.edit_deliverable(session, actors["vp.chuyenvien"], item.id, {"data": COMMITTEE})
    service.perform(session, actors["vp.chuyenvien"], ("deliverable", item.id), "submit")
    assert state_and_version(session, ("deliverable", item.id))[0] == "submitted"


@pytest.mark.parametrize(
    "data",
    [
        {"unknown": 1},
        {"members": "not a list"},
        {"members": [{"full_name": "A", "committee_role": "emperor"}]},
        {"members": [{"full_name": "A", "committee_role": ["truong_ban"]}]},
        {"entries": "x"},
        {"decision_date": "31/02/2025"},
    ],
)
def test_bad_kind_data_is_refused_and_changes_nothing(session, actors, data):
    item = office_deliverable(session)
    with pytest.raises(errors.InvalidInput):
        editing.edit_deliverable(session, actors["vp.chuyenvien"], item.id, {"data": data})
    assert state_and_version(session, ("deliverable", item.id)) == ("draft", 1)


def test_a_file_purpose_must_belong_to_the_kind(session, actors):
    item = office_deliverable(session, "regulation")
    with pytest.raises(errors.InvalidInput):
        editing.record_attachment(
            session,
            actors["vp.chuyenvien"],
            item.id,
            filename="a.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            purpose="working_rules",
        )


def test_an_attachment_comes_off_a_draft_only_by_its_owners_and_is_audited(session, actors):
    item = office_deliverable(session)
    fill(session, actors, item.id)
    attachment_id = (
        session.execute(
            select(Attachment.id).where(
                Attachment.item_id == item.id, Attachment.purpose.is_not(None)
            )
        )
        .scalars()
        .first()
    )
    with pytest.raises(errors.NotPermitted):
        editing.remove_attachment(session, actors["vp.thamdinh"], attachment_id)
    editing.remove_attachment(session, actors["vp.chuyenvien"], attachment_id)
    assert session.get(Attachment, attachment_id) is None
    with pytest.raises(errors.NotFound):
        editing.remove_attachment(session, actors["vp.chuyenvien"], attachment_id)
