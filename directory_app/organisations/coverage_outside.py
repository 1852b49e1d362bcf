"""Areas drawn or uploaded that fall mostly outside the organisation's country: a contact once drew a
"Tapachula border zone" that lay mostly in Guatemala without noticing. The coverage page warns before
saving (organisations.coverage_edit_views asks to confirm) and says it again after.

The share is of the area's land among the member countries (sea counts for neither), measured by
geo.coverage.share_outside in an equal-area projection, on the countries' full boundaries; only the
countries whose bounding box meets the area's are read."""

from __future__ import annotations

import shapely
from flask_babel import gettext as _
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import Country
from directory_app.i18n import current_language, format_share
from geo.coverage import share_outside

MOSTLY = 0.5  # more than half of the area's land abroad


def outside_warnings(areas: list[tuple[str, shapely.Geometry]], country_code: str | None) -> list[str]:
    """A sentence for each (label, geometry) whose land lies mostly outside the country `country_code`."""
    if not areas or not country_code:
        return []
    own = db.session.get(Country, country_code)
    home = own.geometry if own is not None else None
    if home is None:
        return []
    lang = current_language()
    warnings = []
    for label, geometry in areas:
        west, south, east, north = geometry.bounds
        others = db.session.scalars(
            select(Country).where(
                Country.code != country_code,
                Country.min_lon <= east,
                Country.max_lon >= west,
                Country.min_lat <= north,
                Country.max_lat >= south,
            )
        ).all()
        shapes = [(c, c.geometry) for c in others]
        shapes = [(c, shape) for c, shape in shapes if shape is not None and shapely.intersects(geometry, shape)]
        if not shapes:
            continue
        share = share_outside(geometry, home, [shape for _c, shape in shapes])
        if share > MOSTLY:
            abroad = ", ".join(c.name(lang) for c, _shape in shapes)
            warnings.append(
                _(
                    "%(share)s of “%(area)s” lies outside %(country)s (in %(others)s). Check that it is "
                    "drawn where the organisation works.",
                    share=format_share(share),
                    area=label,
                    country=own.name(lang),
                    others=abroad,
                )
            )
    return warnings
