"""The map of a proposal's page: the published coverage and the proposed one, fetched from
review.proposal_coverage and drawn as two overlays (layer type `comparison` of the map module), made by
the one builder of every map (embedded_maps.render_map)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup

from directory_app.embedded_maps import base_config, render_map


def proposal_map(proposal) -> Markup:
    config = base_config() | {"title": _("Map of the published and the proposed coverage (listed below)")}
    config["layers"] = [
        {
            "type": "comparison",
            "url": url_for("review.proposal_coverage", proposal_id=proposal.id),
            "labels": {"current": _("Published coverage"), "proposed": _("Proposed coverage")},
        }
    ]
    return render_map(config, "map-review", center=(18.0, -95.0), zoom=4)
