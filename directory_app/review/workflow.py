"""The change workflow the organisation edit pages hand their changes to (organisations.editing): review's
services, handed down by the app factory (review sits on the floor above organisations)."""

from __future__ import annotations

from typing import Any

from directory_app.organisations.models import Organisation
from directory_app.review import queries, services
from directory_app.review.models import Revision


def snapshot_at(organisation: Organisation, version: int) -> dict[str, Any] | None:
    """The entry as it was at `version` (an edit form opened on it and saved over a newer one)."""
    return queries.snapshot_at(organisation.id, version)


def changed_since(organisation: Organisation, version: int) -> list[Revision]:
    """The revisions recorded after `version`, newest first (who changed a field, and when)."""
    return queries.revisions_since(organisation.id, version)


class ReviewWorkflow:
    """Applied at once for the Technical Secretariat, a proposal for a country contact; recorded."""

    submit_change = staticmethod(services.submit_change)
    archive = staticmethod(services.archive)
    mark_verified = staticmethod(services.mark_verified)
    pending_proposals = staticmethod(queries.pending_proposals)
    snapshot_at = staticmethod(snapshot_at)
    changed_since = staticmethod(changed_since)


WORKFLOW = ReviewWorkflow()
