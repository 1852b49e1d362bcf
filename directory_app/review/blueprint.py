"""The review blueprint and what its views share: finding the organisation of the URL and checking,
on the server, that the signed-in user may edit it (never from a form field)."""

from __future__ import annotations

from uuid import UUID

from flask import Blueprint, abort, current_app
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from directory_app.accounts.models import Role, User
from directory_app.accounts.permissions import PermissionDenied, may_edit, may_publish
from directory_app.organisations.display import template_helpers
from directory_app.organisations.models import Organisation
from directory_app.review.models import ChangeProposal
from directory_app.review.queries import find_organisation_for_edit

bp = Blueprint("review", __name__)
bp.context_processor(template_helpers)


@bp.app_template_global("may_edit_organisation")
def may_edit_organisation(organisation) -> bool:
    """For templates (the organisation page's edit bar)."""
    return may_edit(current_user, organisation)


def acting_user() -> User:
    """The signed-in user as a model object (services keep references to it)."""
    return current_user._get_current_object()


def editable_organisation(organisation_uuid: str) -> Organisation:
    """The organisation of the URL: 404 when unknown, 403 when the user may not edit it."""
    try:
        canonical = str(UUID(organisation_uuid))
    except ValueError:
        abort(404)
    organisation = find_organisation_for_edit(canonical)
    if organisation is None:
        abort(404)
    if not may_edit(current_user, organisation):
        abort(403)
    return organisation


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


@bp.app_template_global("has_endpoint")
def has_endpoint(endpoint: str) -> bool:
    """True when the application has this endpoint (a page another part may not have added yet)."""
    return endpoint in current_app.view_functions
