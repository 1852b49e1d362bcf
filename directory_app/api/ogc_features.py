"""The features of the OGC API collections, read from the database (no Flask).

- `organisations`: one Point feature per site of a published organisation (an organisation with
  three offices is three features; `organisation_id` groups them). Sites of organisations that hide
  their exact location are at their approximate public position for readers who may not see more
  (the position is chosen in SQL, so bbox filters and counts use the position the reader gets).
- `consulates`: one Point per consular office.
- `districts`: one MultiPolygon per consular district, at display detail simplified to 0.01° on the
  shared borders of its sending country's districts and snapped to a 0.0001° grid, always valid
  (geo.simplify.simplify_coverage).

Every fetch takes an ItemQuery (bbox, limit, offset, validated property filters) and returns the
page of features and how many match."""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from dataclasses import dataclass, field

import shapely
from sqlalchemy import ColumnElement, case, exists, func, select

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict, Consulate, consulate_sending_country
from directory_app.organisations.models import Location, Organisation, Service, Status
from geo.simplify import simplify_coverage

DISTRICT_TOLERANCE = 0.01
DISTRICT_GRID = 0.0001  # degrees, about 11 m


@dataclass(frozen=True)
class ItemQuery:
    bbox: tuple[float, float, float, float] | None = None
    limit: int = 100
    offset: int = 0
    filters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Viewer:
    """Whose positions: 'public', 'all' (exact everywhere) or 'country:XX' (accounts.access.viewer_key)."""

    key: str = "public"

    def position_columns(self) -> tuple[ColumnElement, ColumnElement, ColumnElement]:
        """SQL expressions for the shown longitude, latitude and whether they are exact."""
        if self.key == "all":
            exact = Organisation.hide_exact_location.is_(False) | Organisation.hide_exact_location.is_(True)
        elif self.key.startswith("country:"):
            own = self.key.split(":", 1)[1]
            exact = Organisation.hide_exact_location.is_(False) | (Organisation.country_code == own)
        else:
            exact = Organisation.hide_exact_location.is_(False)
        lon = case((exact, Location.lon), else_=Location.public_lon)
        lat = case((exact, Location.lat), else_=Location.public_lat)
        return lon, lat, case((exact, True), else_=False)


def point_geometry(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]}


def _feature(feature_id: str, properties: dict, geometry: dict | None) -> dict:
    return {"type": "Feature", "id": feature_id, "geometry": geometry, "properties": properties}


def _in_box(lon, lat, bbox):
    min_lon, min_lat, max_lon, max_lat = bbox
    return [lon >= min_lon, lon <= max_lon, lat >= min_lat, lat <= max_lat]


def _count_and_page(statement, order, query: ItemQuery):
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = db.session.execute(statement.order_by(*order).limit(query.limit).offset(query.offset)).all()
    return rows, total


def organisation_sites(query: ItemQuery, viewer: Viewer, feature_id: str | None = None) -> tuple[list[dict], int]:
    """Sites of published organisations as Point features (filters: country, service)."""
    lon, lat, exact = viewer.position_columns()
    statement = (
        select(
            Location.uuid,
            Location.organisation_id,
            Location.name.label("site"),
            Location.city,
            Location.region,
            lon.label("lon"),
            lat.label("lat"),
            exact.label("exact"),
            Organisation.uuid.label("organisation_uuid"),
            Organisation.name,
            Organisation.country_code,
        )
        .join(Organisation, Organisation.id == Location.organisation_id)
        .where(Organisation.status == Status.PUBLISHED)
    )
    if feature_id is not None:
        statement = statement.where(Location.uuid == feature_id)
    if query.bbox:
        statement = statement.where(*_in_box(lon, lat, query.bbox))
    if "country" in query.filters:
        statement = statement.where(Organisation.country_code == query.filters["country"])
    if "service" in query.filters:
        statement = statement.where(
            exists().where(
                Service.organisation_id == Organisation.id, Service.category_code == query.filters["service"]
            )
        )
    rows, total = _count_and_page(statement, [Location.id], query)
    services = _service_codes({row.organisation_id for row in rows})
    return [_site_feature(row, services.get(row.organisation_id, [])) for row in rows], total


