"""Sign in and sign out."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
