"""The results report of a plan: a printable page, and .docx / .xlsx downloads.

For the Director, Deputy Directors, reviewers, auditors and admins — those who may read
the whole audit trail (`policy.can_read_full_audit`), since the report and its .xlsx carry
every deliverable and the trail; members get 403.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from urllib.parse import quote

from flask import Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from webapp import db
from webapp.pages import bp
from webapp.pages.common import actor, back_to, client_addr, parse_date
from workflow.core import access_log, policy
from workflow.core.errors import InvalidInput
from workflow.reads import reporting

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def require_report_access() -> None:
    policy.require_report_access(actor())


@bp.app_context_processor
def report_links() -> dict:
    """Whether the plan page offers the report (the views check again)."""
    allowed = current_user.is_authenticated and policy.can_read_full_audit(current_user.actor)
    return {"can_report": allowed}


def date_range() -> tuple[date | None, date | None]:
    """?from=&to= as dd/mm/yyyy (or yyyy-mm-dd); InvalidInput (400) when unreadable or
    reversed, with a Vietnamese message."""
    start = parse_date(request.args.get("from"))
    end = parse_date(request.args.get("to"))
    if start and end and start > end:
        raise InvalidInput(
            _(
                "Ngày bắt đầu (%(a)s) sau ngày kết thúc (%(b)s): hãy chọn lại khoảng thời gian.",
                a=start.strftime("%d/%m/%Y"),
                b=end.strftime("%d/%m/%Y"),
            )
        )
    return start, end


@bp.get("/plans/<int:plan_id>/report")
@login_required
def plan_report(plan_id: int):
    """Director, Deputy Directors, reviewers, auditors, admins (403 for members; 404 for a
    plan that does not exist): the report for ?from=&to= (dd/mm/yyyy), ready to print."""
    back_to(url_for("pages.plan"))
    require_report_access()
    typed = {"from": request.args.get("from", ""), "to": request.args.get("to", "")}
    try:
        start, end = date_range()
        report = reporting.report_data(db.session(), plan_id, start, end)
    except InvalidInput as refused:
        page = render_template(
            "reports/report.html", report=None, html=None, typed=typed, error=refused.message,
            plan_id=plan_id, query={},
        )  # fmt: skip
        return page, 400
    from documents.report_html import render_html

    query = {"to": report.date_to.strftime("%d/%m/%Y")}
    if report.date_from:
        query["from"] = report.date_from.strftime("%d/%m/%Y")
    return render_template(
        "reports/report.html",
        report=report,
        html=Markup(render_html(report)),  # every text in it is escaped by render_html
        typed={"from": query.get("from", ""), "to": query["to"]},
        error=None,
        plan_id=plan_id,
        query=query,
    )


def ascii_name(text: str) -> str:
    folded = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^0-9A-Za-z._-]+", "-", plain).strip("-.") or "bao-cao"


def disposition(name: str) -> str:
    """attachment; an ASCII filename for old clients and the Vietnamese one (RFC 6266)."""
    return f"attachment; filename=\"{ascii_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


@bp.get("/plans/<int:plan_id>/report.docx", defaults={"fmt": "docx"})
@bp.get("/plans/<int:plan_id>/report.xlsx", defaults={"fmt": "xlsx"})
@login_required
def plan_report_file(plan_id: int, fmt: str):
    """Director, Deputy Directors, reviewers, auditors, admins (403 for members): the report
    as a .docx (Decree 30 format) or .xlsx, always a download; 400 for a bad date range."""
    back_to(url_for("pages.plan_report", plan_id=plan_id))
    require_report_access()
    start, end = date_range()
    report = reporting.report_data(db.session(), plan_id, start, end)
    access_log.record_download(
        db.session(),
        actor(),
        "report",
        plan_id,
        detail={
            "format": fmt,
            "from": report.date_from.isoformat() if report.date_from else None,
            "to": report.date_to.isoformat(),
        },
        client_addr=client_addr(),
    )
    if fmt == "docx":
        from documents.report_docx import render_docx

        data = render_docx(report)
    else:
        from documents.report_xlsx import render_xlsx

        data = render_xlsx(report)
    plan = report.plan
    label = re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", "-", plan.code).strip("-. ") or str(plan_id)
    name = f"Báo cáo kết quả {label} đến {report.date_to:%d-%m-%Y}.{fmt}"
    response = Response(data, mimetype=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = disposition(name)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
