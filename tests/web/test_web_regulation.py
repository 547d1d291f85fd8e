"""A regulation's versions: each resubmission with a changed text is a new version; the
reviewer reads what changed (lines removed, added, unchanged); the approved version is in
force from its effective date."""

from __future__ import annotations

from tests.helpers import state_and_version
from workflow.core import service
from workflow.items import editing

V1 = "Chương I. Quy định chung\nĐiều 1. Phạm vi điều chỉnh\nĐiều 2. Đối tượng áp dụng\n"
V2 = (
    "Chương I. Quy định chung\nĐiều 1. Phạm vi điều chỉnh và đối tượng áp dụng\n"
    "Điều 2. Nguyên tắc thực hiện dân chủ\nĐiều 3. Hội nghị cán bộ, công chức\n"
)


def text(response) -> str:
    return response.get_data(as_text=True)


def two_versions(session, actors, regulation_id: int) -> None:
    """Submitted, returned with a reason, changed and submitted again."""
    member, reviewer = actors["vp.chuyenvien"], actors["vp.thamdinh"]
    item = ("deliverable", regulation_id)
    editing.edit_deliverable(
        session, member, regulation_id, {"body": V1, "data": {"effective_date": "2026-01-01"}}
    )
    service.perform(session, member, item, "submit")
    service.perform(session, reviewer, item, "return", reason="Gộp Điều 1 và Điều 2.")
    editing.edit_deliverable(session, member, regulation_id, {"body": V2})
    service.perform(session, member, item, "submit")


def test_versions_and_the_diff_for_the_reviewer(web, session, actors, regulation_doc):
    two_versions(session, actors, regulation_doc.id)
    item = f"/deliverables/{regulation_doc.id}"
    reviewer = web("vp.thamdinh")
    page = text(reviewer.get(item))
    assert "Phiên bản đã trình</dt><dd>2</dd>" in page
    link = f'href="{item}/versions/2"'
    assert link in page and "Xem thay đổi của phiên bản 2 so với phiên bản trước" in page

    listing = text(reviewer.get(f"{item}/versions"))
    assert listing.index("Phiên bản 2</a>") < listing.index("Phiên bản 1</a>")  # newest first
    assert "bản đầu tiên (3 dòng)" in listing
    counts = '<span class="diff-count-add">+3</span> <span class="diff-count-del">−2</span>'
    assert counts in listing
    assert "Nguyễn Thị Lan" in listing

    diff = text(reviewer.get(f"{item}/versions/2"))
    assert "Phiên bản 2 so với phiên bản 1" in diff
    assert "2 dòng bị bỏ" in diff and "3 dòng được thêm" in diff
    rows = diff.split("<tbody>")[1].split("</tbody>")[0]
    assert '<tr class="diff-same">' in rows and "Chương I. Quy định chung" in rows
    assert "<del>Điều 1. Phạm vi điều chỉnh</del>" in rows
    assert "<del>Điều 2. Đối tượng áp dụng</del>" in rows
    assert "<ins>Điều 3. Hội nghị cán bộ, công chức</ins>" in rows
    assert "<ins>Điều 1. Phạm vi điều chỉnh và đối tượng áp dụng</ins>" in rows
    assert rows.index("Chương I") < rows.index("<del>Điều 1.")  # in the text's order
    assert " style=" not in diff  # styled by app.css only (the CSP forbids inline styles)
    first = text(reviewer.get(f"{item}/versions/1"))
    assert "Phiên bản 1 (bản đầu tiên)" in first and "3 dòng được thêm" in first
    assert reviewer.get(f"{item}/versions/3").status_code == 404


def test_the_approved_version_is_in_force(web, session, actors, regulation_doc):
    two_versions(session, actors, regulation_doc.id)
    item = ("deliverable", regulation_doc.id)
    service.perform(session, actors["vp.thamdinh"], item, "review")
    service.perform(session, actors["giamdoc"], item, "approve")
    assert state_and_version(session, item)[0] == "approved"
    member = web("qltt.chuyenvien")  # approved: every member may read it
    page = text(member.get(f"/deliverables/{regulation_doc.id}"))
    assert "Đang có hiệu lực</dt>" in page and "Phiên bản 2</span> từ ngày 01/01/2026" in page
    listing = text(member.get(f"/deliverables/{regulation_doc.id}/versions"))
    header = listing.split('class="state-line"')[1].split("</p>")[0]
    assert "Đang có hiệu lực: phiên bản 2" in header and "01/01/2026" in header
    row_v1 = listing.split("Phiên bản 1</a>")[1].split("</tr>")[0]
    assert "Đang có hiệu lực" not in row_v1


def test_who_may_read_versions(web, session, actors, regulation_doc, rules_doc, outsider):
    item = f"/deliverables/{regulation_doc.id}/versions"
    assert text(web("vp.chuyenvien").get(item)).count("Chưa có phiên bản nào") == 1
    assert web(outsider).get(item).status_code == 404  # a draft of another unit
    assert web(outsider).get(f"{item}/1").status_code == 404
    assert web("giamdoc").get(f"/deliverables/{rules_doc.id}/versions").status_code == 404
