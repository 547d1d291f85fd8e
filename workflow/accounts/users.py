"""Users: password rules and hashing, creation, own password change, sign-out, and ending
every session and API token of a user (all audited).

Sessions end server-side through `User.session_generation`: the web layer puts the
generation into the session and the remember-me cookie at sign-in and refuses a cookie whose
generation is not the user's current one. `end_sessions` raises it and revokes the user's
API tokens; sign-out, a password change, (de)activation and a change of roles call it.
"""

from __future__ import annotations

import re

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from models import ROLES, ApiToken, Unit, User, UserRole, utcnow
from workflow.core import audit, text
from workflow.core.errors import InvalidInput, NotPermitted
from workflow.core.policy import Actor
from workflow.core.transaction import write_transaction

# scrypt by default; tests may choose a cheaper method through the app's config.
PASSWORD_METHOD = "scrypt"

SYSTEM = Actor(id=0, username="system", unit_id=None, unit_name="", roles=frozenset())


MIN_PASSWORD = 10
MAX_PASSWORD = 200
# Refused whatever follows them (digits, punctuation): "password", "Password2025!", …
COMMON_PASSWORDS = frozenset(
    {
        "password", "passw0rd", "p@ssword", "p@ssw0rd", "matkhau", "mat khau", "mat-khau",
        "matkhaumoi", "admin", "administrator", "quantri", "qwerty", "qwertyuiop", "asdfghjkl",
        "zxcvbnm", "azerty", "letmein", "welcome", "iloveyou", "abc", "abcd", "abcdef",
        "abcdefgh", "abcdefghij", "abc@", "123abc", "monkey", "dragon", "football",
        "baseball", "sunshine", "princess", "master", "superman", "trustno", "changeme",
        "secret", "default", "guest", "root", "user", "test", "demo", "pheduyet",
        "vietnam", "hanoi", "saigon", "quangngai", "congthuong", "soct", "sct",
    }
)  # fmt: skip
_TRAILING = re.compile(r"[\d\W_]+$")


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is refused (a Vietnamese sentence), or None when it is acceptable.

    At least MIN_PASSWORD characters; not a common password (with or without digits or
    symbols after it); not the username; not one character repeated or a run like
    "1234567890" / "abcdefghij"; at least four different characters."""
    if len(password) < MIN_PASSWORD:
        return f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự."
    if len(password) > MAX_PASSWORD:
        return f"Mật khẩu không quá {MAX_PASSWORD} ký tự."
    lower = password.lower()
    stem = _TRAILING.sub("", lower)
    name = (username or "").strip().lower()
    if lower in COMMON_PASSWORDS or stem in COMMON_PASSWORDS or (not stem and lower.isdigit()):
        return "Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác."
    if name and (lower == name or stem == name or name in lower and len(name) >= len(lower) - 4):
        return "Mật khẩu không được giống tên đăng nhập."
    steps = {ord(b) - ord(a) for a, b in zip(password, password[1:], strict=False)}
    if len(set(lower)) < 4 or steps <= {1} or steps <= {-1}:
        return "Mật khẩu quá đơn giản (lặp một ký tự hoặc một dãy liên tiếp); hãy chọn khác."
    return None


def check_password_rule(password: str, username: str = "") -> None:
    """InvalidInput with the reason when `password_problem` refuses the password."""
    problem = password_problem(password or "", username)
    if problem:
        raise InvalidInput(problem)


def hash_password(password: str, method: str | None = None) -> str:
    return generate_password_hash(password, method=method or PASSWORD_METHOD)


def password_matches(user: User, password: str) -> bool:
    return bool(user.password_hash) and check_password_hash(user.password_hash, password)


def create_user(
    session: Session,
    *,
    username: str,
    full_name: str,
    unit_code: str,
    roles: list[str] | tuple[str, ...],
    password: str,
    email: str | None = None,
    by: Actor = SYSTEM,
    password_method: str | None = None,
    client_addr: str | None = None,
    demo: bool = False,
) -> User:
    """Create a user and audit it, in the caller's transaction (the caller commits).

    The password must pass `password_problem`; only the demo users of `seed-demo`
    (`demo=True`) are held to the old eight characters."""
    username = text.strip_invisible(username).strip().lower()
    full_name = text.strip_invisible(full_name)
    if not username or not full_name.strip():
        raise InvalidInput("Tên đăng nhập và họ tên không được để trống.")
    bad = [r for r in roles if r not in ROLES]
    if bad or not roles:
        raise InvalidInput(
            f"Vai trò không hợp lệ: {', '.join(bad) or '(trống)'}; chọn trong: {', '.join(ROLES)}."
        )
    if demo:
        if len(password) < 8:
            raise InvalidInput("Mật khẩu phải có ít nhất 8 ký tự.")
    else:
        check_password_rule(password, username)
    with write_transaction(session) as write:
        conn, head = write.conn, write.head
        unit = session.execute(select(Unit).where(Unit.code == unit_code)).scalar_one_or_none()
        if unit is None:
            raise InvalidInput(f"Không có đơn vị mã “{unit_code}”.")
        if session.execute(select(User.id).where(User.username == username)).first():
            raise InvalidInput(f"Tên đăng nhập “{username}” đã có.")
        user = User(
            username=username,
            full_name=full_name.strip(),
            email=email,
            unit=unit,
            password_hash=hash_password(password, password_method),
            role_rows=[UserRole(role=r) for r in sorted(set(roles))],
        )
        session.add(user)
        session.flush()
        audit.append(
            conn,
            head,
            item_type="user",
            item_id=user.id,
            action="create",
            client_addr=client_addr,
            detail={"username": username, "unit": unit.code, "roles": sorted(set(roles))},
            **audit.actor_fields(by),
        )
    return user


# --- ending sessions ------------------------------------------------------------------------


def end_sessions(session: Session, user: User) -> int:
    """Every session, remember-me cookie and API token of `user` stops working; returns the
    number of tokens revoked. In the caller's (write) transaction; the caller audits."""
    user.session_generation = (user.session_generation or 0) + 1
    revoked = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount
    session.flush()
    return revoked


