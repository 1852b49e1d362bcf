"""The features of the OGC API collections, read from the database (no Flask).

- `organisations`: one Point feature per site of a published organisation (an organisation with
  three offices is three features; `organisation_id` groups them). Sites of organisations that hide
  their exact location are at their approximate public position for readers who may not see more
  (the position is chosen in SQL, so bbox filters and counts use the position the reader gets).
- `consulates`: one Point per consular office.
- `districts`: one MultiPolygon per consular district, at display detail simplified to 0.01° on the
  shared borders of its sending country's districts and snapped to a 0.0001° grid, always valid
  (geo.simplify.simplify_coverage).

Every fetch takes an ItemQuery (CRS84 boxes, limit, offset, validated property filters, a `datetime`
interval on the entry's last update, a parsed CQL2 filter, sort keys, whether only the count is asked)
and returns the page of features and how many match. The SQL of the filters is in ogc_filters.

A bbox on sites is searched through an index (organisations.site_boxes: the stored public or exact
positions), then trimmed by the same condition on the position the reader is shown. How many match
comes from the page query itself (`count(*) OVER ()`), not from a second scan; only a page past the
end, which has no row to carry it, costs a count of its own. Pages with neither box nor filter are
counted apart, by a count(*) that computes no column (a window there would build every row). The
order always ends with the row's own key, so pages do not overlap nor skip a feature between them.

Sites are paged by their ids first, and only the page's sites are then read whole (a deferred join):
whether a site is published is read from its own row (Location.organisation_status, a copy of its
organisation's status), so a page without box, filter nor sortby, and its count, walk one index of the
location table (ix_location_status_page) and join no organisation, however far the offset. The page's
features are kept per version of the directory's data and kind of reader (_memo)."""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import shapely
from sqlalchemy import ColumnElement, exists, func, or_, select

from directory_app.api import ogc_crs, ogc_filters
from directory_app.api.ogc_cql import to_condition
from directory_app.api.ogc_params import Box, SortKey
from directory_app.api.params import iso_datetime
from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict, Consulate, consulate_sending_country
from directory_app.organisations.models import PUBLISHED_SITE, Location, Organisation, Service
from directory_app.organisations.site_boxes import (
    published_site_ids_in_boxes,
    shown_in_boxes,
    shown_position,
    within,
)
from directory_app.organisations.site_points import published_points
from geo.simplify import simplify_coverage

DISTRICT_TOLERANCE = 0.01
DISTRICT_GRID = 0.0001  # degrees, about 11 m


@dataclass(frozen=True)
class ItemQuery:
    boxes: tuple[Box, ...] = ()  # CRS84; a feature in any of them (two for a box across the antimeridian)
    limit: int = 100
    offset: int = 0
    filters: dict[str, str] = field(default_factory=dict)
    interval: tuple[datetime | None, datetime | None] | None = None  # `datetime`, on the last update
    cql: Any = None  # a parsed CQL2 filter (ogc_cql.parse)
    filter_crs: ogc_crs.Crs = ogc_crs.DEFAULT
    sortby: tuple[SortKey, ...] = ()
    hits: bool = False  # `resulttype=hits`: only how many match, no features


@dataclass(frozen=True)
class Viewer:
    """Whose positions: 'public', 'all' (exact everywhere) or 'country:XX' (accounts.access.viewer_key)."""

    key: str = "public"

    def position_columns(self) -> tuple[ColumnElement, ColumnElement, ColumnElement]:
        """SQL expressions for the shown longitude, latitude and whether they are exact."""
        return shown_position(self.key)

    def in_boxes(self, boxes: tuple[Box, ...]) -> ColumnElement:
        """Sites whose shown position lies in a box (organisations.site_boxes: index, then exact test)."""
        return shown_in_boxes(self.key, boxes)


def point_geometry(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]}


def _feature(feature_id: str, properties: dict, geometry: dict | None) -> dict:
    return {"type": "Feature", "id": feature_id, "geometry": geometry, "properties": properties}


def _count(statement, params: dict | None = None) -> int:
    """How many rows the statement selects: count(*) over its FROM and WHERE alone (the statements here
    have no DISTINCT nor GROUP BY), so that no selected column is computed."""
    lean = statement.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
    return db.session.scalar(lean, params)


