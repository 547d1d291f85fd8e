"""Sign in and out, and change one's own password (Flask-Login).

The signed-in user is a plain `SignedInUser` built from the database on every request.
Its id — kept in the session and in the remember-me cookie — carries the user's
`session_generation` (and a digest of the password hash): sign-out, a password change,
(de)activation and a change of roles raise the generation (workflow/accounts.py), so every
cookie issued before stops working, even a copy replayed from elsewhere. The rules for
signing in (throttling, one answer for a wrong name or password, inactive accounts, the
trail) are in workflow/accounts_throttle.py.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from models import User
from webapp import db
from webapp.extensions import login_manager
from workflow.accounts import throttle
from workflow.accounts import users as accounts
from workflow.core.errors import InvalidInput
from workflow.core.policy import ROLE_LABELS, Actor

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


def _session_key(user: User) -> str:
    """Changes when the password changes, so old sessions stop working."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


class SignedInUser(UserMixin):
    def __init__(self, user: User) -> None:
        self.id = user.id
        self.username = user.username
        self.full_name = user.full_name
        self.unit_name = user.unit.name if user.unit is not None else ""
        self.roles = sorted(user.roles)
        self.actor = Actor.of(user)
        self._active = bool(user.active)
        self.generation = user.session_generation or 0
        self._key = _session_key(user)

    @property
    def is_active(self) -> bool:
        return self._active

    def get_id(self) -> str:
        return f"{self.id}:{self.generation}:{self._key}"

    @property
    def role_labels(self) -> list[str]:
        return [ROLE_LABELS.get(r, r) for r in self.roles]


@login_manager.user_loader
def load_user(user_id: str) -> SignedInUser | None:
    """The user of a session or remember-me cookie, if that cookie is still current."""
    ident, generation, key = (user_id.split(":") + ["", ""])[:3]
    if not (ident.isdigit() and generation.isdigit()) or len(ident) > 10:
        return None
    user = db.session().execute(select(User).where(User.id == int(ident))).scalar()
    if user is None or not user.active or key != _session_key(user):
        return None
    if int(generation) != (user.session_generation or 0):
        return None  # signed out, password changed, (de)activated or roles changed since
    return SignedInUser(user)


def renew_own_session(user_id: int) -> None:
    """After a change that ended the signed-in user's own sessions (their roles), keep this
    browser signed in with the new generation; every other session stays ended."""
    user = db.session().get(User, user_id, populate_existing=True)
    if user is not None and user.active:
        login_user(SignedInUser(user))


class LoginForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên máy này (7 ngày)"), default=False)


class LogoutForm(FlaskForm):
    pass


class PasswordForm(FlaskForm):
    old_password = PasswordField(
        _l("Mật khẩu hiện tại"), validators=[DataRequired(), Length(max=200)]
    )
    new_password = PasswordField(
        _l("Mật khẩu mới (ít nhất 10 ký tự)"), validators=[DataRequired(), Length(max=200)]
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"), validators=[DataRequired(), Length(max=200)]
    )


def client_addr() -> str:
    return (request.remote_addr or "unknown")[:64]


# A browser that signed in before is a known device of those accounts (see
# workflow/accounts_throttle.py): a signed cookie, sent only to /login, with a random
# device id and (digests of) the usernames signed in with it. Someone failing on such an
# account elsewhere, or from the same office address, does not slow that browser down.
DEVICE_COOKIE = "pheduyet_device"
DEVICE_DAYS = 180
DEVICE_ACCOUNTS = 5


def _device_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="pheduyet-known-device")


def _device_cookie() -> dict | None:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or len(raw) > 2000:
        return None
    try:
        data = _device_signer().loads(raw)
    except BadSignature:
        return None
    if not (isinstance(data, dict) and isinstance(data.get("d"), str)):
        return None
    if not isinstance(data.get("u"), list):
        return None
    return data


def _account_tag(username: str) -> str:
    """The cookie names accounts by a digest: anyone at the computer may read it."""
    return hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:16]


