"""The JSON API under /api/v1. Placeholder until the API lands."""

from flask import Blueprint

bp = Blueprint("api", __name__)
