"""The `pheduyet` command line: parse arguments, call workflow/, print.

Every failure ends with one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError

from documents import plan_parser, reading
from webapp import db
from workflow.accounts.users import SYSTEM, create_user
from workflow.core import audit, checkpoints, clock, service
from workflow.core.errors import WorkflowError
from workflow.core.machine import ACTIONS, STATE_LABELS, STATES
from workflow.core.policy import Actor
from workflow.intake import genload, importing, seed
from workflow.items import periodic
from workflow.notify import outbox as notify
from workflow.reads import queries


def fail(message: str, code: int = 1) -> None:
    click.echo(f"Lỗi: {message}", err=True)
    sys.exit(code)


def one_line_errors(command: Callable) -> Callable:
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except WorkflowError as error:
            fail(error.message, 2 if error.http_status in (400, 404) else 1)
        except (OperationalError, ProgrammingError) as error:
            if "no such table" in str(error) or "does not exist" in str(error):
                fail("cơ sở dữ liệu chưa được khởi tạo; hãy chạy `pheduyet db upgrade`.")
            fail(f"lỗi cơ sở dữ liệu: {str(error.orig).splitlines()[0]}")
        except SQLAlchemyError as error:
            fail(f"lỗi cơ sở dữ liệu: {str(error).splitlines()[0]}")
        except ValueError as error:
            fail(str(error), 2)

    return wrapper


def ddmmyyyy(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(c) for c in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))


def short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="do nothing if the database already has users")
@with_appcontext
@one_line_errors
def seed_demo_command(if_empty: bool) -> None:
    """Load the units, demo users and the seed plan (idempotent)."""
    if if_empty and seed.has_users(db.session()):
        click.echo("Cơ sở dữ liệu đã có dữ liệu; không nạp dữ liệu mẫu.")
        return
    report = seed.seed_demo(
        db.session(),
        password=current_app.config["DEMO_PASSWORD"],
        divisions=seed.parse_divisions(current_app.config["DIVISIONS"]),
        password_method=current_app.config["PASSWORD_HASH_METHOD"],
        frequency=current_app.config["REPORT_FREQUENCY"],
    )
    click.echo(
        f"Đơn vị mới: {report.units_created}; người dùng mới: {len(report.users_created)}; "
        f"kế hoạch mẫu: {'đã nạp' if report.plan_created else 'đã có sẵn'}."
    )
    if report.users_created:
        click.echo("Tài khoản: " + ", ".join(report.users_created))
    if report.password:
        click.echo(f"Mật khẩu chung của các tài khoản mẫu (chỉ in một lần): {report.password}")


@click.command("tasks")
@format_option
@with_appcontext
@one_line_errors
def tasks_command(fmt: str) -> None:
    """The plan's tasks: lead units, timing, state, deliverables approved/total."""
    rows = queries.task_rows(db.session())
    if fmt == "json":
        emit_json(
            [
                {**r.__dict__, "due_date": r.due_date.isoformat() if r.due_date else None}
                for r in rows
            ]
        )
        return
    print_table(
        ["Số", "Nhiệm vụ", "Chủ trì", "Thời hạn", "Trạng thái", "Sản phẩm"],
        [
            (
                r.number,
                short(r.title, 50),
                short("; ".join(r.lead_units), 40),
                ddmmyyyy(r.due_date) or r.timing_text,
                STATE_LABELS[r.state],
                f"{r.approved}/{r.total}",
            )
            for r in rows
        ],
    )


@click.command("deliverables")
@click.option("--task", "task_number", type=int, help="task number")
@click.option("--state", type=click.Choice(STATES))
@click.option("--unit", help="unit code or full name")
@format_option
@with_appcontext
@one_line_errors
def deliverables_command(
    task_number: int | None, state: str | None, unit: str | None, fmt: str
) -> None:
    """Deliverables, filtered by task, state and unit."""
    session = db.session()
    unit_id = queries.unit_by_code_or_name(session, unit).id if unit else None
    rows = queries.deliverable_rows(session, task_number=task_number, state=state, unit_id=unit_id)
    if fmt == "json":
        emit_json(
            [
                {
                    "id": d.id,
                    "task": n,
                    "unit": u,
                    "kind": d.kind,
                    "title": d.title,
                    "state": d.state,
                    "version": d.version,
                    "due_date": d.due_date.isoformat() if d.due_date else None,
                }
                for d, n, u in rows
            ]
        )
        return
    print_table(
        ["ID", "NV", "Đơn vị", "Loại", "Tiêu đề", "Trạng thái", "Phiên bản", "Hạn"],
        [
            (
                d.id,
                n,
                short(u, 30),
                d.kind,
                short(d.title, 50),
                STATE_LABELS[d.state],
                d.version,
                ddmmyyyy(d.due_date),
            )
            for d, n, u in rows
        ],
    )