_PUBLISHED_SITES: dict[tuple[str, tuple], int] = {}  # (database, data version) -> published sites


def published_site_count(data_version: tuple | None) -> int:
    """How many sites of published organisations there are: numberMatched of a page without box nor
    filter, counted once per version of the directory's data (the page cache's version: organisations'
    count and newest change, read at most once a second per process and at once after its own commits)
    rather than on every page. Without a version, counted now."""
    count = select(func.count()).select_from(Location).where(PUBLISHED_SITE)
    if data_version is None:
        return db.session.scalar(count)
    key = (db.engine.url.render_as_string(hide_password=True), data_version)
    if key not in _PUBLISHED_SITES:
        if len(_PUBLISHED_SITES) > 16:
            _PUBLISHED_SITES.clear()
        _PUBLISHED_SITES[key] = db.session.scalar(count)
    return _PUBLISHED_SITES[key]


def _count_and_page(statement, order, query: ItemQuery, count=None, params: dict | None = None):
    """The page's rows and how many match. With a box or a filter, from one query (a window count on
    each row: the index or the filter keeps the rows few); without, the page and a lean count, as a
    window over every published site would compute each row's columns (37 ms against 17 ms for a page
    at 10,000 organisations on SQLite). A count of its own also for `resulttype=hits` and for a page
    past the end; `count(statement)`, when given, counts the statement instead (a memoised count).
    `params`: values of parameters the statement leaves to its execution (boxes)."""
    count = count or (lambda counted: _count(counted, params))
    if query.hits:
        return [], count(statement)
    if not query.boxes and query.cql is None:
        rows = db.session.execute(statement.order_by(*order).limit(query.limit).offset(query.offset)).all()
        return rows, count(statement)
    counted = statement.add_columns(func.count().over().label("matched"))
    rows = db.session.execute(counted.order_by(*order).limit(query.limit).offset(query.offset), params).all()
    if rows:
        return rows, rows[0].matched
    return rows, _count(statement, params) if query.offset else 0


def _statements_on_their_own() -> None:
    """On PostgreSQL, a read of features that opens the request's session runs each of its statements
    on its own (autocommit): no BEGIN and ROLLBACK round trips around its one or two queries (of four
    round trips a box page made, with the pool's ping). Called just before the database is needed: a
    page answered from memory (site_points, _memo) takes no connection at all. A page's ids and count
    come from one statement; a site removed before its columns are read is left out of the page
    (_page_features). A session that has begun already (a signed-in reader's account, the directory
    version, the sites' points) keeps its transaction."""
    if db.engine.dialect.name == "postgresql" and not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def organisation_sites(
    query: ItemQuery, viewer: Viewer, feature_id: str | None = None, data_version: tuple | None = None
) -> tuple[list[dict], int]:
    """Sites of published organisations as Point features (filters: country, service).

    Deferred join: the page is chosen as site ids alone, then the features of those sites only are
    read (or found kept: _page_features). Without filter nor sortby, for the public or a reader of
    every exact point, the ids and count come from the sites' points kept in memory for this data
    version (organisations.site_points); otherwise, or without a version, from the database: a page
    without box walks the index ix_location_status_page (its count, published_site_count, kept per
    version), a box alone the position index (neither reads an organisation)."""
    if feature_id is not None:
        return _one_feature(feature_id, viewer.key, data_version)
    lon, lat, exact = viewer.position_columns()
    in_boxes = None  # the published sites in the boxes, from an index alone (not for a country contact)
    plain = not (query.cql is not None or query.filters or query.interval or query.sortby)
    points = published_points(viewer.key, data_version) if plain else None
    if points is not None:  # kept in memory for this version: no query for the page's ids and count
        page, total = points.page_in_boxes(query.boxes, 0 if query.hits else query.limit, query.offset)
        return (_page_features(page, viewer.key, data_version) if page else []), total
    _statements_on_their_own()
    if plain and query.boxes:
        in_boxes = published_site_ids_in_boxes(viewer.key, query.boxes)
    if in_boxes is not None:
        subquery, params = in_boxes
        ids, total = _count_and_page(select(subquery.c.id), [subquery.c.id], query, params=params)
    elif plain and not query.boxes:
        count = lambda _statement: published_site_count(data_version)  # noqa: E731
        ids, total = _count_and_page(select(Location.id).where(PUBLISHED_SITE), [Location.id], query, count)
    else:
        statement = select(Location.id).where(PUBLISHED_SITE)
        if query.boxes:
            statement = statement.where(viewer.in_boxes(query.boxes))
        columns = ogc_filters.site_columns(lon, lat, exact)
        statement = statement.join(Organisation, Organisation.id == Location.organisation_id)
        statement = statement.where(*ogc_filters.interval_conditions(Organisation.updated_at, query.interval))
        if query.cql is not None:
            target = ogc_filters.point_target(
                columns, Location.id, lon, lat, ogc_filters.published_sites, lambda box: viewer.in_boxes((box,))
            )
            statement = statement.where(to_condition(query.cql, target, query.filter_crs))
        if "country" in query.filters:
            statement = statement.where(Organisation.country_code == query.filters["country"])
        if "service" in query.filters:
            statement = statement.where(
                exists().where(
                    Service.organisation_id == Organisation.id, Service.category_code == query.filters["service"]
                )
            )
        order = ogc_filters.order_by(columns, query.sortby, [Location.id])
        ids, total = _count_and_page(statement, order, query)
    page = [row.id for row in ids]
    if not page:
        return [], total
    return _page_features(page, viewer.key, data_version), total


