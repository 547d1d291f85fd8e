"""The results report as printable HTML.

`render_html` returns a fragment (an <article class="report">) for the web app to place in
its own page: no inline style or script, since the app's Content-Security-Policy forbids
them; the look comes from classes (`report`, `report-table`, …) in /static/app.css.
`render_html_document` wraps the fragment in a standalone page for a file on disk (the
command line), with a small stylesheet of its own. Every piece of text is escaped.
"""

from __future__ import annotations

from html import escape

from workflow.core.machine import STATE_LABELS
from workflow.reads.reporting import PlanReport, TaskLine, plan_reference


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _d(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _header(report: PlanReport) -> list[str]:
    plan = report.plan
    day = report.report_date
    place = plan.place or "……"
    return [
        '<header class="report-header">',
        '<div class="report-issuer">',
        f'<p class="report-parent">{_e(plan.parent_body)}</p>' if plan.parent_body else "",
        f'<p class="report-agency"><strong>{_e(plan.agency)}</strong></p>',
        f'<p class="report-number">Số: &nbsp;&nbsp;&nbsp;&nbsp;/BC-{_e(plan.symbol)}</p>',
        "</div>",
        '<div class="report-nation">',
        '<p class="report-country"><strong>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</strong></p>',
        '<p class="report-motto"><strong>Độc lập - Tự do - Hạnh phúc</strong></p>',
        f'<p class="report-date"><em>{_e(place)}, ngày {day.day:02d} tháng '
        f"{day.month:02d} năm {day.year}</em></p>",
        "</div>",
        "</header>",
        '<h1 class="report-title">BÁO CÁO<br>',
        f'<span class="report-subject">{_e(report.title)}</span></h1>',
    ]


def _task(task: TaskLine) -> list[str]:
    out = [
        f'<section class="report-task" id="task-{task.number}">',
        f"<h3>{task.number}. {_e(task.title)}</h3>",
        "<ul>",
        f"<li>Đơn vị chủ trì: {_e(task.leads_text)}</li>",
        f"<li>Thời gian thực hiện: {_e(task.timing_line)}</li>",
        f'<li>Trạng thái: <span class="state state-{_e(task.state)}">'
        f"{_e(task.state_label)}</span>; tiến độ: "
        f'<span class="timeliness timeliness-{_e(task.timeliness)}">'
        f"{_e(task.timeliness_label)}</span></li>",
        f"<li>Sản phẩm đã phê duyệt: {task.approved_count}/{len(task.deliverables)}</li>",
        "</ul>",
    ]
    if not task.done:
        out.append('<p class="report-none">Chưa có sản phẩm được phê duyệt trong kỳ báo cáo.</p>')
    else:
        out.append('<p class="report-done-heading">Kết quả thực hiện:</p>')
        out.append('<ul class="report-done">')
        for item in task.done:
            paragraphs = [line.strip() for line in item.body.splitlines() if line.strip()]
            body = "".join(f"<p>{_e(p)}</p>" for p in paragraphs)
            out.append(
                f"<li><strong>{_e(item.title)}</strong> ({_e(item.unit)}, phê duyệt ngày "
                f"{_d(item.approved_on)}){body}</li>"
            )
        out.append("</ul>")
    out.append("</section>")
    return out


def _summary(report: PlanReport) -> list[str]:
    s = report.summary
    states = ", ".join(f"{STATE_LABELS[k]} {n}" for k, n in s.tasks_by_state if n)
    rows = [
        "<tr>"
        f'<td class="num">{t.number}</td>'
        f"<td>{_e(t.title)}</td>"
        f"<td>{_e(t.leads_text)}</td>"
        f'<td class="date">{_e(t.deadline_text)}</td>'
        f"<td>{_e(t.state_label)}</td>"
        f'<td class="timeliness-{_e(t.timeliness)}">{_e(t.timeliness_label)}</td>'
        "</tr>"
        for t in report.tasks
    ]
    return [
        '<section class="report-summary">',
        "<h2>II. TỔNG HỢP</h2>",
        "<ul>",
        f"<li>Nhiệm vụ: {s.tasks_total}; trong đó: {_e(states)}.</li>",
        f"<li>Sản phẩm: đã phê duyệt {s.deliverables_approved}/{s.deliverables_total} "
        f"(trong kỳ báo cáo: {s.deliverables_approved_in_range}); đúng hạn {s.on_time}, "
        f"trễ hạn {s.late}, quá hạn {s.overdue}, chưa đến hạn {s.pending}.</li>",
        "</ul>",
        '<table class="report-table">',
        "<thead><tr><th>STT</th><th>Nhiệm vụ</th><th>Đơn vị chủ trì</th><th>Thời hạn</th>"
        "<th>Trạng thái</th><th>Đúng hạn/Trễ hạn</th></tr></thead>",
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
        "</section>",
    ]


def _footer(report: PlanReport) -> list[str]:
    plan = report.plan
    parent = f"- {plan.parent_short} (b/c);" if plan.parent_short else "- Cơ quan cấp trên (b/c);"
    name = (
        f'<p class="report-signer-name"><strong>{_e(report.signer_name)}</strong></p>'
        if report.signer_name
        else ""
    )
    return [
        f'<p class="report-closing">Trên đây là báo cáo kết quả thực hiện '
        f"{_e(plan_reference(plan))} của {_e(plan.agency_name or plan.issuer)}./.</p>",
        '<footer class="report-footer">',
        '<div class="report-recipients">',
        "<p><strong><em>Nơi nhận:</em></strong></p>",
        "<ul>",
        f"<li>{_e(parent)}</li>",
        "<li>- GĐ, các PGĐ Sở;</li>",
        "<li>- Lưu: VT, VP.</li>",
        "</ul>",
        "</div>",
        '<div class="report-signature">',
        f'<p class="report-signer-title"><strong>{_e(report.signer_title)}</strong></p>',
        '<div class="report-signature-space"></div>',
        name,
        "</div>",
        "</footer>",
    ]


def render_html(report: PlanReport) -> str:
    """The report as an HTML fragment: <article class="report">…</article>."""
    plan = report.plan
    parent = f" (triển khai {_e(plan.parent_ref)})" if plan.parent_ref else ""
    parts = [
        f'<article class="report" lang="vi" data-plan="{_e(plan.code)}">',
        *_header(report),
        f'<p class="report-intro">Thực hiện {_e(plan_reference(plan))}{parent}, '
        f"{_e(plan.agency_name or plan.issuer)} báo cáo kết quả thực hiện "
        f"{_e(report.period_text)} như sau:</p>",
        '<section class="report-tasks">',
        "<h2>I. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ</h2>",
    ]
    for task in report.tasks:
        parts.extend(_task(task))
    parts.append("</section>")
    parts.extend(_summary(report))
    parts.extend(_footer(report))
    parts.append(
        f'<p class="report-checkpoint">Điểm kiểm chứng nhật ký: {_e(report.audit_checkpoint)}</p>'
    )
    parts.append("</article>")
    return "\n".join(p for p in parts if p) + "\n"


# For a file opened from disk (no CSP there); the web app uses /static/app.css instead.
_DOCUMENT_CSS = """
body { font-family: "Times New Roman", Times, serif; font-size: 14pt; margin: 0; }
.report { max-width: 165mm; margin: 20mm auto 20mm; padding: 0 15mm 0 30mm; }
.report p { margin: 0.3em 0; text-align: justify; }
.report-header { display: flex; justify-content: space-between; text-align: center; }
.report-header p { text-align: center; margin: 0; }
.report-country { white-space: nowrap; font-size: 13pt; }
.report-issuer { width: 38%; } .report-nation { width: 60%; }
.report-motto strong { border-bottom: 1px solid #000; }
.report-title { text-align: center; font-size: 14pt; margin: 1.5em 0 1em; }
.report h2, .report h3 { font-size: 14pt; margin: 0.8em 0 0.3em; }
.report ul { margin: 0.2em 0; padding-left: 1.5em; }
.report-table { border-collapse: collapse; width: 100%; font-size: 12pt; }
.report-table th, .report-table td {
  border: 1px solid #000; padding: 2pt 4pt; vertical-align: top;
}
.report-table thead { display: table-header-group; }
.report-table tr { page-break-inside: avoid; }
.report-footer { display: flex; justify-content: space-between; margin-top: 1em; }
.report-recipients { width: 45%; font-size: 11pt; }
.report-recipients ul { list-style: none; padding: 0; }
.report-signature { width: 50%; text-align: center; }
.report-signature p { text-align: center; }
.report-signature-space { height: 5em; }
.report-checkpoint { font-size: 9pt; margin-top: 2em; color: #444; }
@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
@media print { .report { margin: 0; padding: 0; max-width: none; } }
"""


def render_html_document(report: PlanReport) -> str:
    """A standalone page around `render_html`, for saving to a file and printing."""
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Báo cáo {_e(report.title)}</title>\n"
        f"<style>{_DOCUMENT_CSS}</style>\n</head>\n<body>\n"
        f"{render_html(report)}</body>\n</html>\n"
    )
