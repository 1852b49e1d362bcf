"""The change workflow the organisation edit pages hand their changes to (organisations.editing): review's
services, handed down by the app factory (review sits on the floor above organisations)."""

from __future__ import annotations

from directory_app.review import queries, services


class ReviewWorkflow:
    """Applied at once for the Technical Secretariat, a proposal for a country contact; recorded."""

    submit_change = staticmethod(services.submit_change)
    archive = staticmethod(services.archive)
    mark_verified = staticmethod(services.mark_verified)
    pending_proposals = staticmethod(queries.pending_proposals)


WORKFLOW = ReviewWorkflow()