_FEATURES: dict[tuple, dict[int | str, dict]] = {}  # (database, data version, viewer key) -> features
FEATURES_KEPT = 100_000  # entries per process, all readers together (a feature is kept under its id and uuid)


def _memo(viewer_key: str, data_version: tuple | None) -> dict[int | str, dict]:
    """The features kept for this version of the directory's data and kind of reader (as
    published_site_count), by site id and by uuid: a site's feature is read and built once per version,
    and later pages and single features only look it up. Features are shared, so never changed in
    place (ogc_documents.FeatureShape copies). Without a version, an empty memo that keeps nothing."""
    if data_version is None:
        return {}
    key = (db.engine.url.render_as_string(hide_password=True), data_version, viewer_key)
    memo = _FEATURES.get(key)
    if memo is None:
        for old in [k for k in list(_FEATURES) if k[:2] != key[:2]]:  # an older version's
            _FEATURES.pop(old, None)
        memo = _FEATURES.setdefault(key, {})
    return memo


def _page_features(page: list[int], viewer_key: str, data_version: tuple | None) -> list[dict]:
    """The features of these sites, in this order, from the memo (_memo) or read for those not in it."""
    memo = _memo(viewer_key, data_version)
    found = {site_id: feature for site_id in page if (feature := memo.get(site_id)) is not None}
    missing = [site_id for site_id in page if site_id not in found]
    if missing:
        found |= _read(memo, viewer_key, data_version, Location.id.in_(missing))
    return [found[site_id] for site_id in page if site_id in found]  # (one deleted since the ids were read)


def _one_feature(uuid: str, viewer_key: str, data_version: tuple | None) -> tuple[list[dict], int]:
    """The feature of the published site of this uuid (from the memo, or read), or none."""
    memo = _memo(viewer_key, data_version)
    feature = memo.get(uuid)
    if feature is None:
        feature = next(iter(_read(memo, viewer_key, data_version, Location.uuid == uuid).values()), None)
    return ([feature], 1) if feature is not None else ([], 0)


def _read(memo: dict, viewer_key: str, data_version: tuple | None, condition) -> dict[int, dict]:
    """The features of the published sites meeting `condition`, by site id, kept in the memo under
    their id and uuid (it starts again past FEATURES_KEPT entries). Safe across threads: a memo
    cleared by another thread costs a read, never a feature."""
    _statements_on_their_own()
    rows = db.session.execute(_site_rows(viewer_key).where(condition)).all()
    read = dict(zip((row.id for row in rows), _site_features(rows), strict=True))
    if data_version is not None and read:
        if sum(len(kept) for kept in list(_FEATURES.values())) + 2 * len(read) > FEATURES_KEPT:
            for kept in list(_FEATURES.values()):
                kept.clear()
        for site_id, feature in read.items():
            memo[site_id] = memo[feature["id"]] = feature
    return read


