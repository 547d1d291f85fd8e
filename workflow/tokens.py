"""API bearer tokens: issued on a correct password, stored as SHA-256, expiring, revocable.

The token itself is shown once, to the caller of `issue`, and never stored. Failed
attempts are recorded in `LoginFailure` (the table the sign-in page uses too), so too many
wrong passwords for one account or from one address lock both doors for a while.
No Flask here: the API passes its configuration in.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from models import ApiToken, LoginFailure, User, utcnow
from workflow import audit
from workflow.accounts import hash_password, password_matches
from workflow.errors import WorkflowError
from workflow.policy import Actor

TOKEN_BYTES = 32
DEFAULT_HOURS = 12
MAX_FAILURES = 5  # per account, and (times 4) per address, within the window
FAILURE_WINDOW = timedelta(minutes=15)
MAX_USERNAME = 80
MAX_PASSWORD = 1024

# One message for a wrong username, a wrong password and a locked account.
BAD_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."


class BadCredentials(WorkflowError):
    code = "invalid_credentials"
    http_status = 401


class TooManyAttempts(WorkflowError):
    """Too many failed attempts recently; `retry_after` seconds until the next try."""

    code = "too_many_attempts"
    http_status = 429


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once
    token_id: int
    user_id: int
    expires_at: datetime  # naive UTC, like every stored time


_DUMMY_HASHES: dict[str | None, str] = {}


def _dummy_hash(method: str | None) -> str:
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = hash_password(secrets.token_hex(16), method)
    return _DUMMY_HASHES[method]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _retry_after(session: Session, column, value: str, limit: int, now: datetime) -> int | None:
    """Seconds until the failures for `value` drop under `limit`, or None if under it now."""
    since = now - FAILURE_WINDOW
    times = list(
        session.execute(
            select(LoginFailure.created_at)
            .where(column == value, LoginFailure.created_at > since)
            .order_by(LoginFailure.created_at.desc())
            .limit(limit)
        ).scalars()
    )
    if len(times) < limit:
        return None
    oldest_counted = times[-1]
    return max(1, math.ceil((oldest_counted + FAILURE_WINDOW - now).total_seconds()))


def check_throttle(
    session: Session,
    username: str,
    client_addr: str,
    *,
    max_failures: int = MAX_FAILURES,
    now: datetime | None = None,
) -> None:
    """Raise TooManyAttempts when the account or the address failed too often lately."""
    now = now or utcnow()
    waits = [
        _retry_after(session, LoginFailure.username, username, max_failures, now),
        _retry_after(session, LoginFailure.client_addr, client_addr, max_failures * 4, now),
    ]
    wait = max((w for w in waits if w is not None), default=None)
    if wait is not None:
        minutes = max(1, math.ceil(wait / 60))
        raise TooManyAttempts(
            f"Đăng nhập sai quá nhiều lần; hãy thử lại sau {minutes} phút.", retry_after=wait
        )


def issue(
    session: Session,
    username: str,
    password: str,
    *,
    hours: int = DEFAULT_HOURS,
    client_addr: str | None = None,
    max_failures: int = MAX_FAILURES,
    password_method: str | None = None,
    now: datetime | None = None,
) -> IssuedToken:
    """A new token for the user if the password is right and the account active; commits.

    Raises BadCredentials (one message whatever was wrong) or TooManyAttempts.
    """
    now = now or utcnow()
    username = (username or "").strip().lower()[:MAX_USERNAME]
    addr = (client_addr or "")[:64]
    check_throttle(session, username, addr, max_failures=max_failures, now=now)
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if len(password) > MAX_PASSWORD:
        ok = False
    elif user is None:  # spend the same time as for a real account: no username probing
        ok = check_password_hash(_dummy_hash(password_method), password) and False
    else:
        ok = password_matches(user, password) and user.active
    if not ok:
        session.add(LoginFailure(username=username, client_addr=addr, created_at=now))
        session.commit()
        raise BadCredentials(BAD_CREDENTIALS)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = ApiToken(
        user_id=user.id,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + timedelta(hours=max(1, int(hours))),
    )
    try:
        conn = session.connection()
        head = audit.lock_head(conn)
        session.add(row)
        session.flush()
        audit.append(
            conn,
            head,
            item_type="user",
            item_id=user.id,
            action="api_token_issue",
            client_addr=client_addr,
            detail={"token_id": row.id, "expires_at": row.expires_at.isoformat() + "Z"},
            **audit.actor_fields(Actor.of(user)),
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return IssuedToken(token, row.id, user.id, row.expires_at)


def verify(session: Session, token: str, *, now: datetime | None = None) -> tuple[User, int]:
    """(user, token id) for a live token of an active user; BadCredentials otherwise."""
    if not token or len(token) > 256:
        raise BadCredentials("Mã truy cập không hợp lệ.")
    now = now or utcnow()
    found = session.execute(
        select(ApiToken.id, ApiToken.user_id, ApiToken.expires_at, ApiToken.revoked_at).where(
            ApiToken.token_hash == hash_token(token)
        )
    ).first()
    if found is None or found.revoked_at is not None:
        raise BadCredentials("Mã truy cập không hợp lệ hoặc đã bị thu hồi.")
    if found.expires_at <= now:
        raise BadCredentials("Mã truy cập đã hết hạn; hãy đăng nhập lại.")
    user = session.get(User, found.user_id)
    if user is None or not user.active:
        raise BadCredentials("Tài khoản không còn hoạt động.")
    return user, found.id


def revoke(
    session: Session,
    actor: Actor,
    token_id: int,
    *,
    client_addr: str | None = None,
    now: datetime | None = None,
) -> None:
    """Revoke one of the actor's own tokens (idempotent); commits."""
    now = now or utcnow()
    try:
        conn = session.connection()
        head = audit.lock_head(conn)
        changed = conn.execute(
            update(ApiToken.__table__)
            .where(
                ApiToken.id == token_id,
                ApiToken.user_id == actor.id,
                ApiToken.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        ).rowcount
        if changed:
            audit.append(
                conn,
                head,
                item_type="user",
                item_id=actor.id,
                action="api_token_revoke",
                client_addr=client_addr,
                detail={"token_id": token_id},
                **audit.actor_fields(actor),
            )
        session.commit()
    except BaseException:
        session.rollback()
        raise
