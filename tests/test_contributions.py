"""Coordinating units (đơn vị phối hợp) see the lead's draft and contribute; they never
submit it. Other units never see another unit's draft."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEvent, Deliverable, Task, Unit
from tests.helpers import bring_to, office_deliverable
from workflow.core import errors, service
from workflow.items import editing
from workflow.reads import queries, trail


def task7_office_report(session) -> int:
    return session.execute(
        select(Deliverable.id)
        .join(Task, Task.id == Deliverable.task_id)
        .join(Unit, Unit.id == Deliverable.unit_id)
        .where(Task.number == 7, Unit.code == "vp")
    ).scalar_one()


def test_a_coordinating_unit_contributes_to_the_leads_draft(session, actors):
    item = office_deliverable(session)  # task 2: Chi cục QLTT coordinates
    qltt = actors["qltt.chuyenvien"]
    assert queries.get_item(session, qltt, "deliverable", item.id).id == item.id
    contribution = editing.add_contribution(
        session,
        qltt,
        item.id,
        "Đề nghị bổ sung 01 thành viên của Chi cục.",
        files=(
            {
                "filename": "gop-y.pdf",
                "content_type": "application/pdf",
                "size": 10,
                "sha256": "e" * 64,
            },
        ),
    )
    assert contribution.unit_id == qltt.unit_id
    event = session.execute(
        select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)
    ).scalar_one()
    assert event.action == "contribute" and "gop-y.pdf" in event.detail
    assert [e.action for e in trail.item_events(session, qltt, "deliverable", item.id)] == [
        "contribute"
    ]


def test_a_coordinating_unit_can_never_submit(session, actors):
    item = office_deliverable(session)
    with pytest.raises(errors.NotPermitted):
        service.perform(session, actors["qltt.chuyenvien"], ("deliverable", item.id), "submit")


def test_contributions_only_to_drafts_and_only_by_coordinating_units(session, actors):
    item = office_deliverable(session)
    with pytest.raises(errors.NotPermitted):
        editing.add_contribution(session, actors["vp.thamdinh"], item.id, "Ý kiến")
    bring_to(session, actors, ("deliverable", item.id), "submitted")
    with pytest.raises(errors.InvalidTransition):
        editing.add_contribution(session, actors["qltt.chuyenvien"], item.id, "Muộn rồi")


def test_a_unit_that_does_not_coordinate_never_sees_the_draft(session, actors):
    report = task7_office_report(session)  # task 7: each unit leads its own part
    qltt = actors["qltt.chuyenvien"]
    with pytest.raises(errors.NotFound):
        queries.get_item(session, qltt, "deliverable", report)
    with pytest.raises(errors.NotFound):
        trail.item_events(session, qltt, "deliverable", report)
    with pytest.raises(errors.NotFound):
        editing.add_contribution(session, qltt, report, "Ý kiến")
    visible = {d.id for d, _, _ in queries.deliverable_rows(session, qltt)}
    assert report not in visible
    assert office_deliverable(session).id in visible  # task 2's draft: QLTT coordinates
