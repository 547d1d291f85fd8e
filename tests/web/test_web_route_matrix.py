"""Every route × every role, table-driven from the app's own URL map.

Each route has a rule here saying who gets through its permission gate; everyone else must
be turned away with the stated status (anonymous users: the login page, or 401 on the API).
"Through" means any answer but 401, 403, 404 or a server error: an empty form may still be
refused as 400 or 409, which is the route's business, not its gate's. A route missing from
the table fails the suite, so no route ships without a permission rule.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from documents import plan_parser, reading
from models import Deliverable, Notification, Plan, Task, Unit, User
from tests.conftest import TEST_PASSWORD
from tests.web.conftest import Web
from workflow.core import clock
from workflow.intake import import_review, importing
from workflow.items import delegation, editing

ROLES = {
    "anonymous": None,
    "owning_member": "vp.chuyenvien",  # Văn phòng Sở: owns the draft
    "other_member": "qltt.chuyenvien",  # leads its own part of task 5; never sees the draft
    "reviewer": "vp.thamdinh",
    "deputy": "phogiamdoc",
    "director": "giamdoc",
    "auditor": "kiemtra",
    "admin": "admin",
}
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
MEMBERS = frozenset({"owning_member", "other_member"})
STAFF = SIGNED_IN - MEMBERS  # may read the whole trail
EVERYONE = frozenset(ROLES)


def rule(through, refused=403, **special):
    """`through`: roles that pass; others get `refused`; `special`: role → status."""
    return {"through": frozenset(through), "refused": refused, "special": special}


# (endpoint, method) → who gets through. {deliverable}: task 5's periodic report of
# Văn phòng Sở (a draft); {task}: task 5; {attachment}: a file on that draft; {user}: a user.
OWNER_ONLY_DRAFT = rule({"owning_member"}, 403, other_member=404)
VIEWERS_OF_DRAFT = rule(SIGNED_IN - {"other_member"}, 404)
ROUTES = {
    ("auth.login", "GET"): ("/login", rule(EVERYONE)),
    ("auth.login", "POST"): ("/login", rule(EVERYONE)),
    ("auth.logout", "GET"): ("/logout", rule(SIGNED_IN)),  # asks to confirm
    # signing out lands on the login page, signed in or not
    ("auth.logout", "POST"): ("/logout", rule(set(), **dict.fromkeys(SIGNED_IN, "login"))),
    # one's own password: every signed-in user (an empty form is then 400)
    ("auth.change_password", "GET"): ("/account/password", rule(SIGNED_IN)),
    ("auth.change_password", "POST"): ("/account/password", rule(SIGNED_IN)),
    ("pages.queue", "GET"): ("/", rule(SIGNED_IN)),
    ("pages.plan", "GET"): ("/plan", rule(SIGNED_IN)),
    ("pages.plans_list", "GET"): ("/plans", rule(SIGNED_IN)),
    ("pages.province_dashboard", "GET"): ("/plans/dashboard", rule(SIGNED_IN)),
    ("pages.plan_detail", "GET"): ("/plans/{plan}", rule(SIGNED_IN)),
    ("pages.plan_dashboard", "GET"): ("/plans/{plan}/dashboard", rule(SIGNED_IN)),
    ("pages.task", "GET"): ("/tasks/{task}", rule(SIGNED_IN)),
    ("pages.new_deliverable", "POST"): (
        "/tasks/{task}/deliverables",
        rule(MEMBERS),  # both units lead task 5
    ),
    # approving a draft task: approvers pass the gate (then 409), other roles may not (403)
    ("pages.act", "POST"): ("/tasks/{task}/act", rule({"deputy", "director"})),
    ("pages.comment", "POST"): ("/tasks/{task}/comments", rule(SIGNED_IN)),
    ("pages.deliverable", "GET"): ("/deliverables/{deliverable}", VIEWERS_OF_DRAFT),
    ("pages.edit", "GET"): ("/deliverables/{deliverable}/edit", OWNER_ONLY_DRAFT),
    ("pages.edit", "POST"): ("/deliverables/{deliverable}/edit", OWNER_ONLY_DRAFT),
    ("pages.upload", "POST"): ("/deliverables/{deliverable}/attachments", OWNER_ONLY_DRAFT),
    ("pages.act@deliverable", "POST"): ("/deliverables/{deliverable}/act", VIEWERS_OF_DRAFT),
    ("pages.comment@deliverable", "POST"): (
        "/deliverables/{deliverable}/comments",
        VIEWERS_OF_DRAFT,
    ),
    ("pages.download", "GET"): ("/attachments/{attachment}", VIEWERS_OF_DRAFT),
    # issue 12: taking a wrong file off a draft, and deleting a mistaken draft (the owner
    # passes the gate: 400 without the confirmation box, 409 for the plan's periodic report)
    ("pages.delete_attachment", "GET"): ("/attachments/{attachment}/delete", OWNER_ONLY_DRAFT),
    ("pages.delete_attachment", "POST"): ("/attachments/{attachment}/delete", OWNER_ONLY_DRAFT),
    ("pages.delete_draft", "GET"): ("/deliverables/{deliverable}/delete", OWNER_ONLY_DRAFT),
    ("pages.delete_draft", "POST"): ("/deliverables/{deliverable}/delete", OWNER_ONLY_DRAFT),
    ("pages.audit", "GET"): ("/audit", rule(STAFF)),
    ("pages.audit_csv", "GET"): ("/audit.csv", rule(STAFF)),
    ("pages.admin", "GET"): ("/admin", rule({"admin"})),
    ("pages.new_user", "GET"): ("/admin/users/new", rule({"admin"})),
    ("pages.new_user", "POST"): ("/admin/users/new", rule({"admin"})),
    ("pages.user", "GET"): ("/admin/users/{user}", rule({"admin"})),
    ("pages.user_roles", "POST"): ("/admin/users/{user}/roles", rule({"admin"})),
    ("pages.user_active", "POST"): ("/admin/users/{user}/deactivate", rule({"admin"})),
    ("pages.user_active@reactivate", "POST"): ("/admin/users/{user}/reactivate", rule({"admin"})),
    ("pages.admin_import", "GET"): ("/admin/import", rule({"admin"})),
    ("pages.admin_import_upload", "POST"): ("/admin/import", rule({"admin"})),
    ("pages.admin_import_preview", "GET"): ("/admin/import/{preview}", rule({"admin"})),
    ("pages.admin_import_confirm", "POST"): ("/admin/import/{preview}", rule({"admin"})),
    ("pages.plan_report", "GET"): ("/plans/{plan}/report", rule(STAFF)),
    ("pages.plan_report_file", "GET"): ("/plans/{plan}/report.docx", rule(STAFF)),
    ("pages.plan_report_file@xlsx", "GET"): ("/plans/{plan}/report.xlsx", rule(STAFF)),
    ("pages.dashboard", "GET"): ("/dashboard", rule(SIGNED_IN)),
    ("pages.delegations", "GET"): ("/delegations", rule(SIGNED_IN)),
    ("pages.new_delegation", "POST"): ("/delegations", rule({"reviewer", "deputy", "director"})),
    # the delegator or an admin; the delegate is refused; to others it does not exist
    ("pages.revoke_delegation", "POST"): (
        "/delegations/{delegation}/revoke",
        rule({"director", "admin"}, 404, deputy=403),
    ),
    # a periodic report has no commendation decision, for anyone
    ("pages.commendation", "GET"): (
        "/deliverables/{deliverable}/commendation.docx",
        rule(set(), 404),
    ),
    ("pages.contribute", "POST"): (
        "/deliverables/{deliverable}/contributions",
        rule(set(), 403, other_member=404),  # task 5 has no coordinating unit
    ),
    ("pages.versions", "GET"): (
        "/deliverables/{deliverable}/versions",
        rule(set(), 404),  # only a regulation has versions
    ),
    ("pages.version_diff", "GET"): (
        "/deliverables/{deliverable}/versions/1",
        rule(set(), 404),  # not a regulation: no version 1, for anyone
    ),
    ("pages.vote", "POST"): ("/deliverables/{deliverable}/vote", VIEWERS_OF_DRAFT),
    ("pages.change_due_date", "POST"): (
        "/deliverables/{deliverable}/due-date",
        rule({"reviewer", "director"}, 403, other_member=404),
    ),
    # The API: bearer tokens; anonymous → 401.
    ("api.openapi", "GET"): ("/api/v1/openapi.json", rule(EVERYONE)),
    ("api.issue_token", "POST"): ("/api/v1/auth/token", rule(EVERYONE)),
    ("api.revoke_token", "DELETE"): ("/api/v1/auth/token", rule(SIGNED_IN)),
    ("api.list_tasks", "GET"): ("/api/v1/tasks", rule(SIGNED_IN)),
    ("api.get_task", "GET"): ("/api/v1/tasks/{task}", rule(SIGNED_IN)),
    ("api.task_audit", "GET"): ("/api/v1/tasks/{task}/audit", rule(SIGNED_IN)),
    ("api.task_action", "POST"): (
        "/api/v1/tasks/{task}/actions/approve",
        rule(STAFF & {"deputy", "director"}, 403),  # a draft: approvers get 409, others 403
    ),
    ("api.list_deliverables", "GET"): ("/api/v1/deliverables", rule(SIGNED_IN)),
    ("api.create_deliverable", "POST"): ("/api/v1/deliverables", rule(MEMBERS)),
    ("api.get_deliverable", "GET"): ("/api/v1/deliverables/{deliverable}", VIEWERS_OF_DRAFT),
    ("api.edit_deliverable", "PATCH"): ("/api/v1/deliverables/{deliverable}", OWNER_ONLY_DRAFT),
    ("api.deliverable_audit", "GET"): (
        "/api/v1/deliverables/{deliverable}/audit",
        VIEWERS_OF_DRAFT,
    ),
    ("api.deliverable_action", "POST"): (
        "/api/v1/deliverables/{deliverable}/actions/submit",
        OWNER_ONLY_DRAFT,  # the owner gets 409 (incomplete); staff 403
    ),
    ("api.full_audit", "GET"): ("/api/v1/audit", rule(STAFF)),
    ("api.list_votes", "GET"): ("/api/v1/deliverables/{deliverable}/votes", VIEWERS_OF_DRAFT),
    # a draft takes no votes (409) from those who see it
    ("api.cast_vote", "POST"): ("/api/v1/deliverables/{deliverable}/votes", VIEWERS_OF_DRAFT),
    ("api.list_contributions", "GET"): (
        "/api/v1/deliverables/{deliverable}/contributions",
        VIEWERS_OF_DRAFT,
    ),
    # task 5 has no coordinating unit: nobody may contribute; the unseen draft stays unseen
    ("api.add_contribution", "POST"): (
        "/api/v1/deliverables/{deliverable}/contributions",
        rule(set(), 403, other_member=404),
    ),
    # only a regulation has versions: 404 for anyone, as on the page (issue 9)
    ("api.list_versions", "GET"): (
        "/api/v1/deliverables/{deliverable}/versions",
        rule(set(), 404),
    ),
    ("api.version_diff", "GET"): (
        "/api/v1/deliverables/{deliverable}/versions/1/diff",
        rule(set(), 404),  # not a regulation: no version 1, for anyone
    ),
    ("api.list_delegations", "GET"): ("/api/v1/delegations", rule(SIGNED_IN)),
    ("api.create_delegation", "POST"): (
        "/api/v1/delegations",
        rule({"reviewer", "deputy", "director"}),
    ),
    # the director's delegation to the deputy: the delegator or an admin may revoke it; the
    # delegate is refused; to others it does not exist (as on the page, issue 9)
    ("api.revoke_delegation", "DELETE"): (
        "/api/v1/delegations/{delegation}",
        rule({"director", "admin"}, 404, deputy=403),
    ),
    # due dates are the plan's: the Office reviewer or the Director change one (issue 9)
    ("api.change_due_date", "POST"): (
        "/api/v1/deliverables/{deliverable}/due-date",
        rule({"reviewer", "director"}, 403, other_member=404),
    ),
    ("api.plan_dashboard", "GET"): ("/api/v1/plans/{plan}/dashboard", rule(SIGNED_IN)),
    # issue 12: one's own notifications; {notification} is the owning member's
    ("pages.notifications_page", "GET"): ("/notifications", rule(SIGNED_IN)),
    ("pages.notifications_read_all", "POST"): ("/notifications/read", rule(SIGNED_IN)),
    ("pages.notification_read", "POST"): (
        "/notifications/{notification}/read",
        rule({"owning_member"}, 404),
    ),
    ("pages.search", "GET"): ("/search?q=B%C3%A1o+c%C3%A1o", rule(SIGNED_IN)),
}
# A well-formed request, so that what answers is the permission gate, not form validation.
PAGE_BODIES = {
    ("pages.act", "POST"): {"action": "approve"},
    ("pages.act@deliverable", "POST"): {"action": "submit", "confirm": "y"},  # confirmed (12)
    ("pages.comment", "POST"): {"body": "Ý kiến"},
    ("pages.comment@deliverable", "POST"): {"body": "Ý kiến"},
    ("pages.new_deliverable", "POST"): {"title": "Báo cáo bổ sung", "kind": "document"},
    ("pages.user_roles", "POST"): {"roles": "member"},
    ("pages.edit", "POST"): {"title": "Báo cáo (sửa)"},
    ("pages.new_delegation", "POST"): {
        "delegate": "khtc.chuyenvien",
        "starts_on": "01/11/2025",
        "ends_on": "30/11/2025",
    },
    ("pages.contribute", "POST"): {"body": "Ý kiến"},
    ("pages.vote", "POST"): {"in_favour": "1", "choice": "for", "comment": "Đồng ý"},
    ("pages.change_due_date", "POST"): {
        "due_date": "20/12/2025",
        "reason": "Lùi hạn theo chỉ đạo.",
        "version": "1",
    },
}
API_BODIES = {
    ("api.issue_token", "POST"): {"username": "kiemtra", "password": TEST_PASSWORD},
    ("api.create_deliverable", "POST"): {"task_id": "{task}", "title": "Báo cáo bổ sung"},
    ("api.edit_deliverable", "PATCH"): {"title": "Báo cáo định kỳ (sửa)"},
    ("api.cast_vote", "POST"): {"in_favour": True},
    ("api.add_contribution", "POST"): {"body": "Ý kiến"},
    ("api.create_delegation", "POST"): {
        "delegate": "khtc.chuyenvien",
        "starts_on": "2025-11-01",
        "ends_on": "2025-11-30",
    },
    ("api.change_due_date", "POST"): {"due_date": "2025-12-20", "reason": "Lùi hạn."},
}


def url_map_routes(app) -> set[tuple[str, str]]:
    found = set()
    for r in app.url_map.iter_rules():
        if r.endpoint == "static":
            continue
        suffix = ""
        if r.endpoint in ("pages.act", "pages.comment") and (r.defaults or {}).get("kind") == (
            "deliverable"
        ):
            suffix = "@deliverable"
        if r.endpoint == "pages.user_active" and (r.defaults or {}).get("active"):
            suffix = "@reactivate"
        if (r.defaults or {}).get("fmt") == "xlsx":
            suffix = "@xlsx"
        for method in r.methods - {"HEAD", "OPTIONS"}:
            found.add((r.endpoint + suffix, method))
    return found


def test_every_route_has_a_permission_rule(app):
    missing = url_map_routes(app) - set(ROUTES)
    assert not missing, f"routes without a permission rule in this table: {sorted(missing)}"
    stale = set(ROUTES) - url_map_routes(app)
    assert not stale, f"rules for routes that no longer exist: {sorted(stale)}"


@pytest.fixture
def objects(app, session, actors) -> dict[str, int]:
    draft = session.execute(
        select(Deliverable)
        .join(Task, Task.id == Deliverable.task_id)
        .join(Unit, Unit.id == Deliverable.unit_id)
        .where(Task.number == 5, Unit.code == "vp")
        .order_by(Deliverable.id)
        .limit(1)
    ).scalar_one()
    content = b"%PDF-1.4\n% route matrix\n"
    sha = hashlib.sha256(content).hexdigest()
    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / sha).write_bytes(content)
    attachment = editing.record_attachment(
        session,
        actors["vp.chuyenvien"],
        draft.id,
        filename="bien-ban.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=sha,
    )
    user = session.execute(select(User.id).where(User.username == "khtc.chuyenvien")).scalar_one()
    today = clock.today_local()
    given = delegation.delegate(
        session, actors["giamdoc"], delegate_username="phogiamdoc", starts_on=today, ends_on=today
    )
    notice = Notification(
        user_id=actors["vp.chuyenvien"].id, kind="returned", item_type="deliverable",
        item_id=draft.id, title=draft.title, actor_name="", reason="Bổ sung.",
    )  # fmt: skip
    session.add(notice)
    session.commit()
    return {
        "notification": notice.id,
        "deliverable": draft.id,
        "task": draft.task_id,
        "attachment": attachment.id,
        "user": user,
        "preview": waiting_preview(app, session),
        "plan": session.execute(select(Plan.id)).scalar_one(),
        "delegation": given.id,
    }


def waiting_preview(app, session) -> str:
    """A parsed upload waiting for an administrator's confirmation (plan_02, not imported)."""
    data = (Path(__file__).parents[1] / "data" / "plans" / "plan_02.txt").read_bytes()
    source = reading.read_bytes(data)
    upload = import_review.Upload(
        sha256=hashlib.sha256(data).hexdigest(),
        source_name="plan_02.txt",
        size=len(data),
        kind=source.kind,
        encoding=source.encoding,
        warnings=[],
        uploaded_at=datetime.now(UTC).isoformat(),
        uploaded_by="admin",
        parsed=plan_parser.parse_plan(source, importing.known_units(session)),
        source_text=source.text,
    )
    store = import_review.PreviewStore(Path(app.instance_path) / "imports")
    return store.save(upload, data)


