"""The map of a proposal's page: the published coverage and the proposed one, fetched from
review.proposal_coverage and drawn as three overlays with a legend (layer type `comparison` of the map
module): what the proposal removes (orange, dashed), keeps (purple, dotted) and adds (blue, solid).
Made by the one builder of every map (embedded_maps.render_map)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup

from directory_app.embedded_maps import base_config, render_map


def comparison_labels() -> dict[str, str]:
    """The legend's rows (and the page's lists), in the reader's language."""
    return {
        "removed": _("Removed (only in the published entry)"),
        "kept": _("Unchanged (in both)"),
        "added": _("Added (only in the proposal)"),
    }


def proposal_map(proposal) -> Markup:
    config = base_config() | {"title": _("Map of the published and the proposed coverage (listed below)")}
    config["layers"] = [
        {
            "type": "comparison",
            "url": url_for("review.proposal_coverage", proposal_id=proposal.id),
            "legendTitle": _("Coverage"),
            "labels": comparison_labels(),
        }
    ]
    return render_map(config, "map-review", center=(18.0, -95.0), zoom=4)