def sign_out(
    session: Session, user_id: int, session_generation: int, *, client_addr: str | None = None
) -> None:
    """Sign-out: ends every session and token of the user, audited as "logout"; commits.

    Nothing happens when `session_generation` is not the current one (the session had
    already ended)."""
    with write_transaction(session) as write:
        conn, head = write.conn, write.head
        user = session.get(User, user_id, populate_existing=True)
        if user is None or user.session_generation != session_generation:
            write.discard()
            return
        revoked = end_sessions(session, user)
        audit.append(
            conn,
            head,
            item_type="user",
            item_id=user.id,
            action="logout",
            client_addr=client_addr,
            detail={"tokens_revoked": revoked},
            **audit.actor_fields(Actor.of(user)),
        )


class WrongPassword(InvalidInput):
    """The current password given to change it is wrong."""

    code = "wrong_password"


def change_password(
    session: Session,
    actor: Actor,
    old_password: str,
    new_password: str,
    *,
    password_method: str | None = None,
    client_addr: str | None = None,
) -> User:
    """The actor changes their own password (the old one is checked, the new one must pass
    the rule); every session and API token of theirs ends. Audited; commits.

    A wrong old password counts as a failed sign-in for throttling (see accounts_throttle),
    so the form cannot be used to guess it."""
    from workflow.accounts import throttle

    addr = client_addr or "unknown"
    user = session.get(User, actor.id)
    if user is None or not user.active:
        raise NotPermitted("Tài khoản không còn hoạt động.")
    wait = throttle.delay_for(session, user.username, addr)
    if wait:
        session.rollback()
        raise throttle.Throttled(wait)
    if not password_matches(user, old_password or ""):
        throttle.record_failure(session, user.username, addr, user=user, reason="password_change")
        raise WrongPassword("Mật khẩu hiện tại không đúng.")
    if new_password == old_password:
        raise InvalidInput("Mật khẩu mới phải khác mật khẩu hiện tại.")
    check_password_rule(new_password, user.username)
    with write_transaction(session) as write:
        conn, head = write.conn, write.head
        user = session.get(User, actor.id, populate_existing=True)
        user.password_hash = hash_password(new_password, password_method)
        revoked = end_sessions(session, user)
        audit.append(
            conn,
            head,
            item_type="user",
            item_id=user.id,
            action="password_change",
            client_addr=client_addr,
            detail={"tokens_revoked": revoked},
            **audit.actor_fields(actor),
        )
    return user
