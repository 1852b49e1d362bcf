"""The organisations layer as the maps draw it: every site as four numbers, its details on demand.

At 10,000 organisations the GeoJSON layer (/maps/organisations.geojson, maps.layers.organisation_points,
kept for GIS clients) is 4.2 MB of text, and parsing it alone blocks a phone for seconds. A marker
needs only its position, whether that position is exact and which site it is: `point_table` writes
`[lon, lat, exact (1 or 0), site id]` rows, about 30 bytes a site. The browser asks for one site's
feature (`site_feature`: name, city, services, phone, last verified date, as in the GeoJSON layer)
when its tooltip or popup first opens. Positions follow the reader's rights as everywhere
(accounts.access): the public gets the approximate position of an organisation that hides its own.
"""

from __future__ import annotations

from sqlalchemy import select, true

from directory_app.extensions import db
from directory_app.maps.layers import ExactRule, organisation_points
from directory_app.organisations.models import Location, Organisation


def point_table(organisation_ids, exact: ExactRule, sites=None) -> str:
    """`{"points": [[lon, lat, exact, site id], ...]}` for the sites of the given organisations (a
    select of organisation ids), in site order; only the sites `sites` gives (a select of site ids:
    those in a bbox) if given."""
    rows = db.session.execute(
        select(
            Location.id,
            Location.lon,
            Location.lat,
            Location.public_lon,
            Location.public_lat,
            Organisation.hide_exact_location,
            Organisation.country_code,
        )
        .join(Organisation, Organisation.id == Location.organisation_id)
        .where(Location.organisation_id.in_(organisation_ids))
        .where(true() if sites is None else Location.id.in_(sites))
        .order_by(Location.id)
    )
    points = []
    for row in rows:
        is_exact = exact(row.hide_exact_location, row.country_code)
        lon, lat = (row.lon, row.lat) if is_exact else (row.public_lon, row.public_lat)
        points.append(f"[{lon:.5f},{lat:.5f},{int(is_exact)},{int(row.id)}]")
    return '{"points":[' + ",".join(points) + "]}"


def visible_owner(site_id: int, organisation_ids) -> int | None:
    """The id of the organisation of site `site_id` when it is one of the given organisations (those
    the reader may see); else None."""
    return db.session.scalar(
        select(Location.organisation_id).where(Location.id == site_id, Location.organisation_id.in_(organisation_ids))
    )


def site_feature(site_id: int, owner: int, exact: ExactRule) -> str:
    """A FeatureCollection holding the one site `site_id` of the organisation `owner` (visible_owner),
    as the GeoJSON layer writes it."""
    return organisation_points(select(Organisation.id).where(Organisation.id == owner), exact, only_site=site_id)
