"""The plan import pages (admins only): upload → preview → corrections → confirm.

Most tests run on a database that has the organisation and its users but no plan yet —
what a department has before it imports its first plan."""

from __future__ import annotations

import io
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Deliverable, Plan, Task, Unit
from tests.conftest import FAST_HASH, TEST_PASSWORD
from tests.helpers import inline_scripts
from tests.web.conftest import Web
from workflow.accounts import users as accounts
from workflow.intake import seed
from workflow.reads import queries

DATA = Path(__file__).parent.parent / "data" / "plans"
SEED = (DATA / "seed.txt").read_bytes()
NOT_ADMINS = ("giamdoc", "phogiamdoc", "vp.thamdinh", "vp.chuyenvien", "qltt.chuyenvien", "kiemtra")


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def organisation(session):
    """Units, an admin and a member; no plan."""
    seed.ensure_organisation(session)
    for username, unit, roles in (("admin", "vp", ["admin"]), ("vp.chuyenvien", "vp", ["member"])):
        accounts.create_user(
            session,
            username=username,
            full_name=username,
            unit_code=unit,
            roles=roles,
            password=TEST_PASSWORD,
            password_method=FAST_HASH,
        )
    session.commit()


@pytest.fixture
def admin(app, organisation) -> Web:
    browser = Web(app)
    assert browser.login("admin").status_code == 303
    return browser


