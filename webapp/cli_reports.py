"""`pheduyet report PLAN`: the results report of a plan as .docx, .xlsx or HTML.

Every failure ends with one line "Lỗi: …" on stderr and a non-zero exit, never a
traceback: options are validated here rather than by click's types, whose errors print a
usage block.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from webapp import db
from webapp.cli import fail, one_line_errors
from workflow.reads import reporting

FORMATS = ("docx", "xlsx", "html")


def default_filename(plan_code: str, day, fmt: str) -> str:
    safe = re.sub(r"[^0-9A-Za-z._-]+", "-", plan_code).strip("-.") or "ke-hoach"
    return f"bao-cao-{safe}-{day.isoformat()}.{fmt}"


def render(report: reporting.PlanReport, fmt: str) -> bytes:
    if fmt == "docx":
        from documents.report_docx import render_docx

        return render_docx(report)
    if fmt == "xlsx":
        from documents.report_xlsx import render_xlsx

        return render_xlsx(report)
    from documents.report_html import render_html_document

    return render_html_document(report).encode("utf-8")


@click.command("report")
@click.argument("plan_ref", metavar="PLAN")
@click.option("--from", "date_from", help="first day (YYYY-MM-DD or dd/mm/yyyy)")
@click.option("--to", "date_to", help="last day (default: today)")
@click.option("--format", "fmt", default="docx", show_default=True, help="docx, xlsx or html")
@click.option("--output", "-o", help="file to write (default: bao-cao-<plan>-<date>.<format>)")
@with_appcontext
@one_line_errors
def report_command(
    plan_ref: str, date_from: str | None, date_to: str | None, fmt: str, output: str | None
) -> None:
    """Write the results report of PLAN (its code or id) for a date range."""
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        fail(f"định dạng “{fmt}” không hỗ trợ; chọn một trong: {', '.join(FORMATS)}.", 2)
    start = reporting.parse_date(date_from) if date_from else None
    end = reporting.parse_date(date_to) if date_to else None
    session = db.session()
    plan = reporting.find_plan(session, plan_ref)
    report = reporting.report_data(session, plan.id, start, end)
    data = render(report, fmt)
    path = Path(output) if output else Path.cwd() / default_filename(plan.code, report.date_to, fmt)
    try:
        path.write_bytes(data)
    except OSError as error:
        fail(f"không ghi được tệp “{path}”: {error.strerror or error}.")
    click.echo(str(path))


def init_app(app: Flask) -> None:
    app.cli.add_command(report_command)