def _site_feature(row, services: list[str]) -> dict:
    properties = {
        "organisation_id": row.organisation_uuid,
        "name": row.name,
        "site": row.site,
        "city": row.city,
        "region": row.region,
        "country": row.country_code,
        "services": ",".join(services),
        "exact_position": bool(row.exact),
    }
    return _feature(row.uuid, properties, point_geometry(row.lon, row.lat))


def _service_codes(organisation_ids: set[int]) -> dict[int, list[str]]:
    codes: dict[int, list[str]] = defaultdict(list)
    if not organisation_ids:
        return codes
    for organisation_id, code in db.session.execute(
        select(Service.organisation_id, Service.category_code)
        .where(Service.organisation_id.in_(organisation_ids))
        .distinct()
        .order_by(Service.organisation_id, Service.category_code)
    ):
        codes[organisation_id].append(code)
    return codes


def consulates(query: ItemQuery, feature_id: str | None = None) -> tuple[list[dict], int]:
    """Consular offices as Point features (filters: country = host country, sending_country, kind)."""
    statement = select(Consulate)
    if feature_id is not None:
        statement = statement.where(Consulate.code == feature_id)
    if query.bbox:
        statement = statement.where(*_in_box(Consulate.lon, Consulate.lat, query.bbox))
    if "country" in query.filters:
        statement = statement.where(Consulate.host_country_code == query.filters["country"])
    if "kind" in query.filters:
        statement = statement.where(Consulate.kind == query.filters["kind"])
    if "sending_country" in query.filters:
        statement = statement.where(
            exists().where(
                consulate_sending_country.c.consulate_id == Consulate.id,
                consulate_sending_country.c.country_code == query.filters["sending_country"],
            )
        )
    rows, total = _count_and_page(statement, [Consulate.code], query)
    sending = _sending_countries([row.Consulate.id for row in rows])
    features = [
        _feature(
            c.code,
            {
                "code": c.code,
                "name_es": c.name_es,
                "name_en": c.name_en,
                "kind": c.kind.value,
                "city": c.city,
                "host_country": c.host_country_code,
                "sending_countries": ",".join(sending.get(c.id, [])),
            },
            point_geometry(c.lon, c.lat),
        )
        for (c,) in rows
    ]
    return features, total


def _sending_countries(consulate_ids: list[int]) -> dict[int, list[str]]:
    codes: dict[int, list[str]] = defaultdict(list)
    if consulate_ids:
        for consulate_id, code in db.session.execute(
            select(consulate_sending_country.c.consulate_id, consulate_sending_country.c.country_code)
            .where(consulate_sending_country.c.consulate_id.in_(consulate_ids))
            .order_by(consulate_sending_country.c.country_code)
        ):
            codes[consulate_id].append(code)
    return codes


def districts(query: ItemQuery, feature_id: str | None = None) -> tuple[list[dict], int]:
    """Consular districts as MultiPolygon features (filters: country = sending country, consulate).

    The bbox prefilter runs in SQL on the stored bounding boxes, the exact intersection test on the
    display geometry of the candidates. Shapes are kept per version (see _district_geometry and
    _sending_country_shapes)."""
    rows = db.session.execute(_districts_statement(query, feature_id).order_by(ConsularDistrict.code)).all()
    database = db.engine.url.render_as_string(hide_password=True)
    if query.bbox:
        box = shapely.box(*query.bbox)
        rows = [r for r in rows if shapely.intersects(_district_geometry(database, r.code, str(r.updated_at)), box)]
    page = rows[query.offset : query.offset + query.limit]
    versions = _sending_country_versions({row.sending_country_code for row in page})
    return [_district_feature(row, _simplified_geometry(database, row, versions)) for row in page], len(rows)


def _simplified_geometry(database: str, row, versions: dict[str, str]) -> dict | None:
    country = row.sending_country_code
    return _sending_country_shapes(database, country, versions.get(country, "")).get(row.code)


