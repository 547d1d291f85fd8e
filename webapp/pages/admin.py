"""Administration: users and units. Admins only (workflow.accounts.admin raises NotPermitted)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from webapp import db
from webapp.auth import renew_own_session
from webapp.i18n import role_label
from webapp.pages import bp
from webapp.pages.common import ButtonForm, RolesForm, UserForm, actor, back_to, client_addr
from workflow.accounts import admin as admin_ops
from workflow.core.errors import InvalidInput


def _role_choices(roles) -> list[tuple[str, str]]:
    return [(r, role_label(r)) for r in roles]


@bp.get("/admin")
@login_required
def admin():
    """Admins only (403 for everyone else)."""
    overview = admin_ops.overview(db.session(), actor())
    return render_template(
        "admin/index.html", overview=overview, button=ButtonForm(), me=actor().id
    )


@bp.route("/admin/users/new", methods=["GET", "POST"])
@login_required
def new_user():
    """Admins only (403 for everyone else, also on GET)."""
    back_to(url_for("pages.admin"))
    session = db.session()
    overview = admin_ops.overview(session, actor())
    form = UserForm()
    form.unit.choices = [(u.code, u.name) for u in overview.units]
    form.roles.choices = _role_choices(overview.roles)
    error = None
    if form.validate_on_submit():
        try:
            created = admin_ops.create_user(
                session,
                actor(),
                username=form.username.data,
                full_name=form.full_name.data,
                unit_code=form.unit.data,
                roles=form.roles.data or [],
                password=form.password.data,
                email=form.email.data,
                password_method=current_app.config.get("PASSWORD_HASH_METHOD"),
                client_addr=client_addr(),
            )
        except InvalidInput as refused:
            error = refused.message
        else:
            flash(_("Đã tạo người dùng %(u)s.", u=created.username), "success")
            return redirect(url_for("pages.admin"), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("admin/user_new.html", form=form, error=error), status


@bp.get("/admin/users/<int:user_id>")
@login_required
def user(user_id: int):
    """Admins only."""
    back_to(url_for("pages.admin"))
    row = admin_ops.get_user(db.session(), actor(), user_id)
    form = RolesForm()
    form.roles.choices = _role_choices(admin_ops.ROLES)
    form.roles.data = row.roles
    return render_template("admin/user.html", user=row, form=form, button=ButtonForm())


@bp.post("/admin/users/<int:user_id>/roles")
@login_required
def user_roles(user_id: int):
    """Admins only; an admin cannot drop their own admin role."""
    back_to(url_for("pages.user", user_id=user_id))
    form = RolesForm()
    form.roles.choices = _role_choices(admin_ops.ROLES)
    form.validate()
    row = admin_ops.set_roles(
        db.session(), actor(), user_id, form.roles.data or [], client_addr=client_addr()
    )
    if row.id == actor().id:
        renew_own_session(row.id)  # their other sessions ended; this one goes on
    flash(_("Đã cập nhật vai trò của %(u)s.", u=row.username), "success")
    return redirect(url_for("pages.user", user_id=user_id), 303)


@bp.post("/admin/users/<int:user_id>/deactivate", defaults={"active": False})
@bp.post("/admin/users/<int:user_id>/reactivate", defaults={"active": True})
@login_required
def user_active(user_id: int, active: bool):
    """Admins only; an admin cannot deactivate themselves."""
    back_to(url_for("pages.admin"))
    row = admin_ops.set_active(db.session(), actor(), user_id, active, client_addr=client_addr())
    if active:
        flash(_("Đã mở khóa tài khoản %(u)s.", u=row.username), "success")
    else:
        flash(
            _("Đã khóa tài khoản %(u)s; người này không đăng nhập được nữa.", u=row.username),
            "success",
        )
    return redirect(url_for("pages.admin"), 303)
