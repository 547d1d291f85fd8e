"""Many plans and a province-sized database. The plan list and each plan's pages,
the bounded queue with "Xem thêm" pages, the streamed CSV that gives its connection back,
the audit filter's constant choices, and `gen-load`'s data (a valid chain, states that match
their trail, time-in-state kept per transition)."""

from __future__ import annotations

import csv
import gc
import io
import re
from collections import Counter

from sqlalchemy import event, func, select

from models import AuditEvent, Deliverable, Plan, StateStay, Task
from workflow.core import audit
from workflow.core.machine import APPROVED, DRAFT
from workflow.intake import genload
from workflow.items import editing
from workflow.reads import workqueue


def load(session, plans=4, deliverables=120, events=600):
    return genload.generate(
        session,
        plans=plans,
        deliverables=deliverables,
        events=events,
        password_method="pbkdf2:sha256:1000",
    )


def test_gen_load_writes_a_valid_chain_and_states_that_match_their_trail(session, actors):
    report = load(session)
    assert (report.plans, report.tasks, report.deliverables) == (4, 40, 120)
    assert audit.verify(session.connection()).ok
    session.rollback()
    generated = select(Deliverable).join(Task).join(Plan).where(Plan.code.like("kh-tai-%"))
    states = Counter()
    for d in session.execute(generated).scalars():
        last = session.execute(
            select(AuditEvent.to_state, AuditEvent.action)
            .where(AuditEvent.item_type == "deliverable", AuditEvent.item_id == d.id)
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        ).first()
        assert (
            (last.to_state, last.action) == (d.state, d.last_action)
            if last
            else (d.state == DRAFT and d.last_action is None)
        )
        stays = session.execute(
            select(func.count()).select_from(StateStay).where(StateStay.deliverable_id == d.id)
        ).scalar()
        assert stays == d.version - 1  # one stay per transition
        states[d.state] += 1
    assert len(states) == 4  # every state is represented


def test_plan_list_searches_filters_and_pages_newest_first(web, session, actors):
    load(session, plans=25, deliverables=100, events=300)
    member = web("qltt.chuyenvien")
    first = member.text(member.get("/plans"))
    ids = [int(i) for i in re.findall(r'href="/plans/(\d+)"', first)]
    assert len(ids) == 20 and ids == sorted(ids, reverse=True)
    assert "Danh sách kế hoạch" in first and "26 kế hoạch" in first
    more = re.search(r'href="/plans\?before=(\d+)"', first)
    second = member.text(member.get(f"/plans?before={more.group(1)}"))
    rest = [int(i) for i in re.findall(r'href="/plans/(\d+)"', second)]
    assert len(rest) == 6 and not set(rest) & set(ids)
    found = member.text(member.get("/plans?q=nhi%E1%BB%87m+v%E1%BB%A5+s%E1%BB%91+7+"))
    assert "1 kế hoạch" in found and "Kế hoạch thực hiện nhiệm vụ số 7 năm" in found
    assert "0 kế hoạch" in member.text(member.get("/plans?issuer=Kh%C3%B4ng+c%C3%B3"))
    assert member.get("/plans?year=abc&before=x").status_code == 200


def test_each_plan_has_its_own_overview_and_dashboard(web, session, actors):
    load(session, plans=2, deliverables=40, events=120)
    newest = session.execute(select(Plan).order_by(Plan.id.desc()).limit(1)).scalar_one()
    director = web("giamdoc")
    overview = director.text(director.get(f"/plans/{newest.id}"))
    assert newest.title in overview and "Nhiệm vụ 1 của kế hoạch 2" in overview
    board = director.text(director.get(f"/plans/{newest.id}/dashboard"))
    assert newest.title in board and "Thời gian xử lý ở mỗi bước" in board
    # /plan and /dashboard still show the first plan, as before
    first = session.execute(select(Plan).order_by(Plan.id).limit(1)).scalar_one()
    assert first.title in director.text(director.get("/dashboard"))
    province = director.text(director.get("/plans/dashboard"))
    total = session.execute(select(func.count()).select_from(Deliverable)).scalar()
    assert "Bảng theo dõi toàn tỉnh" in province and "3 kế hoạch" in province
    assert f"/{total} sản phẩm" in province
    assert director.get("/plans/999999").status_code == 404
    assert director.get("/plans/999999/dashboard").status_code == 404