@click.command("act")
@click.option("--as", "username", required=True, help="the user who acts")
@click.option("--task", "task_number", type=int, help="task number")
@click.option("--deliverable", "deliverable_id", type=int, help="deliverable id")
@click.option("--reason", help="required for return, send_back and reopen")
@click.option("--version", "expected_version", type=int, help="refuse if the item changed since")
@click.option("--on-behalf-of", help="act with this user's delegation (ủy quyền)")
@click.argument("action", type=click.Choice(ACTIONS))
@with_appcontext
@one_line_errors
def act_command(
    username: str,
    task_number: int | None,
    deliverable_id: int | None,
    reason: str | None,
    expected_version: int | None,
    on_behalf_of: str | None,
    action: str,
) -> None:
    """Take a workflow ACTION on a task or deliverable, as a user (through perform)."""
    if (task_number is None) == (deliverable_id is None):
        fail("chọn đúng một trong --task N hoặc --deliverable ID.", 2)
    session = db.session()
    actor = Actor.of(queries.user_by_username(session, username))
    item = (
        ("task", queries.task_by_number(session, task_number).id)
        if task_number is not None
        else ("deliverable", deliverable_id)
    )
    outcome = service.perform(
        session,
        actor,
        item,
        action,
        reason=reason,
        expected_version=expected_version,
        client_addr="cli",
        on_behalf_of=on_behalf_of,
    )
    click.echo(
        f"{outcome.kind} {outcome.id}: {STATE_LABELS[outcome.from_state]} → "
        f"{STATE_LABELS[outcome.to_state]} "
        f"(phiên bản {outcome.version}, sự kiện #{outcome.audit_seq})"
    )


def signing_key_path() -> Path:
    return Path(current_app.config["AUDIT_SIGNING_KEY"])


def public_key_path() -> Path:
    configured = current_app.config.get("AUDIT_PUBLIC_KEY")
    return Path(configured) if configured else checkpoints.public_key_path(signing_key_path())


def checkpoints_path() -> Path:
    return Path(current_app.config["AUDIT_CHECKPOINTS"])


def verify_chain(
    checkpoint_file: Path | None, public_key: Path | None
) -> tuple[audit.ChainReport, int | None]:
    """The whole chain in one read snapshot; with checkpoints when a file is given.

    Returns the report and how many checkpoints the file held (None: no file)."""
    if checkpoint_file is not None:
        if not checkpoint_file.is_file():
            raise checkpoints.CheckpointSetupError(
                f"không có tệp điểm kiểm chứng {checkpoint_file}."
            )
        key = checkpoints.load_public_key(public_key or public_key_path())
        signed = checkpoints.read_file(checkpoint_file)
        with audit.read_snapshot(db.database().engine) as conn:
            return checkpoints.verify_with_checkpoints(conn, signed, key), len(signed)
    with audit.read_snapshot(db.database().engine) as conn:
        return audit.verify(conn), None


def verified_line(report: audit.ChainReport, signed: int | None) -> str:
    line = f"Nhật ký nguyên vẹn: {report.checked} sự kiện"
    if signed is not None:
        line += f"; khớp {signed} điểm kiểm chứng đã ký"
    return line + "."


@click.command("verify-audit")
@click.option(
    "--checkpoints",
    "checkpoint_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="the signed checkpoints file (JSON lines); the chain must still extend every one",
)
@click.option(
    "--public-key",
    type=click.Path(dir_okay=False, path_type=Path),
    help="the checkpoints' Ed25519 public key (PEM); default: the configured key's .pub",
)
@with_appcontext
@one_line_errors
def verify_audit_command(checkpoint_file: Path | None, public_key: Path | None) -> None:
    """Recompute the audit chain; exit 1 and name the first bad event if it was tampered with.

    With --checkpoints, also prove that the chain still has, at every signed checkpoint,
    the hash that was signed: a rewrite of the whole chain is found there.
    """
    if public_key is not None and checkpoint_file is None:
        fail("--public-key cần đi cùng --checkpoints TỆP.", 2)
    report, signed = verify_chain(checkpoint_file, public_key)
    if not report.ok:
        fail(report.message)
    click.echo(verified_line(report, signed))


@click.command("audit-keygen")
@with_appcontext
@one_line_errors
def audit_keygen_command() -> None:
    """Create the Ed25519 key that signs audit checkpoints (PHEDUYET_AUDIT_KEY, mode 0600)."""
    path = signing_key_path()
    kid = checkpoints.generate_key(path)
    click.echo(
        f"Đã tạo khóa ký {path} (mã khóa {kid}); khóa công khai: "
        f"{checkpoints.public_key_path(path)}. Giữ khóa ký ngoài cơ sở dữ liệu và kho mã nguồn."
    )


