"""The referrals blueprint: district pages, nearest partners, place search, coverage matrix.

Its views live in several modules (views, nearest_views, coverage_views), each registering on
this one blueprint; referrals.views imports them all."""

from flask import Blueprint

from directory_app.referrals.links import link_helpers

bp = Blueprint("referrals", __name__)
bp.context_processor(link_helpers)