def upload(browser: Web, data: bytes, name: str = "seed.txt"):
    browser.get("/admin/import")
    return browser.post(
        "/admin/import",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


class FormValues(HTMLParser):
    """What a browser would send for the page's confirmation form, as (name, value) pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self.in_form = False
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "import-form" in (a.get("class") or ""):
            self.in_form = True
        if not self.in_form:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append((a["name"], a.get("value", "on")))
            elif kind != "submit":
                self.pairs.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.pairs.append((self.select, a.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None


def form_of(page: str) -> list[tuple[str, str]]:
    parser = FormValues()
    parser.feed(page)
    return parser.pairs


def confirm(browser: Web, preview_url: str, page: str, change=None):
    pairs = form_of(page)
    if change:
        pairs = change(pairs)
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return browser.post(preview_url, data)


def counts(session) -> tuple[int, int, int, int]:
    session.rollback()
    return tuple(
        session.execute(select(func.count()).select_from(m)).scalar_one()
        for m in (Plan, Task, Deliverable, Unit)
    )


def shape(rows):
    return [(r.number, r.lead_units, r.coordinating_units, r.due_date, r.timing_kind) for r in rows]


def seed_demo_rows(tmp_path):
    import models
    from models.database import make_engine, make_session_factory

    engine = make_engine(f"sqlite:///{tmp_path / 'seeded.db'}")
    models.Base.metadata.create_all(engine)
    with make_session_factory(engine)() as s:
        seed.seed_demo(s, password="x" * 10, password_method=FAST_HASH)
        rows = queries.task_rows(s)
    engine.dispose()
    return rows


def test_upload_preview_confirm_creates_the_seed_plan(app, admin, session, tmp_path):
    before = counts(session)
    response = upload(admin, SEED)
    assert response.status_code == 303
    url = response.headers["Location"]
    sha = url.rsplit("/", 1)[1]
    assert re.fullmatch(r"[0-9a-f]{64}", sha)
    folder = Path(app.instance_path) / "imports"
    assert (folder / sha).read_bytes() == SEED
    stored = json.loads((folder / f"{sha}.json").read_text("utf-8"))
    assert len(stored["parsed"]["tasks"]) == 9 and stored["source_name"] == "seed.txt"
    assert counts(session) == before  # nothing created by the preview
    cookie = admin.client.get_cookie("session")
    assert cookie is None or len(cookie.value) < 1000  # the parse is not in the session

    page = admin.get(url)
    html = text(page)
    assert page.status_code == 200
    assert "SỞ CÔNG THƯƠNG" in html and "/KH-SCT" in html
    assert "Kế hoạch số 67/KH-UBND ngày 26/10/2025" in html
    assert "Thực hiện dân chủ ở cơ sở và công tác dân vận chính quyền" in html
    assert html.count('class="panel import-task"') == 9
    assert 'Văn phòng Sở</span> → <span class="matched">Văn phòng Sở' in html
    assert "Chi cục Quản lý thị trường" in html and "Hoàn thành trước ngày 15/11/2025" in html
    assert 'value="15/11/2025"' in html and 'value="31/12/2025"' in html
    assert "đoạn văn bản chưa xếp được" in html and sha in html
    assert inline_scripts(html) == [] and "style=" not in html

    done = confirm(admin, url, html)
    assert done.status_code == 303 and done.headers["Location"].endswith("/plan")
    plan_page = admin.get("/plan")
    assert "Đã nhập kế hoạch KH-" in text(plan_page)
    assert text(plan_page).count('href="/tasks/') == 9

    session.rollback()
    assert shape(queries.task_rows(session)) == shape(seed_demo_rows(tmp_path))
    event = session.execute(select(AuditEvent).where(AuditEvent.item_type == "plan")).scalar_one()
    detail = json.loads(event.detail)
    assert detail["source"] == "seed.txt" and detail["sha256"] == sha
    assert event.actor_username == "admin"
    assert json.loads((folder / f"{sha}.json").read_text("utf-8"))["plan_code"] == f"KH-{sha[:12]}"


def test_corrections_change_a_lead_and_a_due_date(admin, session):
    url = upload(admin, SEED).headers["Location"]
    html = text(admin.get(url))

    def change(pairs):
        pairs = [(n, v) for n, v in pairs if n not in ("lead-1", "due-1", "due-3")]
        return pairs + [("lead-1", "qltt"), ("lead-1", "khtc"), ("due-1", "30/11/2025"),
                        ("due-3", "2025-12-15")]  # fmt: skip

    assert confirm(admin, url, html, change).status_code == 303
    session.rollback()
    rows = {r.number: r for r in queries.task_rows(session)}
    assert rows[2].lead_units == ["Chi cục Quản lý thị trường", "Phòng Kế hoạch - Tài chính"]
    assert rows[2].due_date.isoformat() == "2025-11-30" and rows[2].timing_kind == "deadline"
    assert rows[4].due_date.isoformat() == "2025-12-15"
    assert rows[1].lead_units == ["Văn phòng Sở"]  # untouched
    task2 = session.execute(select(Task).where(Task.number == 2)).scalar_one()
    assert task2.timing_text == "Hoàn thành trước ngày 30/11/2025"


def test_a_bad_correction_shows_the_preview_again_and_creates_nothing(admin, session):
    url = upload(admin, SEED).headers["Location"]
    html = text(admin.get(url))
    before = counts(session)

    def bad_date(pairs):
        return [(n, "31/02/2025" if n == "due-1" else v) for n, v in pairs]

    refused = confirm(admin, url, html, bad_date)
    page = text(refused)
    assert refused.status_code == 400
    assert "Nhiệm vụ 2: ngày “31/02/2025” không hợp lệ" in page
    assert 'value="31/02/2025"' in page  # what was typed stays in the box
    assert counts(session) == before

    def no_leads(pairs):
        return [(n, v) for n, v in pairs if n != "lead-2"]

    refused = confirm(admin, url, html, no_leads)
    assert refused.status_code == 400
    assert "Nhiệm vụ 3 chưa có đơn vị chủ trì" in text(refused)
    assert counts(session) == before

    def default_lead(pairs):
        return [(n, v) for n, v in pairs if n not in ("lead-2", "default_lead")] + [
            ("default_lead", "khtc")
        ]

    assert confirm(admin, url, html, default_lead).status_code == 303
    session.rollback()
    rows = {r.number: r for r in queries.task_rows(session)}
    assert rows[3].lead_units == ["Phòng Kế hoạch - Tài chính"]


def test_unknown_units_are_refused_unless_the_box_is_ticked(admin, session):
    url = upload(admin, (DATA / "plan_02.txt").read_bytes(), "plan_02.txt").headers["Location"]
    html = text(admin.get(url))
    assert "Công an Thành phố" in html
    assert "chưa có trong danh mục — sẽ tạo đơn vị mới" in html
    assert 'name="create_units"' in html
    before = counts(session)
    refused = confirm(admin, url, html)
    assert refused.status_code == 400
    assert "Đơn vị chưa có trong danh mục:" in text(refused)
    assert counts(session) == before

    done = confirm(admin, url, html, lambda pairs: pairs + [("create_units", "y")])
    assert done.status_code == 303
    after = counts(session)
    assert after[0] == before[0] + 1 and after[3] > before[3]
    assert session.execute(select(Unit).where(Unit.name == "Công an Thành phố")).scalar_one()


def make_docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_docx_plan_is_previewed_too(admin):
    lines = [line for line in SEED.decode("utf-8").splitlines() if line.strip()]
    response = upload(admin, make_docx(lines), "Kế hoạch DCCS.docx")
    assert response.status_code == 303
    page = text(admin.get(response.headers["Location"]))
    assert "Tài liệu Word (.docx)" in page and "Kế hoạch DCCS.docx" in page
    assert page.count('class="panel import-task"') == 9


def corrupt_docx() -> bytes:
    good = make_docx(["Kế hoạch"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "rong.txt", "Tệp rỗng"),
        (bytes(range(256)) * 64, "anh.txt", "Tệp không phải văn bản"),
        (b"%PDF-1.4\n%...", "kh.pdf", "Tệp PDF chưa được hỗ trợ"),
        (b"PK\x03\x04" + b"\x00" * 200, "hong.docx", "Tệp .docx bị hỏng"),
        (corrupt_docx(), "hong2.docx", "Tệp .docx bị hỏng"),
        (b"x" * (10 * 1024 * 1024 + 1), "lon.txt", "Tệp lớn hơn 10 MB"),
        ("Kế hoạch\nI. MỤC ĐÍCH\n1. Một việc\n".encode(), "kh.txt", "Không tìm thấy phần nhiệm vụ"),
    ],
    ids=["empty", "binary", "pdf", "not-a-zip", "corrupt-docx", "over-10-MB", "no-tasks"],
)
def test_bad_files_show_the_message_and_create_nothing(app, admin, session, data, name, message):
    before = counts(session)
    response = upload(admin, data, name)
    page = text(response)
    assert response.status_code == 400, page[:500]
    assert message in page and 'class="flash flash-error import-error"' in page
    assert 'type="file"' in page  # the form again, to choose another file
    assert counts(session) == before
    folder = Path(app.instance_path) / "imports"
    assert not folder.exists() or not any(folder.iterdir())


def test_no_file_chosen(admin):
    response = admin.post("/admin/import", {}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Chưa chọn tệp" in text(response)


def test_over_the_apps_own_limit_is_a_413(admin):
    response = upload(admin, b"x" * (21 * 1024 * 1024))
    assert response.status_code == 413


def test_the_same_file_twice_is_a_409(admin, session):
    url = upload(admin, SEED).headers["Location"]
    html = text(admin.get(url))
    assert confirm(admin, url, html).status_code == 303
    before = counts(session)
    again = upload(admin, SEED)
    assert again.status_code == 409 and "đã được nhập" in text(again)
    replay = confirm(admin, url, html)
    assert replay.status_code == 409 and "đã được nhập" in text(replay)
    assert admin.get(url).status_code == 409
    assert counts(session) == before


def test_unknown_or_expired_previews_are_404(app, admin):
    assert admin.get("/admin/import/" + "0" * 64).status_code == 404
    assert admin.get("/admin/import/not-a-token").status_code == 404
    missing = admin.post("/admin/import/" + "0" * 64, {"task": "0"})
    assert missing.status_code == 404 and "tải tệp lên lại" in text(missing)

    url = upload(admin, SEED).headers["Location"]
    sha = url.rsplit("/", 1)[1]
    meta = Path(app.instance_path) / "imports" / f"{sha}.json"
    stored = json.loads(meta.read_text("utf-8"))
    stored["uploaded_at"] = "2020-01-01T00:00:00+00:00"
    meta.write_text(json.dumps(stored), "utf-8")
    assert admin.get(url).status_code == 404
    assert admin.post(url, {"task": "0"}).status_code == 404
    assert sha not in text(admin.get("/admin/import"))  # no longer listed as pending


def test_pending_previews_are_listed(admin):
    url = upload(admin, SEED).headers["Location"]
    page = text(admin.get("/admin/import"))
    assert "Bản xem trước đang chờ xác nhận" in page and f'href="{url}"' in page


def test_non_admins_get_403_on_every_import_route(web, app):
    sha = "0" * 64
    owner = web("admin")
    real = upload(owner, SEED).headers["Location"]
    for username in NOT_ADMINS:
        browser = web(username)
        assert "/admin/import" not in text(browser.get("/plan"))
        assert browser.get("/admin/import").status_code == 403, username
        posted = browser.post(
            "/admin/import",
            {"file": (io.BytesIO(SEED), "seed.txt")},
            content_type="multipart/form-data",
        )
        assert posted.status_code == 403, username
        for url in (real, f"/admin/import/{sha}"):
            assert browser.get(url).status_code == 403, (username, url)
            assert browser.post(url, {"task": "0"}).status_code == 403, (username, url)
    anonymous = web()
    assert anonymous.get("/admin/import").status_code in (302, 401)


def test_admin_page_links_to_the_import(web):
    page = text(web("admin").get("/admin"))
    assert 'href="/admin/import"' in page and "Nhập kế hoạch" in page


def test_an_empty_plan_page_offers_the_import_to_admins(admin, app, organisation):
    page = text(admin.get("/plan"))
    assert "Chưa có kế hoạch nào" in page and 'href="/admin/import"' in page
    member = Web(app)
    member.login("vp.chuyenvien")
    assert 'href="/admin/import"' not in text(member.get("/plan"))


def test_import_pages_in_english(admin):
    url = upload(admin, SEED).headers["Location"]
    page = text(admin.get(url + "?lang=en"))
    assert "Preview — nothing has been created yet" in page
    assert "Confirm and import the plan" in page and "Lead unit" in page
    assert "Xác nhận nhập kế hoạch" not in page
    upload_page = text(admin.get("/admin/import"))
    assert "Import a plan from a document" in upload_page


def test_preview_shows_confidence_and_source_lines_least_sure_first(admin):
    plan = (
        "SỞ CÔNG THƯƠNG\nKẾ HOẠCH\nThử nghiệm độ tin cậy\n\nII. NHIỆM VỤ\n"
        "1. Việc có nhãn\nĐơn vị chủ trì: Văn phòng Sở.\nThời gian thực hiện: Năm 2026.\n\n"
        "2. Rà soát văn bản.\n\nChi cục Quản lý thị trường chủ trì, phối hợp với Văn phòng Sở "
        "tổ chức rà soát.\n\n3. Việc không ghi đơn vị\n"
    ).encode()
    response = upload(admin, plan, "tin-cay.txt")
    assert response.status_code == 303
    html = text(admin.get(response.headers["Location"]))
    # the list of fields to check: task 3's missing lead (50%) before task 2's sentence (70%)
    listed = html.split('id="can-kiem-tra-h"', 1)[1].split("</ol>", 1)[0]
    assert listed.index("Nhiệm vụ 3") < listed.index("Nhiệm vụ 2")
    assert "độ tin cậy 50%" in listed and "độ tin cậy 70%" in listed
    assert "Nhiệm vụ 1" not in listed  # read from labelled lines: nothing to check
    # each task: where it came from, each field's confidence and source line
    task1 = html.split('id="nv-0"', 1)[1].split('id="nv-1"', 1)[0]
    assert "Nguồn: dòng 6–8" in task1
    assert "(dòng 7, dòng có nhãn)" in task1 and ">95%<" in task1
    assert "import-low" not in task1
    assert "    7  Đơn vị chủ trì: Văn phòng Sở." in task1  # the numbered source excerpt
    task2 = html.split('id="nv-1"', 1)[1].split('id="nv-2"', 1)[0]
    assert 'class="import-low"' in task2 and "(dòng 12, câu văn)" in task2
    assert "cần kiểm tra" in task2