@click.command("audit-checkpoint")
@with_appcontext
@one_line_errors
def audit_checkpoint_command() -> None:
    """Sign the audit chain's head; append it to the write-once file and to the database."""
    path = signing_key_path()
    if not path.exists():
        kid = checkpoints.generate_key(path)
        click.echo(f"Đã tạo khóa ký mới {path} (mã khóa {kid}).")
    checkpoint = checkpoints.create_checkpoint(
        db.database().engine, checkpoints.load_private_key(path), checkpoints_path()
    )
    click.echo(
        f"Điểm kiểm chứng: sự kiện #{checkpoint.seq}, mã băm {checkpoint.hash[:12]}, "
        f"ký lúc {checkpoint.signed_at:%d/%m/%Y %H:%M:%S} UTC, khóa {checkpoint.key_id}; "
        f"đã ghi vào {checkpoints_path()}."
    )


@click.command("gen-load")
@click.option("--plans", type=click.IntRange(1), default=300, show_default=True)
@click.option("--deliverables", type=click.IntRange(0), default=100_000, show_default=True)
@click.option("--events", type=click.IntRange(0), default=1_000_000, show_default=True)
@click.option("--seed", "seed_value", type=int, default=11, show_default=True)
@with_appcontext
@one_line_errors
def gen_load_command(plans: int, deliverables: int, events: int, seed_value: int) -> None:
    """Fill the database to a given size fast (benchmarks, evaluation): plans, tasks,
    deliverables across units and states, and a valid audit chain about `--events` long."""
    report = genload.generate(
        db.session(),
        plans=plans,
        deliverables=deliverables,
        events=events,
        password=current_app.config["DEMO_PASSWORD"],
        password_method=current_app.config["PASSWORD_HASH_METHOD"],
        seed_value=seed_value,
        progress=click.echo,
    )
    click.echo(
        f"Đã tạo {report.plans} kế hoạch, {report.tasks} nhiệm vụ, {report.deliverables} "
        f"sản phẩm, {report.events} sự kiện nhật ký trong {report.seconds} giây."
    )


@click.command("create-user")
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option("--unit", "unit_code", required=True, help="unit code, e.g. vp")
@click.option("--role", "roles", multiple=True, required=True, help="repeat for several roles")
@click.option("--email")
@click.password_option(envvar="PHEDUYET_NEW_PASSWORD")
@with_appcontext
@one_line_errors
def create_user_command(
    username: str,
    full_name: str,
    unit_code: str,
    roles: tuple[str, ...],
    email: str | None,
    password: str,
) -> None:
    """Create a user (the password is asked twice, or read from PHEDUYET_NEW_PASSWORD)."""
    session = db.session()
    user = create_user(
        session,
        username=username,
        full_name=full_name,
        unit_code=unit_code,
        roles=roles,
        password=password,
        email=email,
        password_method=current_app.config["PASSWORD_HASH_METHOD"],
    )
    session.commit()
    click.echo(f"Đã tạo người dùng {user.username} ({', '.join(sorted(user.roles))}).")


