"""The accounts blueprint. Its routes live in views (sign in and out), password_views (reset,
invitations, password change) and two_factor_views (the code step, enrolment); the app factory imports
those modules before registering it."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
