"""The HTML pages: one blueprint, a module per area.

Every view is signed-in only (`login_required`, and the blueprint refuses anonymous
requests as well), parses its input, calls one function of workflow/ (which checks the
permission and raises NotFound / NotPermitted / InvalidTransition …) and renders plain data.
"""

from flask import Blueprint
from flask_login import current_user

from webapp.extensions import login_manager
from workflow.core import policy

bp = Blueprint("pages", __name__)


@bp.before_request
def signed_in_only():
    """A second guard behind each view's own `login_required`."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.app_context_processor
def navigation() -> dict:
    """What the navigation shows; the views check permissions again on the server."""
    if not current_user.is_authenticated:
        return {"nav": {"audit": False, "admin": False}}
    who = current_user.actor
    return {
        "nav": {
            "audit": policy.can_read_full_audit(who),
            "admin": policy.is_admin(who),
        }
    }


import webapp.pages.commendation  # noqa: E402, F401
import webapp.pages.contributions  # noqa: E402, F401
import webapp.pages.council  # noqa: E402, F401
import webapp.pages.dashboard  # noqa: E402, F401
import webapp.pages.delegations  # noqa: E402, F401
import webapp.pages.fixing  # noqa: E402, F401
import webapp.pages.imports  # noqa: E402, F401
import webapp.pages.labels  # noqa: E402, F401
import webapp.pages.notifications  # noqa: E402, F401
import webapp.pages.regulation  # noqa: E402, F401
import webapp.pages.reports  # noqa: E402, F401
from webapp.pages import admin, audit, files, items, plan, plans, queue  # noqa: E402, F401