@click.command("import-plan")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="show what was found; create nothing")
@click.option("--create-units", is_flag=True, help="create the units the organisation lacks")
@click.option("--default-lead", help="unit code that leads tasks the document gives no lead")
@click.option("--as", "username", help="the administrator importing (default: system)")
@format_option
@with_appcontext
@one_line_errors
def import_plan_command(
    path: str,
    dry_run: bool,
    create_units: bool,
    default_lead: str | None,
    username: str | None,
    fmt: str,
) -> None:
    """Import a plan from text (PDF or web copy) or .docx: its tasks, units and deadlines."""
    session = db.session()
    try:
        source = reading.read_path(path)
        known = importing.known_units(session) or None
        parsed = plan_parser.parse_plan(source, known)
    except reading.PlanImportError as error:
        fail(error.message, 2)
    if dry_run:
        if fmt == "json":
            emit_json(parsed)
            return
        click.echo(f"Mã hóa: {source.encoding or source.kind}. {parsed['plan'].get('title')}")
        print_table(
            ["Số", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Thời hạn"],
            [
                (
                    t["number"],
                    short(t["title"], 40),
                    short("; ".join(u["name"] for u in t["lead_units"]), 30),
                    short("; ".join(u["name"] for u in t["coordinating_units"]), 30),
                    (t["timing"] or {}).get("text") or "",
                )
                for t in parsed["tasks"]
            ],
        )
        if parsed["unplaced"]:
            click.echo(f"Chưa xếp được {len(parsed['unplaced'])} đoạn văn bản.")
        return
    actor = Actor.of(queries.user_by_username(session, username)) if username else SYSTEM
    data = Path(path).read_bytes()
    plan = importing.import_plan(
        session,
        actor,
        parsed,
        source_name=Path(path).name,
        sha256=hashlib.sha256(data).hexdigest(),
        source_text=source.text or "",
        create_units=create_units,
        default_lead=default_lead,
    )
    genload.refresh_statistics(session, genload.PLAN_TABLES)
    click.echo(f"Đã nhập kế hoạch {plan.code}: {len(parsed['tasks'])} nhiệm vụ.")


@click.command("periodic-reports")
@click.option("--plan", "plan_code", help="plan code (default: the first plan)")
@click.option(
    "--frequency",
    type=click.Choice(sorted(periodic.FREQUENCIES)),
    default="monthly",
    show_default=True,
)
@with_appcontext
@one_line_errors
def periodic_reports_command(plan_code: str | None, frequency: str) -> None:
    """Create the missing periodic reports of a plan's "Thường xuyên" tasks (idempotent)."""
    session = db.session()
    plan = queries.plan_by_code(session, plan_code) if plan_code else queries.default_plan(session)
    if plan is None:
        fail("chưa có kế hoạch nào.")
    created = periodic.ensure_periodic_reports(session, plan.id, frequency)
    click.echo(f"Đã tạo {created} báo cáo định kỳ mới.")


def smtp_settings() -> notify.SmtpSettings:
    config = current_app.config
    return notify.SmtpSettings(
        host=config["SMTP_HOST"],
        port=config["SMTP_PORT"],
        username=config["SMTP_USERNAME"],
        password=config["SMTP_PASSWORD"],
        starttls=config["SMTP_STARTTLS"],
        sender=config["MAIL_FROM"],
    )


@click.command("send-mail")
@click.option("--limit", type=int, default=200, show_default=True)
@with_appcontext
@one_line_errors
def send_mail_command(limit: int) -> None:
    """Send the outbox's due messages (failures are retried later, with back-off)."""
    sent, failed = notify.send_pending(db.session(), smtp_settings(), limit=limit)
    click.echo(f"Đã gửi {sent} thư; chưa gửi được {failed} thư (sẽ thử lại).")
    if failed and not sent:
        sys.exit(1)


@click.command("remind")
@click.option(
    "--date", "on_date", help="as of this date (dd/mm/yyyy or YYYY-MM-DD); today if omitted"
)
@with_appcontext
@one_line_errors
def remind_command(on_date: str | None) -> None:
    """Queue reminders of due-soon and overdue items, and escalate long-overdue ones (cron)."""
    today = parse_date(on_date) if on_date else clock.today_local()
    report = notify.remind(
        db.session(),
        today=today,
        due_soon_days=current_app.config["REMIND_DUE_SOON_DAYS"],
        escalate_after_days=current_app.config["REMIND_ESCALATE_AFTER_DAYS"],
    )
    click.echo(
        f"Nhắc hạn ngày {today:%d/%m/%Y}: {report.units} đơn vị, {report.messages} thư, "
        f"{report.escalated_items} sản phẩm báo Văn phòng. Chạy `pheduyet send-mail` để gửi."
    )
    # The daily proof that the audit chain still extends every signed checkpoint, when the
    # checkpoint file and the public key are there.
    if checkpoints_path().is_file() and public_key_path().is_file():
        chain, signed = verify_chain(checkpoints_path(), public_key_path())
        if not chain.ok:
            fail(chain.message)
        click.echo(verified_line(chain, signed))


def parse_date(text: str) -> date:
    """dd/mm/yyyy (as users write it) or YYYY-MM-DD."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise ValueError(f"ngày không hợp lệ: “{text}” (dd/mm/yyyy).")


COMMANDS = (
    import_plan_command,
    periodic_reports_command,
    send_mail_command,
    remind_command,
    seed_demo_command,
    tasks_command,
    deliverables_command,
    act_command,
    verify_audit_command,
    audit_keygen_command,
    audit_checkpoint_command,
    create_user_command,
    gen_load_command,
)


def init_app(app: Flask) -> None:
    from webapp import cli_ops, cli_reports

    for command in COMMANDS:
        app.cli.add_command(command)
    cli_reports.init_app(app)
    cli_ops.init_app(app)


def main() -> None:
    from webapp import create_app

    FlaskGroup(create_app=create_app, help="pheduyet: kế hoạch, nhiệm vụ và phê duyệt.")()
