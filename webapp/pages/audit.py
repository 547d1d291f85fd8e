"""The whole audit trail: filters, keyset pages (?before=<seq>), CSV export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC

from flask import Response, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import login_required

from models import ROLES
from webapp import db
from webapp.converters import MAX_ID
from webapp.i18n import LOCAL_TZ, role_label, state_label
from webapp.pages import bp
from webapp.pages.common import actor, client_addr, id_arg, parse_date
from webapp.pages.labels import detail_text, event_item_label, event_label
from workflow.core import access_log
from workflow.core.errors import InvalidInput
from workflow.core.machine import STATES
from workflow.reads import trail
from workflow.reads.trail import TrailFilter
from workflow.reads.wording import SYSTEM_NAME, SYSTEM_USERNAME, person

ITEM_TYPES = (
    "task",
    "deliverable",
    "user",
    "plan",
    "delegation",
    "contribution",
    "attachment",
    "report",
    "commendation",
    "audit_export",
)
FILTER_KEYS = ("item_type", "item_id", "user", "unit", "action", "from", "to")


def parse_filter(args) -> tuple[TrailFilter, dict[str, str], dict[str, str]]:
    """The filter from the query string; a bad value is left out of the filter and said
    next to its field (field name → message)."""
    errors: dict[str, str] = {}
    values = {k: (args.get(k) or "").strip() for k in FILTER_KEYS}
    item_type = values["item_type"] if values["item_type"] in ITEM_TYPES else None
    item_id = None
    if values["item_id"]:
        if values["item_id"].isdigit() and int(values["item_id"]) <= MAX_ID:
            item_id = int(values["item_id"])
        else:
            errors["item_id"] = _("Mã mục phải là số.")
    unit_id = id_arg("unit")
    dates = {}
    for key in ("from", "to"):
        try:
            dates[key] = parse_date(values[key])
        except InvalidInput:
            errors[key] = _(
                "Ngày không hợp lệ: “%(text)s”, nhập dd/mm/yyyy (ví dụ 05/11/2025).",
                text=values[key],
            )
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


def _audit_page(where, errors, values, status: int = 200):
    before = id_arg("before")
    page = trail.audit_page(db.session(), actor(), where, before=before)
    query = {k: v for k, v in values.items() if v}
    return (
        render_template(
            "pages/audit.html",
            page=page,
            errors=errors,
            values=values,
            query=query,
            before=before,
            item_types=ITEM_TYPES,
        ),
        status,
    )


@bp.get("/audit")
@login_required
def audit():
    """Reviewers, Director, Deputy Directors, auditors, admins (`can_read_full_audit`);
    403 for members. A value that is not valid (a date not dd/mm/yyyy) is said next to its
    field, and the list shown is said to be without it."""
    where, errors, values = parse_filter(request.args)
    return _audit_page(where, errors, values)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SAID_LIMIT = 20_000  # distinct details remembered by one export
TIME_FORMAT = "%d/%m/%Y %H:%M:%S"


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Labels(dict):
    """A label looked up once per distinct value (not once per row); values the view did
    not know in advance are looked up on first sight."""

    def __init__(self, lookup, known) -> None:
        super().__init__((k, str(lookup(k))) for k in known)
        self.lookup = lookup

    def __missing__(self, key):
        value = self[key] = str(self.lookup(key)) if key is not None else ""
        return value


@bp.get("/audit.csv")
@login_required
def audit_csv():
    """The same people as /audit; the same filters; UTF-8 with a BOM for Excel; people by
    name and unit ("Nguyễn Văn A (Văn phòng Sở)", the login beside), details in words. The whole
    trail is streamed (constant memory, no row cap) from a database session of its own,
    closed when the download ends or is abandoned."""
    where, errors, _values = parse_filter(request.args)
    if errors:  # never a whole-trail export in place of the one asked for
        trail.audit_page(db.session(), actor(), where, before=None)  # 403 as the page would
        return _audit_page(where, errors, _values, 400)
    rows = trail.audit_export(db.database().sessions, actor(), where)
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
        _("Tên đăng nhập"),
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
    # Every label the trail can hold, translated now (in the request's language).
    roles = _Labels(lambda value: "; ".join(role_label(r) for r in value.split(",") if r), ())
    actions = _Labels(event_label, trail.KNOWN_ACTIONS)
    item_types = _Labels(event_item_label, ITEM_TYPES)
    states = _Labels(state_label, (None, *STATES))
    for known in ROLES:
        roles[known]  # noqa: B018 - fills the cache while translations are at hand
    system = _(SYSTEM_NAME)
    said: dict[tuple[str, str], str] = {}  # the same detail says the same (bounded)

    def words(action: str, detail: str, people: dict[str, str]) -> str:
        """The detail in words, worked out once per distinct (action, detail) when it names
        nobody: {"version": 8} recurs on every item, and translating costs per call."""
        if people:
            return _cell(detail_text(action, json.loads(detail), people))
        text = said.get((action, detail))
        if text is None:
            text = _cell(detail_text(action, json.loads(detail), people))
            if len(said) < SAID_LIMIT:
                said[(action, detail)] = text
        return text

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(header)
        to_local = LOCAL_TZ
        try:
            for n, (
                seq, at, who, name, role_text, unit, action, item_type, item_id,
                from_state, to_state, reason, client_addr, detail, on_behalf_of, people,
            ) in enumerate(rows, 1):  # fmt: skip
                writer.writerow(
                    (
                        seq,
                        at.replace(tzinfo=UTC).astimezone(to_local).strftime(TIME_FORMAT),
                        _cell(system if who == SYSTEM_USERNAME else person(name, unit, who)),
                        _cell(who),
                        roles[role_text],
                        _cell(unit),
                        actions[action],
                        item_types[item_type],
                        "" if item_id is None else item_id,
                        states[from_state],
                        states[to_state],
                        _cell(reason),
                        _cell(client_addr),
                        words(action, detail, people) if detail and detail != "{}" else "",
                        _cell(people.get(on_behalf_of, on_behalf_of)) if on_behalf_of else "",
                    )
                )
                if n % 1000 == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue()
        finally:
            rows.close()  # ends the export's own session, even when the client went away

    # The request's own session is done: give its connection back before the long stream
    # (the export reads on a session of its own, closed when the stream ends).
    db.session().close()
    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="nhat-ky.csv"',
            "Content-Type": "text/csv; charset=utf-8",
        },
    )