def expected(spec, role: str, api: bool) -> str:
    if role in spec["through"]:
        return "through"
    if role == "anonymous":
        return "401" if api else "login"
    return str(spec["special"].get(role, spec["refused"]))


def outcome(response, api: bool) -> str:
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if not api and status in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return "login"
    if status in (401, 403, 404):
        return str(status)
    return "through"


def api_token(app, username: str) -> str:
    response = app.test_client().post(
        "/api/v1/auth/token", json={"username": username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


@pytest.mark.parametrize("route", sorted(ROUTES), ids=lambda r: f"{r[1]} {r[0]}")
def test_route_lets_through_exactly_whom_its_rule_says(app, web, objects, route):
    endpoint, method = route
    path, spec = ROUTES[route]
    url = path.format(**objects)
    api = url.startswith("/api/")
    wrong = []
    for role, username in ROLES.items():
        if api:
            headers = {"Authorization": f"Bearer {api_token(app, username)}"} if username else {}
            body = API_BODIES.get(route)
            if body is not None:
                body = {
                    k: (int(v.format(**objects)) if v == "{task}" else v) for k, v in body.items()
                }
            response = app.test_client().open(url, method=method, headers=headers, json=body)
        else:
            browser: Web = web(username)
            if method == "GET":
                response = browser.get(url)
            else:
                if username is not None:
                    browser.get("/logout")  # a page with a form: this session's CSRF token
                response = browser.post(url, PAGE_BODIES.get(route, {}))
        response.get_data()
        response.close()  # a streamed download (the CSV) keeps its context open until closed
        got, want = outcome(response, api), expected(spec, role, api)
        if got != want:
            wrong.append(f"{role}: expected {want}, got {got} ({response.status_code})")
    assert not wrong, f"{method} {url}: " + "; ".join(wrong)