@functools.lru_cache(maxsize=64)
def _site_rows(viewer_key: str):
    """The columns of published sites (Location joined with its Organisation) that make a feature for
    this reader, with the service categories of the organisation (a comma-separated aggregate, in no
    order). Built once per kind of reader: a statement is never changed, only narrowed by callers."""
    lon, lat, exact = shown_position(viewer_key)
    services = (
        select(func.aggregate_strings(Service.category_code, ","))
        .where(Service.organisation_id == Location.organisation_id)
        .correlate(Location)
        .scalar_subquery()
    )
    return (
        select(
            Location.id,
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
            Organisation.updated_at,
            services.label("services"),
        )
        .join(Organisation, Organisation.id == Location.organisation_id)
        .where(PUBLISHED_SITE)
    )


def _site_features(rows) -> list[dict]:
    return [_site_feature(row, sorted(set(row.services.split(","))) if row.services else []) for row in rows]


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
        "updated": iso_datetime(row.updated_at),
    }
    return _feature(row.uuid, properties, point_geometry(row.lon, row.lat))


def consulates(query: ItemQuery, feature_id: str | None = None) -> tuple[list[dict], int]:
    """Consular offices as Point features (filters: country = host country, sending_country, kind)."""
    columns = ogc_filters.consulate_columns()
    statement = select(Consulate)
    if feature_id is not None:
        statement = statement.where(Consulate.code == feature_id)
    if query.boxes:
        statement = statement.where(within(Consulate.lon, Consulate.lat, query.boxes))
    statement = statement.where(*ogc_filters.interval_conditions(Consulate.updated_at, query.interval))
    if query.cql is not None:
        target = ogc_filters.point_target(columns, Consulate.id, Consulate.lon, Consulate.lat, lambda s: s)
        statement = statement.where(to_condition(query.cql, target, query.filter_crs))
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
    rows, total = _count_and_page(statement, ogc_filters.order_by(columns, query.sortby, [Consulate.code]), query)
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
                "updated": iso_datetime(c.updated_at),
            },
            point_geometry(c.lon, c.lat),
        )
        for c in (row[0] for row in rows)
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
    database = db.engine.url.render_as_string(hide_password=True)
    order = ogc_filters.order_by(ogc_filters.district_columns(), query.sortby, [ConsularDistrict.code])
    rows = db.session.execute(_districts_statement(query, feature_id, database).order_by(*order)).all()
    if query.boxes:
        box = shapely.union_all([shapely.box(*b) for b in query.boxes])
        rows = [r for r in rows if shapely.intersects(_district_geometry(database, r.code, str(r.updated_at)), box)]
    page = [] if query.hits else rows[query.offset : query.offset + query.limit]
    versions = _sending_country_versions({row.sending_country_code for row in page})
    return [_district_feature(row, _simplified_geometry(database, row, versions)) for row in page], len(rows)


def _simplified_geometry(database: str, row, versions: dict[str, str]) -> dict | None:
    country = row.sending_country_code
    return _sending_country_shapes(database, country, versions.get(country, "")).get(row.code)


def _districts_statement(query: ItemQuery, feature_id: str | None, database: str):
    statement = (
        select(
            ConsularDistrict.code,
            ConsularDistrict.updated_at,
            ConsularDistrict.sending_country_code,
            ConsularDistrict.is_approximate,
            ConsularDistrict.provenance,
            ConsularDistrict.official_units,
            ConsularDistrict.unit_count,
            ConsularDistrict.source,
            ConsularDistrict.source_date,
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
    if query.boxes:
        statement = statement.where(
            or_(
                *(
                    (ConsularDistrict.min_lon <= max_lon)
                    & (ConsularDistrict.max_lon >= min_lon)
                    & (ConsularDistrict.min_lat <= max_lat)
                    & (ConsularDistrict.max_lat >= min_lat)
                    for min_lon, min_lat, max_lon, max_lat in query.boxes
                )
            )
        )
    statement = statement.where(*ogc_filters.interval_conditions(ConsularDistrict.updated_at, query.interval))
    if query.cql is not None:
        target = ogc_filters.district_target(lambda code, version: _district_geometry(database, code, version))
        statement = statement.where(to_condition(query.cql, target, query.filter_crs))
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
        "provenance": row.provenance,
        "official_units": row.official_units,
        "units": row.unit_count,
        "source": row.source,
        "source_date": row.source_date.isoformat() if row.source_date else None,
        "area_km2": round(row.area_km2, 1),
        "updated": iso_datetime(row.updated_at),
    }
    return _feature(row.code, properties, geometry)
