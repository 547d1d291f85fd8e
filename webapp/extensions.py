"""Flask extensions, created here and bound to an app in create_app (init_app pattern)."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
