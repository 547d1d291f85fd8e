"""Signing in: the password check, the limit on failed attempts, and the trail (no Flask).

Failed attempts are rows of `LoginFailure` (username, client address, time). Throttling
never locks an account: it is a per-attempt delay, and it only ever slows an address on
an account that this address has itself failed on in the last WINDOW:

- one account from one address: after ACCOUNT_LIMIT failures, the next attempt waits
  FIRST_DELAY seconds after the last failure, doubling with each further failure, at most
  MAX_DELAY;
- one address on the accounts it failed on: after ADDRESS_LIMIT failures from the address
  (a whole office may share one address behind NAT), the same growing delay after the
  address's last failure — colleagues signing into other accounts are not slowed;
- one account from every address (a distributed attack): after ACCOUNT_WIDE_LIMIT
  failures, addresses that failed on it wait after the account's last failure — an
  address that has not failed on it (the owner elsewhere) is not slowed.

While a delay runs, the attempt is refused without looking at the password (so a guess
costs the attacker the delay) and is not counted. The owner is therefore never locked out
from a clean address, and from a shared one waits at most MAX_DELAY between tries.

A browser that signed in to the account before presents a known `device` (the web layer
keeps it in a signed cookie): its attempts are counted on their own, as if it were an
address of its own, and the address-wide and account-wide counts do not slow it — so
someone failing on the Director's account from the same office address cannot keep the
Director's own browser out at all.
The answer for a wrong username and for a wrong password is the same, and takes about the
same time. Sign-ins, failed sign-ins and the start of a delay are audit events (never with
a password; an unknown username is not recorded either, it may be a mistyped password).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from models import LoginFailure, User, utcnow
from workflow.accounts.users import PASSWORD_METHOD, password_matches
from workflow.core import audit
from workflow.core.errors import WorkflowError
from workflow.core.policy import Actor
from workflow.core.transaction import Write, write_transaction

ACCOUNT_LIMIT = 5  # one account from one address
ADDRESS_LIMIT = 20  # one address, on the accounts it failed on
ACCOUNT_WIDE_LIMIT = 50  # one account, from the addresses that failed on it
FIRST_DELAY = 5  # seconds
MAX_DELAY = 60  # seconds
WINDOW = timedelta(minutes=15)
KEEP = timedelta(days=2)  # failures older than this are deleted as new ones arrive

THROTTLED, BAD_CREDENTIALS, INACTIVE = "throttled", "bad_credentials", "inactive"

# Who a failed attempt's event names as its actor: nobody signed in.
ANONYMOUS = Actor(id=0, username="anonymous", unit_id=None, unit_name="", roles=frozenset())


class Throttled(WorkflowError):
    """Too many failed attempts lately; `retry_after` seconds until the next try."""

    code = "too_many_attempts"
    http_status = 429

    def __init__(self, seconds: int) -> None:
        super().__init__(
            f"Đăng nhập sai quá nhiều lần. Thử lại sau {seconds} giây.", retry_after=seconds
        )
        self.seconds = seconds


def delay_after(failures: int, limit: int) -> int:
    """Seconds an attempt waits after the last of `failures` (0 below `limit`)."""
    if failures < limit:
        return 0
    return min(MAX_DELAY, FIRST_DELAY * 2 ** min(failures - limit, 8))


def _normal(username: str) -> str:
    return (username or "").strip().lower()[:80]


def _recent(session: Session, since: datetime, limit: int, *where) -> list[datetime]:
    """The newest failures (at most limit + 8, enough to reach MAX_DELAY) matching `where`."""
    return list(
        session.execute(
            select(LoginFailure.created_at)
            .where(*where, LoginFailure.created_at > since)
            .order_by(LoginFailure.created_at.desc())
            .limit(limit + 8)
        ).scalars()
    )


def _key(client_addr: str, device: str | None) -> str:
    """What failures are counted against: the address, or a known device of the account."""
    return f"device:{device}"[:64] if device else (client_addr or "unknown")[:64]


def delay_for(
    session: Session,
    username: str,
    client_addr: str,
    now: datetime | None = None,
    *,
    device: str | None = None,
) -> int:
    """Seconds this address (or known device) must still wait before trying this account
    (0: may try now).

    One query when the address has not failed on the account lately, three otherwise;
    each reads at most a few dozen index rows."""
    now = now or utcnow()
    since = now - WINDOW
    name, addr = _normal(username), _key(client_addr, device)
    pair = _recent(
        session,
        since,
        ACCOUNT_LIMIT,
        LoginFailure.username == name,
        LoginFailure.client_addr == addr,
    )
    if not pair:
        return 0
    if device:
        return _wait(now, ((pair, ACCOUNT_LIMIT),))
    by_address = _recent(session, since, ADDRESS_LIMIT, LoginFailure.client_addr == addr)
    by_account = _recent(session, since, ACCOUNT_WIDE_LIMIT, LoginFailure.username == name)
    return _wait(
        now, ((pair, ACCOUNT_LIMIT), (by_address, ADDRESS_LIMIT), (by_account, ACCOUNT_WIDE_LIMIT))
    )


def _wait(now: datetime, counts) -> int:
    """Whole seconds until the latest release among the limits that are reached. A limit
    not reached never delays: a failure another worker committed after `now` was read
    must not turn into a wait (concurrent attempts read each other's failures)."""
    releases = [
        failures[0] + timedelta(seconds=delay)
        for failures, limit in counts
        if (delay := delay_after(len(failures), limit)) > 0
    ]
    if not releases:
        return 0
    wait = (max(releases) - now).total_seconds()
    return math.ceil(wait) if wait > 0 else 0


def _event(write: Write, action: str, user: User | None, actor: Actor, addr: str, detail: dict):
    write.append(
        item_type="user",
        item_id=user.id if user is not None else None,
        action=action,
        client_addr=addr,
        detail=detail,
        **audit.actor_fields(actor),
    )


def record_failure(
    session: Session,
    username: str,
    client_addr: str,
    now: datetime | None = None,
    *,
    user: User | None = None,
    reason: str = BAD_CREDENTIALS,
    via: str = "web",
    device: str | None = None,
) -> int:
    """Count a failed attempt and audit it ("login_failed", and "login_throttled" when it
    starts a delay); commits. Returns the delay in seconds it starts (0 if none)."""
    now = now or utcnow()
    name, addr = _normal(username), (client_addr or "unknown")[:64]
    key = _key(addr, device)
    user_id = user.id if user is not None else None
    with write_transaction(session) as write:
        user = session.get(User, user_id) if user_id is not None else None
        session.execute(delete(LoginFailure).where(LoginFailure.created_at < now - KEEP))
        session.add(LoginFailure(username=name, client_addr=key, created_at=now))
        session.flush()
        wait = delay_for(session, name, addr, now, device=device)
        detail: dict = {"reason": reason, "via": via}
        if device:
            detail["known_device"] = True
        if user is not None:
            detail["username"] = user.username
        else:
            detail["known_user"] = False
        _event(write, "login_failed", user, ANONYMOUS, addr, detail)
        if wait:
            _event(write, "login_throttled", user, ANONYMOUS, addr, {**detail, "delay_s": wait})
    return wait


def _signed_in(
    session: Session, user: User, client_addr: str, via: str, device: str | None
) -> None:
    """A successful sign-in: this address's (or device's) failures on the account are
    forgotten, not the others' (an attacker elsewhere keeps their delay); audited as
    "login"; commits."""
    addr = (client_addr or "unknown")[:64]
    user_id = user.id
    with write_transaction(session) as write:
        session.execute(
            delete(LoginFailure).where(
                LoginFailure.username == user.username,
                LoginFailure.client_addr == _key(addr, device),
            )
        )
        user = session.get(User, user_id, populate_existing=True)
        detail = {"via": via, **({"known_device": True} if device else {})}
        _event(write, "login", user, Actor.of(user), addr, detail)


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not-a-password", method=method)


@dataclass(frozen=True)
class SignIn:
    user: User | None  # set only when the sign-in succeeded
    error: str | None = None  # THROTTLED | BAD_CREDENTIALS | INACTIVE
    wait_seconds: int = 0


def attempt_sign_in(
    session: Session,
    username: str,
    password: str,
    client_addr: str,
    *,
    password_method: str | None = None,
    now: datetime | None = None,
    via: str = "web",
    device: str | None = None,
) -> SignIn:
    """Check the delay, then the password, then that the account is active; audits and
    commits (`via`: "web" or "api", recorded in the event; `device`: a known device of
    this account that the attempt comes from, see the module's note)."""
    client_addr = client_addr or "unknown"
    wait = delay_for(session, username, client_addr, now, device=device)
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
        record_failure(session, username, client_addr, now, user=user, via=via, device=device)
        return SignIn(None, BAD_CREDENTIALS)
    if not user.active:
        record_failure(
            session, username, client_addr, now, user=user, reason=INACTIVE, via=via,
            device=device,
        )  # fmt: skip
        return SignIn(None, INACTIVE)
    _signed_in(session, user, client_addr, via, device)
    return SignIn(user)
