"""The HTML pages. Placeholder until the web UI lands."""

from flask import Blueprint

bp = Blueprint("pages", __name__)
