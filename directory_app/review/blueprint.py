"""The review blueprint and what its views share: who may see a proposal. The organisation of the URL,
checked on the server against the signed-in user (never from a form field), comes from
organisations.editing, as for the edit pages."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from directory_app.accounts.models import Role
from directory_app.accounts.permissions import PermissionDenied, may_publish
from directory_app.organisations.display import template_helpers
from directory_app.organisations.editing import acting_user, editable_organisation
from directory_app.review.models import ChangeProposal

bp = Blueprint("review", __name__)
bp.context_processor(template_helpers)
__all__ = ["acting_user", "bp", "editable_organisation", "may_see_proposal"]


def may_see_proposal(proposal: ChangeProposal) -> bool:
    """The TS sees every proposal; a country contact those of their own country."""
    if may_publish(current_user):
        return True
    return (
        current_user.is_authenticated
        and current_user.role == Role.COUNTRY_CONTACT
        and current_user.country_code == proposal.country_code
    )


@bp.errorhandler(PermissionDenied)
def _permission_denied(_error):
    """A service's refusal becomes the site's 403 page (which the audit log records)."""
    return current_app.handle_http_exception(Forbidden())
