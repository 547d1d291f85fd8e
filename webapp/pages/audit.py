"""The whole audit trail: filters, keyset pages (?before=<seq>), CSV export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from flask import Response, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import login_required

from webapp import db
from webapp.i18n import local_time, role_label, state_label
from webapp.pages import bp
from webapp.pages.common import actor, client_addr, parse_date
from webapp.pages.labels import event_item_label, event_label
from workflow import access_log, inbox
from workflow.errors import InvalidInput
from workflow.trail import TrailFilter

ITEM_TYPES = ("task", "deliverable", "user", "plan", "delegation")
FILTER_KEYS = ("item_type", "item_id", "user", "unit", "action", "from", "to")


def parse_filter(args) -> tuple[TrailFilter, list[str], dict[str, str]]:
    """The filter from the query string; a bad value is dropped with a message."""
    errors: list[str] = []
    values = {k: (args.get(k) or "").strip() for k in FILTER_KEYS}
    item_type = values["item_type"] if values["item_type"] in ITEM_TYPES else None
    item_id = None
    if values["item_id"]:
        if values["item_id"].isdigit():
            item_id = int(values["item_id"])
        else:
            errors.append(_("Mã mục phải là số."))
    unit_id = int(values["unit"]) if values["unit"].isdigit() else None
    dates = {}
    for key in ("from", "to"):
        try:
            dates[key] = parse_date(values[key])
        except InvalidInput as error:
            errors.append(error.message)
            dates[key] = None
    where = TrailFilter(
        item_type=item_type,
        item_id=item_id,
        username=values["user"] or None,
        unit_id=unit_id,
        action=values["action"] or None,
        date_from=dates["from"],
        date_to=dates["to"],
    )
    return where, errors, values


@bp.get("/audit")
@login_required
def audit():
    """Reviewers, Director, Deputy Directors, auditors, admins (`can_read_full_audit`);
    403 for members."""
    where, errors, values = parse_filter(request.args)
    before = request.args.get("before", type=int)
    page = inbox.audit_page(db.session(), actor(), where, before=before)
    query = {k: v for k, v in values.items() if v}
    return render_template(
        "pages/audit.html",
        page=page,
        errors=errors,
        values=values,
        query=query,
        before=before,
        item_types=ITEM_TYPES,
    )


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/audit.csv")
@login_required
def audit_csv():
    """The same people as /audit; the same filters; UTF-8 with a BOM for Excel."""
    where, _errors, _values = parse_filter(request.args)
    rows = inbox.audit_export(db.session(), actor(), where)  # checks the permission
    access_log.record_download(
        db.session(),
        actor(),
        "audit_export",
        None,
        detail={"format": "csv", "filter": {k: v for k, v in _values.items() if v}},
        client_addr=client_addr(),
    )
    header = [
        _("Số thứ tự"),
        _("Thời gian (giờ Việt Nam)"),
        _("Người thực hiện"),
        _("Họ tên"),
        _("Vai trò"),
        _("Đơn vị"),
        _("Thao tác"),
        _("Loại mục"),
        _("Mã mục"),
        _("Từ trạng thái"),
        _("Đến trạng thái"),
        _("Lý do"),
        _("Địa chỉ IP"),
        _("Chi tiết"),
        _("Thay mặt (ủy quyền)"),
    ]

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(header)
        for n, e in enumerate(rows, 1):
            writer.writerow(
                [
                    _cell(v)
                    for v in (
                        e.seq,
                        local_time(e.at, seconds=True),
                        e.actor,
                        e.actor_name,
                        "; ".join(role_label(r) for r in e.roles),
                        e.unit,
                        event_label(e.action),
                        event_item_label(e.item_type),
                        e.item_id,
                        state_label(e.from_state),
                        state_label(e.to_state),
                        e.reason,
                        e.client_addr,
                        json.dumps(e.detail, ensure_ascii=False) if e.detail else "",
                        e.on_behalf_of or "",
                    )
                ]
            )
            if n % 200 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="nhat-ky.csv"',
            "Content-Type": "text/csv; charset=utf-8",
        },
    )
