"""Signing in: the password check and the limit on failed attempts (no Flask).

Failed attempts are rows of `LoginFailure`. An account is refused for a while after
ACCOUNT_LIMIT failures within WINDOW, and a client address after ADDRESS_LIMIT failures
(higher: a whole office may share one address). The answer for a wrong username and for
a wrong password is the same, and takes about the same time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from models import LoginFailure, User, utcnow
from models.database import begin_write
from workflow.accounts import PASSWORD_METHOD, password_matches

ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW = timedelta(minutes=15)
KEEP = timedelta(days=2)  # failures older than this are deleted as new ones arrive

THROTTLED, BAD_CREDENTIALS, INACTIVE = "throttled", "bad_credentials", "inactive"


def wait_minutes(
    failures: Iterable[datetime], now: datetime, limit: int, window: timedelta = WINDOW
) -> int:
    """Whole minutes until one more attempt is allowed; 0 when it is allowed now.

    Blocked while `limit` failures or more lie within `window` before `now`; the block
    ends when the limit-th most recent of them leaves the window.
    """
    recent = sorted((t for t in failures if now - window < t <= now), reverse=True)
    if len(recent) < limit:
        return 0
    release = recent[limit - 1] + window
    return max(1, math.ceil((release - now).total_seconds() / 60))


def _normal(username: str) -> str:
    return (username or "").strip().lower()[:80]


def blocked_for(
    session: Session, username: str, client_addr: str, now: datetime | None = None
) -> int:
    """Minutes the account or the address must still wait (0: may try now). Two queries."""
    now = now or utcnow()
    since = now - WINDOW
    by_account = session.execute(
        select(LoginFailure.created_at)
        .where(LoginFailure.username == _normal(username), LoginFailure.created_at > since)
        .order_by(LoginFailure.created_at.desc())
        .limit(ACCOUNT_LIMIT)
    ).scalars()
    by_address = session.execute(
        select(LoginFailure.created_at)
        .where(LoginFailure.client_addr == client_addr[:64], LoginFailure.created_at > since)
        .order_by(LoginFailure.created_at.desc())
        .limit(ADDRESS_LIMIT)
    ).scalars()
    return max(
        wait_minutes(list(by_account), now, ACCOUNT_LIMIT),
        wait_minutes(list(by_address), now, ADDRESS_LIMIT),
    )


def record_failure(
    session: Session, username: str, client_addr: str, now: datetime | None = None
) -> None:
    now = now or utcnow()
    begin_write(session)
    session.execute(delete(LoginFailure).where(LoginFailure.created_at < now - KEEP))
    session.add(
        LoginFailure(username=_normal(username), client_addr=client_addr[:64], created_at=now)
    )
    session.commit()


def clear_failures(session: Session, username: str) -> None:
    """After a successful sign-in the account starts afresh (the address does not)."""
    begin_write(session)
    session.execute(delete(LoginFailure).where(LoginFailure.username == _normal(username)))
    session.commit()


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not-a-password", method=method)


@dataclass(frozen=True)
class SignIn:
    user: User | None  # set only when the sign-in succeeded
    error: str | None = None  # THROTTLED | BAD_CREDENTIALS | INACTIVE
    wait_minutes: int = 0


def attempt_sign_in(
    session: Session,
    username: str,
    password: str,
    client_addr: str,
    *,
    password_method: str | None = None,
    now: datetime | None = None,
) -> SignIn:
    """Check the limit, then the password, then that the account is active; commits."""
    client_addr = client_addr or "unknown"
    wait = blocked_for(session, username, client_addr, now)
    if wait:
        session.rollback()
        return SignIn(None, THROTTLED, wait)
    user = session.execute(select(User).where(User.username == _normal(username))).scalar()
    if user is None:
        check_password_hash(_dummy_hash(password_method or PASSWORD_METHOD), password or "")
        ok = False
    else:
        ok = password_matches(user, password or "")
    if not ok:
        record_failure(session, username, client_addr, now)
        return SignIn(None, BAD_CREDENTIALS)
    if not user.active:
        record_failure(session, username, client_addr, now)
        return SignIn(None, INACTIVE)
    clear_failures(session, username)
    return SignIn(user)