def test_queue_sections_are_bounded_and_page_through_every_row_once(session, actors):
    member = actors["vp.chuyenvien"]
    task = session.execute(select(Task).where(Task.number == 2)).scalar_one()
    for n in range(45):
        editing.create_deliverable(session, member, task.id, title=f"Sản phẩm thêm {n}")
    session.rollback()
    queue = workqueue.my_queue(session, member)
    drafts = next(s for s in queue.sections if s.key == "drafts")
    assert len(drafts.rows) == workqueue.SECTION_LIMIT and drafts.total >= 45
    seen = [(r.kind, r.id) for r in drafts.rows]
    after = drafts.next_after
    while after is not None:
        page = workqueue.my_queue(session, member, section="drafts", after=after, limit=7)
        assert [s.key for s in page.sections] == ["drafts"]
        seen += [(r.kind, r.id) for r in page.sections[0].rows]
        after = page.sections[0].next_after
    assert len(seen) == len(set(seen)) == drafts.total
    keys = [
        (d is None, d)
        for d in (
            session.get(Deliverable if k == "deliverable" else Task, i).due_date for k, i in seen
        )
    ]
    assert keys == sorted(keys, key=lambda k: (k[0], k[1] or 0))  # due date order, none last


def test_queue_page_links_to_more_of_a_section(web, session, actors):
    member = actors["vp.chuyenvien"]
    task = session.execute(select(Task).where(Task.number == 2)).scalar_one()
    for n in range(25):
        editing.create_deliverable(session, member, task.id, title=f"Sản phẩm thêm {n}")
    browser = web("vp.chuyenvien")
    home = browser.text(browser.get("/"))
    link = re.search(r'href="(/\?section=drafts&amp;after=[^"]+)"', home)
    assert link and "Xem thêm" in home
    more = browser.text(browser.get(link.group(1).replace("&amp;", "&")))
    assert "← Tất cả việc cần xử lý" in more and "queue-drafts" in more
    assert browser.get("/?section=drafts&after=garbage").status_code == 200


def test_returned_items_stay_apart_with_their_note(session, actors):
    from tests.helpers import bring_to
    from workflow.core import service

    rules = session.execute(
        select(Deliverable.id).where(Deliverable.title == "Quy chế làm việc của Ban Chỉ đạo")
    ).scalar_one()
    bring_to(session, actors, ("deliverable", rules), "submitted")
    service.perform(
        session, actors["vp.thamdinh"], ("deliverable", rules), "return", reason="Thiếu căn cứ."
    )
    queue = workqueue.my_queue(session, actors["vp.chuyenvien"])
    returned = next(s for s in queue.sections if s.key == "returned")
    row = next(r for r in returned.rows if r.id == rules)
    assert row.returned.reason == "Thiếu căn cứ." and row.returned.by == "vp.thamdinh"
    drafts = next(s for s in queue.sections if s.key == "drafts")
    assert rules not in {r.id for r in drafts.rows}


def test_csv_download_gives_its_connection_back_to_the_pool(web, app, session, actors):
    """Each download used to leave a pooled connection checked out until the garbage
    collector ran (the pool ran dry under load): counted with the collector off."""
    load(session, plans=2, deliverables=60, events=2500)
    pool = app.extensions["pheduyet.db"].engine.pool
    auditor = web("kiemtra")
    total = session.execute(select(func.count()).select_from(AuditEvent)).scalar()
    item = session.execute(select(func.max(Deliverable.id))).scalar()
    session.close()
    gc.collect()
    gc.disable()
    try:
        response = auditor.get("/audit.csv")
        rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
        # The header, then every event (no cap), the download's own event first: it is
        # recorded before the stream starts.
        assert len(rows) == total + 2
        assert [int(r[0]) for r in rows[1:4]] == [total + 1, total, total - 1]  # newest first
        assert pool.checkedout() == 0
        # A download abandoned half-way gives it back too.
        response = auditor.client.get("/audit.csv")
        next(iter(response.response))
        response.close()
        assert pool.checkedout() == 0
        # and one item's CSV, many times
        for _ in range(20):
            url = f"/audit.csv?item_type=deliverable&item_id={item}"
            assert auditor.get(url).status_code == 200
        assert pool.checkedout() == 0
    finally:
        gc.enable()


def test_audit_filter_choices_are_a_constant_list_not_a_scan_of_the_trail(web, app, actors):
    engine = app.extensions["pheduyet.db"].engine
    statements: list[str] = []

    def remember(_conn, _cursor, statement, *_args):
        statements.append(statement)

    auditor = web("kiemtra")
    event.listen(engine, "before_cursor_execute", remember)
    try:
        html = auditor.text(auditor.get("/audit"))
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert not [s for s in statements if "DISTINCT" in s.upper() and "audit_event" in s]
    choices = re.findall(r'<option value="([a-z_]+)"', html.split('name="action"')[1])
    assert set(choices) >= {"submit", "approve", "create", "edit", "vote", "delegate"}


def test_plan_progress_in_the_list_counts_approved_and_overdue(session, actors):
    load(session, plans=3, deliverables=90, events=300)
    from workflow.reads import plans

    page = plans.plan_list(session, actors["giamdoc"])
    for row in page.rows:
        if not row.code.startswith("kh-tai-"):
            continue
        approved = session.execute(
            select(func.count())
            .select_from(Deliverable)
            .join(Task)
            .where(Task.plan_id == row.id, Deliverable.state == APPROVED)
        ).scalar()
        assert row.progress.counts[APPROVED] == approved and row.tasks == 10