def known_device(username: str) -> str | None:
    """The device id of this browser if it signed in to `username` before."""
    data = _device_cookie()
    return data["d"][:32] if data and _account_tag(username) in data["u"] else None


def remember_device(response, username: str):
    data = _device_cookie() or {"d": secrets.token_hex(12), "u": []}
    tag = _account_tag(username)
    names = [tag] + [u for u in data["u"] if u != tag]
    value = _device_signer().dumps({"d": data["d"], "u": names[:DEVICE_ACCOUNTS]})
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_DAYS * 24 * 3600,
        path=url_for("auth.login"),
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        samesite="Lax",
    )
    return response


def safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host, not //host)."""
    if not target:
        return url_for("pages.queue")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("pages.queue")
    if "\\" in target:
        return url_for("pages.queue")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Public. Wrong username and wrong password get the same answer."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    error = None
    if form.validate_on_submit():
        result = throttle.attempt_sign_in(
            db.session(),
            form.username.data,
            form.password.data,
            client_addr(),
            password_method=current_app.config.get("PASSWORD_HASH_METHOD"),
            device=known_device(form.username.data),
        )
        if result.error == throttle.THROTTLED:
            error = _("Đăng nhập sai quá nhiều lần. Thử lại sau %(n)d giây.", n=result.wait_seconds)
            status = 429
        elif result.error == throttle.INACTIVE:
            error = _("Tài khoản này đã bị khóa. Hãy liên hệ quản trị hệ thống.")
            status = 403
        elif result.error is not None or result.user is None:
            error = _("Tên đăng nhập hoặc mật khẩu không đúng.")
            status = 401
        else:
            lang = session.get("lang")
            session.clear()  # a fresh session for the signed-in user (no fixation)
            if lang:
                session["lang"] = lang
            login_user(
                SignedInUser(result.user),
                remember=bool(form.remember.data),
                duration=timedelta(days=7),
            )
            flash(_("Xin chào %(name)s.", name=result.user.full_name), "success")
            response = redirect(safe_next(request.args.get("next")), 303)
            return remember_device(response, result.user.username)
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/logout", methods=["GET", "POST"])
@login_required
def logout():
    """Signed-in users. GET asks to confirm; POST (with the CSRF token) signs out, which
    ends every session, remember-me cookie and API token of the user (audited)."""
    form = LogoutForm()
    if request.method == "POST" and form.validate_on_submit():
        accounts.sign_out(
            db.session(), current_user.id, current_user.generation, client_addr=client_addr()
        )
        lang = session.get("lang")
        logout_user()
        session.clear()
        if lang:
            session["lang"] = lang
        flash(_("Bạn đã đăng xuất."), "info")
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/logout.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Signed-in users, for their own account: the current password, the new one twice.
    Every other session and API token of theirs ends; this browser stays signed in."""
    form = PasswordForm()
    error = None
    status = 200
    if form.validate_on_submit():
        if form.new_password.data != form.confirm.data:
            error, status = _("Hai lần nhập mật khẩu mới không khớp."), 400
        else:
            try:
                user = accounts.change_password(
                    db.session(),
                    current_user.actor,
                    form.old_password.data,
                    form.new_password.data,
                    password_method=current_app.config.get("PASSWORD_HASH_METHOD"),
                    client_addr=client_addr(),
                )
            except throttle.Throttled as refused:
                error, status = (
                    _("Nhập sai quá nhiều lần. Thử lại sau %(n)d giây.", n=refused.seconds),
                    429,
                )
            except InvalidInput as refused:
                error, status = refused.message, 400
            else:
                lang = session.get("lang")
                session.clear()
                if lang:
                    session["lang"] = lang
                login_user(SignedInUser(user))  # the new generation, for this browser only
                flash(
                    _("Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc."),
                    "success",
                )
                return redirect(url_for("pages.queue"), 303)
    elif request.method == "POST":
        status = 400
    return render_template("auth/password.html", form=form, error=error), status
