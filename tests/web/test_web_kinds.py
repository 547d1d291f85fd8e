"""The fields of each deliverable kind on the edit form (no JavaScript) and the page."""

from __future__ import annotations

from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from flask import render_template
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from models import Deliverable, Task
from tests.helpers import COMPLETE_DATA
from webapp.pages import kindforms
from workflow.items import editing, kinds


def text(response) -> str:
    return response.get_data(as_text=True)


def deliverable_of(session, kind: str) -> Deliverable:
    return session.execute(select(Deliverable).where(Deliverable.kind == kind)).scalars().first()


def save(browser, item: Deliverable, fields: dict):
    return browser.post(
        f"/deliverables/{item.id}/edit",
        {"kind": item.kind, "title": item.title, "version": str(item.version), **fields},
    )


def test_regulation_effective_date(web, session, actors):
    regulation = deliverable_of(session, "regulation")
    owner = web("vp.chuyenvien")
    assert 'id="effective_date"' in text(owner.get(f"/deliverables/{regulation.id}/edit"))
    assert (
        save(owner, regulation, {"body": "Toàn văn.", "effective_date": "01/01/2026"}).status_code
        == 303
    )
    page = text(owner.get(f"/deliverables/{regulation.id}"))
    assert "Ngày có hiệu lực" in page and "01/01/2026" in page
    session.rollback()
    assert session.get(Deliverable, regulation.id).data["effective_date"] == "2026-01-01"


def test_nominations_rows(web, session, actors):
    nominations = deliverable_of(session, "nominations")
    owner = web("vp.chuyenvien")
    form = text(owner.get(f"/deliverables/{nominations.id}/edit"))
    assert 'name="entries-2-name"' in form and 'list="commendation-forms"' in form
    response = save(
        owner,
        nominations,
        {
            "entries-count": "3",
            "entries-0-type": "collective",
            "entries-0-name": "Văn phòng Sở",
            "entries-0-unit": "Sở Công Thương",
            "entries-0-model_name": "Một cửa thân thiện",
            "entries-0-achievements": "100% hồ sơ đúng hạn.",
            "entries-0-proposed_form": "Giấy khen của Giám đốc Sở",
            "entries-1-type": "individual",
            "entries-2-type": "individual",
        },
    )
    assert response.status_code == 303
    page = text(owner.get(f"/deliverables/{nominations.id}"))
    assert "Một cửa thân thiện" in page and "Tập thể" in page
    assert 'class="action-form action-submit"' in page  # one complete row is enough
    session.rollback()
    assert len(session.get(Deliverable, nominations.id).data["entries"]) == 1


def test_periodic_report_sections(web, session, actors):
    task1 = session.execute(select(Task).where(Task.number == 1)).scalar_one()
    report = editing.create_deliverable(
        session, actors["vp.chuyenvien"], task1.id, title="Báo cáo tháng 11", kind="periodic_report"
    )
    owner = web("vp.chuyenvien")
    page = text(owner.get(f"/deliverables/{report.id}"))
    assert "Chưa thể trình:" in page and "Công việc đã thực hiện" in page
    response = save(owner, report, {"done": "Đã quán triệt.", "results": "Đạt.", "proposals": ""})
    assert response.status_code == 303
    page = text(owner.get(f"/deliverables/{report.id}"))
    assert "Đã quán triệt." in page and 'class="action-form action-submit"' in page


def test_steering_form_keeps_what_was_typed_when_refused(web, steering):
    owner = web("vp.chuyenvien")
    response = save(
        owner,
        steering,
        {
            "decision_number": "9/QĐ-SCT",
            "decision_date": "31/02/2025",
            "members-count": "1",
            "members-0-full_name": "Nguyễn Văn An",
            "members-0-committee_role": "truong_ban",
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert "dd/mm/yyyy" in page
    assert 'value="9/QĐ-SCT"' in page and 'value="Nguyễn Văn An"' in page
    assert 'name="members-4-full_name"' in page  # blank rows again to complete the list
    unknown_role = save(
        owner,
        steering,
        {"members-count": "1", "members-0-full_name": "X", "members-0-committee_role": "vua"},
    )
    assert unknown_role.status_code == 400
    assert "vai trò không hợp lệ" in text(unknown_role)


def test_steering_completeness_is_explained_before_submitting(web, steering):
    owner = web("vp.chuyenvien")
    page = text(owner.get(f"/deliverables/{steering.id}"))
    for lack in (
        "thiếu số và ngày quyết định",
        "cần đúng một Trưởng ban",
        "cần ít nhất 3 thành viên",
    ):
        assert lack in page, lack
    assert 'class="action-form action-submit"' not in page
    # Submitting anyway (a hand-made POST) is refused by the engine with the same words.
    refused = owner.post(  # confirmed (issue 12), still incomplete
        f"/deliverables/{steering.id}/act", {"action": "submit", "version": "1", "confirm": "y"}
    )
    assert refused.status_code == 409
    assert "thiếu số và ngày quyết định" in text(refused)


class _Form(HTMLParser):
    """What a browser would send for the rendered fields."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str]] = []
        self._select: str | None = None
        self._area: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input":
            self.sent.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and "selected" in a:
            self.sent.append((self._select, a["value"]))
        elif tag == "textarea":
            self._area = a["name"]
            self.sent.append((self._area, ""))

    def handle_data(self, data):
        if self._area is not None:
            self.sent[-1] = (self._area, self.sent[-1][1] + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._area = None


@pytest.mark.parametrize(
    "kind", ["steering_committee", "regulation", "nominations", "periodic_report"]
)
def test_a_kind_without_its_own_partial_gets_a_working_form_from_its_model(app, kind):
    """The generic partial (what a new kind gets before it has a partial of its own) shows
    the model's fields; what it sends back is read into the same data."""
    stored = kinds.clean_data(
        kind,
        {
            **COMPLETE_DATA[kind],
            **({"effective_date": "2026-01-01"} if kind == "regulation" else {}),
        },
    )
    with app.test_request_context():
        html = render_template(
            "pages/_kind_generic_fields.html",
            item=SimpleNamespace(kind=kind),
            kv=kindforms.for_form(kind, stored),
            k=kindforms.VOCABULARY,
        )
        view = render_template(
            "pages/_kind_generic_view.html",
            item=SimpleNamespace(deliverable_kind=kind),
            kd=kindforms.display(kind, stored),
            k=kindforms.VOCABULARY,
        )
    form = _Form()
    form.feed(html)
    values = kindforms.from_request(kind, MultiDict(form.sent))
    assert kinds.clean_data(kind, kindforms.to_data(kind, values)) == stored
    for spec in kinds.form_fields(kind):
        assert spec.title in view
