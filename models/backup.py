"""Backing up and restoring the whole database (no Flask).

SQLite: the online backup API copies a consistent snapshot while the app keeps writing
(one read transaction for the whole copy), into a single self-contained file. PostgreSQL:
`pg_dump --format=custom` and `pg_restore`. A restore refuses to overwrite a database that
holds data unless told to (`force`), checks the backup before touching anything, and
replaces the database whole (no table of the old one is left beside the restored ones).

Every failure is a `BackupError` with a one-line Vietnamese message.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
KEEP_EMPTY = {"alembic_version"}  # a migrated database with no data is still "empty"


class BackupError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def backup(engine: Engine, target: str | Path) -> Path:
    """Write a backup of the engine's database to `target` (replaced whole, atomically)."""
    target = Path(target).resolve()
    if target.is_dir():
        raise BackupError(f"{target} là một thư mục; hãy cho tên tệp sao lưu.")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    # Readable by its owner only, from its first byte: it holds password hashes, token
    # records and the whole trail (as the secret key and the signing key are kept).
    os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        if engine.dialect.name == "sqlite":
            _backup_sqlite(_sqlite_path(engine), tmp)
        elif engine.dialect.name == "postgresql":
            _backup_postgres(engine.url, tmp)
        else:
            raise BackupError(f"chưa hỗ trợ sao lưu cơ sở dữ liệu {engine.dialect.name}.")
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def restore(engine: Engine, source: str | Path, force: bool = False) -> None:
    """Replace the engine's database with the backup `source`."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"không tìm thấy tệp sao lưu {source}.")
    with source.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    dialect = engine.dialect.name
    if dialect == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source} không phải bản sao lưu SQLite (cơ sở dữ liệu là SQLite).")
        _check_sqlite_backup(source)
    elif dialect == "postgresql":
        if not head.startswith(PG_MAGIC):
            raise BackupError(
                f"{source} không phải bản sao lưu pg_dump (cơ sở dữ liệu là PostgreSQL)."
            )
        _run(_pg_tool("pg_restore"), "--list", str(source), env=_pg_env(engine.url))
    else:
        raise BackupError(f"chưa hỗ trợ phục hồi cơ sở dữ liệu {dialect}.")
    if not force and holds_data(engine):
        raise BackupError(
            "cơ sở dữ liệu đích đang có dữ liệu; thêm --yes để ghi đè toàn bộ bằng bản sao lưu."
        )
    engine.dispose()  # no pooled connection of ours holds a lock during the restore
    if dialect == "sqlite":
        _restore_sqlite(source, _sqlite_path(engine))
    else:
        _restore_postgres(engine, source)
    engine.dispose()


def holds_data(engine: Engine) -> bool:
    """Whether any table (but Alembic's own) has a row."""
    with engine.connect() as conn:
        names = [n for n in inspect(conn).get_table_names() if n not in KEEP_EMPTY]
        quote = conn.dialect.identifier_preparer.quote
        return any(
            conn.execute(text(f"SELECT EXISTS (SELECT 1 FROM {quote(n)})")).scalar() for n in names
        )


# --- SQLite -------------------------------------------------------------------------------


def _sqlite_path(engine: Engine) -> Path:
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        raise BackupError("chỉ sao lưu được cơ sở dữ liệu SQLite nằm trong một tệp.")
    return Path(path).resolve()


def _copy_sqlite(source: Path, target: Path, journal_mode: str, failed: str, broken: str) -> None:
    """All of `source`'s pages into `target` in one step (one consistent snapshot, taken
    under the target's write lock), in `journal_mode`; then checked. `failed` and `broken`
    are the errors' wording."""
    try:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(target, timeout=30)
            try:
                src.backup(dst)
                dst.execute(f"PRAGMA journal_mode={journal_mode}")
                ok = dst.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as error:
        raise BackupError(f"{failed} thất bại: {error}.") from error
    if ok != "ok":
        raise BackupError(f"{broken}: {ok}.")


def _backup_sqlite(path: Path, tmp: Path) -> None:
    if not path.is_file():
        raise BackupError(f"không tìm thấy cơ sở dữ liệu {path}.")
    # DELETE: the backup is one self-contained file
    _copy_sqlite(path, tmp, "DELETE", "sao lưu SQLite", "bản sao lưu vừa tạo không nguyên vẹn")


def _check_sqlite_backup(source: Path) -> None:
    try:
        conn = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
            has_schema = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_event'"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise BackupError(f"không đọc được bản sao lưu {source}: {error}.") from error
    if ok != "ok":
        raise BackupError(f"bản sao lưu {source} bị hỏng: {ok}.")
    if not has_schema:
        raise BackupError(f"{source} không phải bản sao lưu của pheduyet (không có nhật ký).")


def _restore_sqlite(source: Path, path: Path) -> None:
    """Copy the backup's pages into the database file in place (under its write lock), so
    the file, its WAL mode and anything that has it open stay valid."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _copy_sqlite(
        source, path, "WAL", "phục hồi SQLite", "cơ sở dữ liệu sau phục hồi không nguyên vẹn"
    )


# --- PostgreSQL ---------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    """pg_dump / pg_restore: on PATH, else the newest of Debian's /usr/lib/postgresql/*."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if candidates:
        return candidates[-1]
    raise BackupError(f"không tìm thấy {name}; hãy cài gói postgresql-client.")


def _pg_env(url: URL) -> dict[str, str]:
    """libpq's settings for the URL (the password never on a command line)."""
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            env[key] = str(value)
    return env


def _run(*args: str, env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        detail = lines[0] if lines else f"mã thoát {result.returncode}"
        raise BackupError(f"{Path(args[0]).name} thất bại: {detail}")


def _backup_postgres(url: URL, tmp: Path) -> None:
    _run(
        _pg_tool("pg_dump"),
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        f"--file={tmp}",
        env=_pg_env(url),
    )


def _restore_postgres(engine: Engine, source: Path) -> None:
    """An empty public schema, then everything from the dump, in ONE transaction: if any
    part fails (a dropped connection, a full disk), the database is left as it was, never
    empty. pg_restore writes the dump as SQL; psql runs it after the DROP/CREATE, all
    inside --single-transaction, stopping at the first error."""
    env = _pg_env(engine.url)
    dump = subprocess.Popen(
        [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--clean", "--if-exists"]
        + ["--file=-", str(source)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        applied = subprocess.run(
            [
                _pg_tool("psql"),
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                "--command=SET lock_timeout = '30s'",  # an app still running: fail
                "--command=DROP SCHEMA IF EXISTS public CASCADE",
                "--command=CREATE SCHEMA public",
                "--file=-",
                f"--dbname={engine.url.database}",
            ],
            env=env,
            stdin=dump.stdout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        assert dump.stdout is not None
        dump.stdout.close()
        dump_error = dump.stderr.read().decode(errors="replace") if dump.stderr else ""
        dump.wait()
    for name, code, stderr in (  # psql first: when it stops, pg_restore gets SIGPIPE
        ("psql", applied.returncode, applied.stderr),
        ("pg_restore", dump.returncode, dump_error),
    ):
        if code != 0:
            lines = [line for line in stderr.splitlines() if line.strip()]
            raise BackupError(f"{name} thất bại: {lines[0] if lines else f'mã thoát {code}'}")
