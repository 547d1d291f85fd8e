"""Running and looking after a deployment: `serve`, `backup`, `restore`."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any

import click
from flask import Flask
from flask.cli import with_appcontext

from models import backup
from webapp import db
from webapp.cli import fail, one_line_errors


def gunicorn_argv(host: str, port: int, workers: int, threads: int, timeout: int) -> list[str]:
    """The gunicorn command line `serve` runs (extra settings: GUNICORN_CMD_ARGS)."""
    from gunicorn.config import KNOWN_SETTINGS

    # recent gunicorn opens a control socket at one fixed path in $HOME: several servers on
    # one machine would fight over it, and nothing here uses it.
    control = (
        ["--no-control-socket"]
        if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS)
        else []
    )
    return [
        sys.executable,
        "-m",
        "gunicorn",
        f"--bind={host}:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        f"--timeout={timeout}",
        "--graceful-timeout=30",
        "--access-logfile=-",
        *control,
        "webapp.wsgi:app",
    ]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="per worker"
)
@click.option("--timeout", default=120, show_default=True, help="seconds before a stuck worker")
def serve_command(host: str, port: int, workers: int, threads: int, timeout: int) -> None:
    """Serve the app through a production WSGI server: gunicorn with WORKERS processes
    (waitress, threaded, where gunicorn cannot run, i.e. on Windows)."""
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        gunicorn = None
    if gunicorn is not None:
        sys.stdout.flush()
        # gunicorn takes this process's place: signals reach its arbiter directly.
        os.execv(sys.executable, gunicorn_argv(host, port, workers, threads, timeout))
    try:
        from waitress import serve
    except ImportError:
        fail("cần gunicorn (Linux, macOS) hoặc waitress (Windows): pip install gunicorn.")
    from webapp import create_app

    click.echo(f"pheduyet (waitress): http://{host}:{port}/")
    serve(create_app(), host=host, port=port, threads=workers * threads)


def one_line_backup_errors(command: Callable) -> Callable:
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except backup.BackupError as error:
            fail(error.message)

    return wrapper


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
@one_line_errors
@one_line_backup_errors
def backup_command(file: str) -> None:
    """Back up the whole database to FILE, consistent while the app keeps writing
    (SQLite: online backup API; PostgreSQL: pg_dump --format=custom)."""
    path = backup.backup(db.database().engine, file)
    size = path.stat().st_size
    click.echo(f"Đã sao lưu cơ sở dữ liệu vào {path} ({size:,} byte).".replace(",", "."))


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="overwrite a database that already holds data")
@with_appcontext
@one_line_errors
@one_line_backup_errors
def restore_command(file: str, yes: bool) -> None:
    """Replace the database with the backup FILE (made by `pheduyet backup`). Refuses a
    database that holds data unless --yes. Stop the app servers first."""
    backup.restore(db.database().engine, file, force=yes)
    click.echo(
        f"Đã phục hồi cơ sở dữ liệu từ {file}. "
        "Chạy `pheduyet db upgrade` rồi `pheduyet verify-audit` để kiểm tra."
    )


def init_app(app: Flask) -> None:
    for command in (serve_command, backup_command, restore_command):
        app.cli.add_command(command)
