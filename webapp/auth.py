"""Sign in and out (Flask-Login). Placeholder until the web UI lands."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
