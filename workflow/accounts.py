"""Users: password hashing and creation (audited)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from models import ROLES, Unit, User, UserRole
from models.database import begin_write
from workflow import audit
from workflow.errors import InvalidInput
from workflow.policy import Actor

# scrypt by default; tests may choose a cheaper method through the app's config.
PASSWORD_METHOD = "scrypt"

SYSTEM = Actor(id=0, username="system", unit_id=None, unit_name="", roles=frozenset())


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
) -> User:
    """Create a user and audit it, in the caller's transaction (the caller commits)."""
    username = username.strip().lower()
    if not username or not full_name.strip():
        raise InvalidInput("Tên đăng nhập và họ tên không được để trống.")
    bad = [r for r in roles if r not in ROLES]
    if bad or not roles:
        raise InvalidInput(
            f"Vai trò không hợp lệ: {', '.join(bad) or '(trống)'}; chọn trong: {', '.join(ROLES)}."
        )
    if len(password) < 8:
        raise InvalidInput("Mật khẩu phải có ít nhất 8 ký tự.")
    begin_write(session)
    unit = session.execute(select(Unit).where(Unit.code == unit_code)).scalar_one_or_none()
    if unit is None:
        raise InvalidInput(f"Không có đơn vị mã “{unit_code}”.")
    if session.execute(select(User.id).where(User.username == username)).first():
        raise InvalidInput(f"Tên đăng nhập “{username}” đã có.")
    conn = session.connection()
    head = audit.lock_head(conn)
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
