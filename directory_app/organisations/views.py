"""The public directory: search and organisation pages."""

from flask import Blueprint

bp = Blueprint("organisations", __name__)