def _districts_statement(query: ItemQuery, feature_id: str | None):
    statement = (
        select(
            ConsularDistrict.code,
            ConsularDistrict.updated_at,
            ConsularDistrict.sending_country_code,
            ConsularDistrict.is_approximate,
            ConsularDistrict.area_km2,
            Consulate.code.label("consulate"),
            Consulate.name_es,
            Consulate.name_en,
            Consulate.city,
            Consulate.host_country_code,
        )
        .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
        .where(ConsularDistrict.display_wkb.is_not(None))
    )
    if feature_id is not None:
        statement = statement.where(ConsularDistrict.code == feature_id)
    if "country" in query.filters:
        statement = statement.where(ConsularDistrict.sending_country_code == query.filters["country"])
    if "consulate" in query.filters:
        statement = statement.where(Consulate.code == query.filters["consulate"])
    if query.bbox:
        min_lon, min_lat, max_lon, max_lat = query.bbox
        statement = statement.where(
            ConsularDistrict.min_lon <= max_lon,
            ConsularDistrict.max_lon >= min_lon,
            ConsularDistrict.min_lat <= max_lat,
            ConsularDistrict.max_lat >= min_lat,
        )
    return statement


@functools.lru_cache(maxsize=2048)
def _district_geometry(database: str, code: str, version: str) -> shapely.Geometry:
    """A district's display geometry, prepared for intersection tests, read once per version of
    the district: derived from the database, never shared state."""
    geometry = shapely.from_wkb(
        db.session.scalar(select(ConsularDistrict.display_wkb).where(ConsularDistrict.code == code))
    )
    shapely.prepare(geometry)
    return geometry


def _sending_country_versions(countries: set[str]) -> dict[str, str]:
    """{sending country: version of its districts as a whole (count and newest change)}."""
    rows = db.session.execute(
        select(ConsularDistrict.sending_country_code, func.count(), func.max(ConsularDistrict.updated_at))
        .where(ConsularDistrict.sending_country_code.in_(countries), ConsularDistrict.display_wkb.is_not(None))
        .group_by(ConsularDistrict.sending_country_code)
    )
    return {country: f"{count}:{latest}" for country, count, latest in rows}


@functools.lru_cache(maxsize=64)
def _sending_country_shapes(database: str, sending_country: str, version: str) -> dict[str, dict]:
    """{district code: simplified GeoJSON geometry} of every district of a sending country,
    simplified together so that neighbours keep their shared borders, snapped to the grid and
    valid (geo.simplify), once per version of that country's districts. The dicts are shared
    between responses: never change them."""
    rows = db.session.execute(
        select(ConsularDistrict.code, ConsularDistrict.display_wkb)
        .where(ConsularDistrict.sending_country_code == sending_country, ConsularDistrict.display_wkb.is_not(None))
        .order_by(ConsularDistrict.code)
    ).all()
    shapes = simplify_coverage(
        [shapely.from_wkb(r.display_wkb) for r in rows], tolerance=DISTRICT_TOLERANCE, grid=DISTRICT_GRID
    )
    # one geometry type per collection, as GIS layers expect
    shapes = [shapely.MultiPolygon([s]) if s.geom_type == "Polygon" else s for s in shapes]
    return {r.code: json.loads(shapely.to_geojson(s)) for r, s in zip(rows, shapes)}


def _district_feature(row, geometry: dict) -> dict:
    properties = {
        "code": row.code,
        "sending_country": row.sending_country_code,
        "consulate": row.consulate,
        "consulate_name_es": row.name_es,
        "consulate_name_en": row.name_en,
        "city": row.city,
        "host_country": row.host_country_code,
        "approximate": row.is_approximate,
        "area_km2": round(row.area_km2, 1),
    }
    return _feature(row.code, properties, geometry)


def spatial_extent(collection_id: str) -> list[float] | None:
    """[min lon, min lat, max lon, max lat] of a collection's features (public positions of published sites)."""
    if collection_id == "organisations":
        lon, lat = Location.public_lon, Location.public_lat
    elif collection_id == "consulates":
        lon, lat = Consulate.lon, Consulate.lat
    else:
        lon = lat = None
    if collection_id == "organisations":
        row = db.session.execute(
            select(func.min(lon), func.min(lat), func.max(lon), func.max(lat))
            .join(Organisation, Organisation.id == Location.organisation_id)
            .where(Organisation.status == Status.PUBLISHED)
        ).one()
    elif lon is not None:
        row = db.session.execute(select(func.min(lon), func.min(lat), func.max(lon), func.max(lat))).one()
    else:
        row = db.session.execute(
            select(
                func.min(ConsularDistrict.min_lon),
                func.min(ConsularDistrict.min_lat),
                func.max(ConsularDistrict.max_lon),
                func.max(ConsularDistrict.max_lat),
            )
        ).one()
    return None if row[0] is None else [round(float(v), 4) for v in row]
