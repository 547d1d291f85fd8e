"""Sign in and out (Flask-Login).

The signed-in user is a plain `SignedInUser` built from the database on every request
(so a deactivated account or a changed password ends its sessions at once); views take
the engine's view of them from `current_user.actor`. The rules for signing in (throttling,
one answer for a wrong name or password, inactive accounts) are in
workflow/accounts_throttle.py.
"""

from __future__ import annotations

import hashlib
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
from sqlalchemy import select
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from models import User
from webapp import db
from webapp.extensions import login_manager
from workflow import accounts_throttle as throttle
from workflow.policy import ROLE_LABELS, Actor

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
        self._key = _session_key(user)

    @property
    def is_active(self) -> bool:
        return self._active

    def get_id(self) -> str:
        return f"{self.id}:{self._key}"

    @property
    def role_labels(self) -> list[str]:
        return [ROLE_LABELS.get(r, r) for r in self.roles]


@login_manager.user_loader
def load_user(user_id: str) -> SignedInUser | None:
    ident, _, key = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = db.session().execute(select(User).where(User.id == int(ident))).scalar()
    if user is None or not user.active or key != _session_key(user):
        return None
    return SignedInUser(user)


class LoginForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên máy này (7 ngày)"), default=False)


class LogoutForm(FlaskForm):
    pass


def client_addr() -> str:
    return (request.remote_addr or "unknown")[:64]


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
        )
        if result.error == throttle.THROTTLED:
            error = _("Đăng nhập sai quá nhiều lần. Thử lại sau %(n)d phút.", n=result.wait_minutes)
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
            return redirect(safe_next(request.args.get("next")), 303)
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/logout", methods=["GET", "POST"])
@login_required
def logout():
    """Signed-in users. GET asks to confirm; POST (with the CSRF token) signs out."""
    form = LogoutForm()
    if request.method == "POST" and form.validate_on_submit():
        lang = session.get("lang")
        logout_user()
        session.clear()
        if lang:
            session["lang"] = lang
        flash(_("Bạn đã đăng xuất."), "info")
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/logout.html", form=form)
