"""API bearer tokens: issued on a correct password, stored as SHA-256, expiring, revocable.

The token itself is shown once, to the caller of `issue`, and never stored. The password
check and the limit on failed attempts are the sign-in page's (`accounts_throttle`), so
both doors share one count of failures per account and per address.
No Flask here: the API passes its configuration in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import ApiToken, User, utcnow
from workflow.accounts import throttle as accounts_throttle
from workflow.core import audit
from workflow.core.errors import WorkflowError
from workflow.core.policy import Actor
from workflow.core.transaction import write_transaction

TOKEN_BYTES = 32
DEFAULT_HOURS = 12
MAX_USERNAME = 80
MAX_PASSWORD = 1024

# One message for a wrong username, a wrong password and an inactive account.
BAD_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."


class BadCredentials(WorkflowError):
    code = "invalid_credentials"
    http_status = 401


class TooManyAttempts(WorkflowError):
    """Too many failed sign-ins lately; `retry_after` seconds until the next try."""

    code = "too_many_attempts"
    http_status = 429


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once
    token_id: int
    user_id: int
    expires_at: datetime  # naive UTC, like every stored time


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue(
    session: Session,
    username: str,
    password: str,
    *,
    hours: int = DEFAULT_HOURS,
    client_addr: str | None = None,
    password_method: str | None = None,
    now: datetime | None = None,
) -> IssuedToken:
    """A new token if the password is right and the account active; audited, commits.

    Raises BadCredentials (one message whatever was wrong) or TooManyAttempts.
    """
    if len(password) > MAX_PASSWORD:
        password = ""  # never hash megabytes; counts as a wrong password
    result = accounts_throttle.attempt_sign_in(
        session,
        username[:MAX_USERNAME],
        password,
        client_addr or "",
        password_method=password_method,
        now=now,
        via="api",
    )
    if result.error == accounts_throttle.THROTTLED:
        raise TooManyAttempts(
            f"Đăng nhập sai quá nhiều lần; hãy thử lại sau {result.wait_seconds} giây.",
            retry_after=result.wait_seconds,
        )
    if result.user is None:
        raise BadCredentials(BAD_CREDENTIALS)
    user_id = result.user.id
    now = now or utcnow()
    with write_transaction(session) as write:
        conn, head = write.conn, write.head
        user = session.get(User, user_id)
        row = ApiToken(
            user_id=user_id,
            token_hash=hash_token(token := secrets.token_urlsafe(TOKEN_BYTES)),
            created_at=now,
            expires_at=now + timedelta(hours=max(1, int(hours))),
        )
        session.add(row)
        session.flush()
        audit.append(
            conn,
            head,
            item_type="user",
            item_id=user_id,
            action="api_token_issue",
            client_addr=client_addr,
            detail={"token_id": row.id, "expires_at": row.expires_at.isoformat() + "Z"},
            **audit.actor_fields(Actor.of(user)),
        )
        issued = IssuedToken(token, row.id, user_id, row.expires_at)
    return issued


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
        raise BadCredentials("Mã truy cập không hợp lệ hoặc đã bị hủy.")
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
    with write_transaction(session) as write:
        conn, head = write.conn, write.head
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
