"""Bounding boxes on the OGC `organisations` collection (issue 21): found through an index of the stored
positions on both backends, counted by the page query itself, paged without a duplicate or a gap, and
never revealing a hidden organisation's exact point to a reader who may not see it."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event, select

from directory_app.api.ogc_extents import extent
from directory_app.api.ogc_features import ItemQuery, Viewer, organisation_sites
from directory_app.extensions import db
from directory_app.organisations.entry_data import EntryData
from directory_app.organisations.models import Location, Organisation, Status
from directory_app.organisations.services import update_organisation
from directory_app.organisations.site_boxes import POINT_INDEXES, PUBLISHED_POINT_INDEXES
from tests.conftest import make_app

ITEMS = "/ogc/collections/organisations/items"
# Sees exact positions: (hide_exact_location, organisation country) -> bool, as accounts.access says.
RULES = {
    "public": lambda hidden, country: not hidden,
    "ts_admin": lambda hidden, country: True,
    "country_contact": lambda hidden, country: not hidden or country == "MX",
}
VIEWERS = {"public": "public", "all": "all", "country:MX": "country:MX"}


def _sites() -> list:
    return db.session.execute(
        select(
            Location.uuid,
            Location.lon,
            Location.lat,
            Location.public_lon,
            Location.public_lat,
            Organisation.hide_exact_location,
            Organisation.country_code,
        )
        .join(Organisation)
        .where(Organisation.status == Status.PUBLISHED)
    ).all()


def _brute_force(sites, role: str, box) -> dict[str, tuple[float, float]]:
    """{site uuid: shown position} of the sites whose shown position lies in the box, in Python."""
    west, south, east, north = box
    found = {}
    for s in sites:
        sees_exact = RULES[role](s.hide_exact_location, s.country_code)
        lon, lat = (s.lon, s.lat) if sees_exact else (s.public_lon, s.public_lat)
        if west <= lon <= east and south <= lat <= north:
            found[s.uuid] = (round(lon, 5), round(lat, 5))
    return found


def _walk(client, box, limit: int) -> tuple[list[dict], list[int]]:
    """Every page of a bbox query by its `next` links: the features and each page's numberMatched."""
    url = f"{ITEMS}?bbox={','.join(map(str, box))}&limit={limit}"
    features, matched = [], []
    while url:
        page = client.get(url).get_json()
        assert page["numberReturned"] == len(page["features"]) <= limit
        features += page["features"]
        matched.append(page["numberMatched"])
        following = [link["href"] for link in page["links"] if link["rel"] == "next"]
        url = following and (lambda u: f"{u.path}?{u.query}")(urlsplit(following[0]))
    return features, matched


def sample_boxes(sites) -> list[tuple[float, float, float, float]]:
    """Boxes for brute-force comparisons (also tests/api/test_json_api_bbox.py): the whole region, a
    country, 2 degrees around the middle site (by public position), a border area, the open sea."""
    middle = sorted((s.public_lon, s.public_lat) for s in sites)[len(sites) // 2]
    return [
        (-125.0, 5.0, -60.0, 50.0),  # every member country: crosses almost every site
        (-118.0, 14.0, -86.0, 33.0),  # Mexico
        (middle[0] - 2.0, middle[1] - 2.0, middle[0] + 2.0, middle[1] + 2.0),
        (-92.5, 13.5, -88.0, 18.0),  # Guatemala and its borders
        (-100.0, 10.0, -99.0, 11.0),  # the sea: nothing
    ]


@pytest.mark.parametrize("role", ["public", "ts_admin", "country_contact"])
def test_paging_bboxes_gives_every_site_once(app, client, client_as, role):
    reader = client if role == "public" else client_as(role)
    with app.app_context():
        sites = _sites()
    boxes = sample_boxes(sites)
    assert len(_brute_force(sites, role, boxes[0])) > 100  # many pages at limit 9
    for box in boxes:
        expected = _brute_force(sites, role, box)
        features, matched = _walk(reader, box, limit=9)
        ids = [f["id"] for f in features]
        assert len(ids) == len(set(ids)), f"a site on two pages of {box}"
        assert set(ids) == set(expected), f"sites missing or extra in {box}"
        assert set(matched) == {len(expected)}, f"numberMatched of {box}"
        assert {f["id"]: tuple(f["geometry"]["coordinates"]) for f in features} == expected


def test_a_page_past_the_end_still_counts(client):
    box = "-125,5,-60,50"
    first = client.get(f"{ITEMS}?bbox={box}&limit=5").get_json()
    past = client.get(f"{ITEMS}?bbox={box}&limit=5&offset=100000").get_json()
    assert past["features"] == [] and past["numberMatched"] == first["numberMatched"] > 5
    assert not [link for link in past["links"] if link["rel"] == "next"]


def test_resulttype_hits_answers_the_count_alone(client):
    box = "-118,14,-86,33"
    results = client.get(f"{ITEMS}?bbox={box}&limit=3").get_json()
    hits = client.get(f"{ITEMS}?bbox={box}&limit=3&resulttype=hits").get_json()
    assert hits["features"] == [] and hits["numberReturned"] == 0
    assert hits["numberMatched"] == results["numberMatched"] > 3
    assert not [link for link in hits["links"] if link["rel"] == "next"]
    everything = client.get("/ogc/collections/districts/items?resulttype=hits").get_json()
    assert everything["numberReturned"] == 0 and everything["numberMatched"] > 0
    bad = client.get(f"{ITEMS}?resulttype=some")
    assert bad.status_code == 400 and bad.get_json()["parameter"] == "resulttype"


def test_a_box_around_a_hidden_exact_point_finds_it_only_for_who_may_see_it(app, client, client_as):
    with app.app_context():
        hidden = [
            s
            for s in _sites()
            if s.hide_exact_location and abs(s.lon - s.public_lon) + abs(s.lat - s.public_lat) > 0.05
        ]
    assert hidden
    for site in hidden[:4]:
        around_exact = f"{site.lon - 0.001},{site.lat - 0.001},{site.lon + 0.001},{site.lat + 0.001}"
        public = client.get(f"{ITEMS}?bbox={around_exact}&limit=1000").get_json()
        assert site.uuid not in {f["id"] for f in public["features"]}
        exact = [round(site.lon, 5), round(site.lat, 5)]
        assert exact not in [f["geometry"]["coordinates"] for f in public["features"]]
        ts = client_as("ts_admin").get(f"{ITEMS}?bbox={around_exact}&limit=1000").get_json()
        found = {f["id"]: f for f in ts["features"]}
        assert found[site.uuid]["geometry"]["coordinates"] == [round(site.lon, 5), round(site.lat, 5)]
        assert found[site.uuid]["properties"]["exact_position"] is True
        contact = client_as("country_contact", "GT" if site.country_code == "MX" else "MX")
        other = contact.get(f"{ITEMS}?bbox={around_exact}&limit=1000").get_json()
        assert site.uuid not in {f["id"] for f in other["features"]}
        around_public = (
            f"{site.public_lon - 0.001},{site.public_lat - 0.001},{site.public_lon + 0.001},{site.public_lat + 0.001}"
        )
        shown = client.get(f"{ITEMS}?bbox={around_public}&limit=1000").get_json()
        at = {f["id"]: f["geometry"]["coordinates"] for f in shown["features"]}
        assert at[site.uuid] == [round(site.public_lon, 5), round(site.public_lat, 5)]
        ts_at_public = client_as("ts_admin").get(f"{ITEMS}?bbox={around_public}&limit=1000").get_json()
        assert site.uuid not in {f["id"] for f in ts_at_public["features"]}
        spatial = client.get(f"{ITEMS}", query_string={"filter": f"S_INTERSECTS(geometry,BBOX({around_exact}))"})
        assert site.uuid not in {f["id"] for f in spatial.get_json()["features"]}


def _plan(statement: str, parameters) -> str:
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        return "\n".join(str(row[-1]) for row in rows)
    # The world is small (a few hundred sites): PostgreSQL would rightly read it whole. With sequential
    # scans discouraged it shows whether the index can serve the condition at all.
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters).all())


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_the_bbox_page_query_uses_the_position_index(app, viewer):
    with app.app_context():
        seen: list[tuple[str, object]] = []

        def keep(_conn, _cursor, statement, parameters, _context, _many):
            if "OVER ()" in statement:
                seen.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            features, matched = organisation_sites(
                ItemQuery(boxes=((-100.0, 15.0, -90.0, 22.0),), limit=5), Viewer(VIEWERS[viewer])
            )
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
        assert len(seen) == 1 and matched >= len(features) > 0  # one query: the page with its count
        plan = _plan(*seen[0])
        if db.engine.dialect.name == "sqlite":
            expected = {"public": ["ix_location_public_nearest"], "all": ["ix_location_nearest"]}
            names = expected.get(viewer, ["ix_location_public_nearest", "ix_location_nearest"])
        else:
            # The public and the TS: the published sites' covering indexes (migration 0021); a country
            # contact: both positions' indexes (0015), the organisation joined.
            published, every = [f"{n} " for n in PUBLISHED_POINT_INDEXES], [f"{n} " for n in POINT_INDEXES]
            names = {"public": published[:1], "all": published[1:]}.get(viewer, every)
        for name in names:
            assert name in plan, plan
        db.session.rollback()


def test_hiding_a_location_alone_moves_its_public_position(fresh_app):
    """hide_exact_location said without the sites (a partial import row): the stored public positions
    follow, since every bbox query reads them."""
    with fresh_app.app_context():
        org = db.session.scalars(
            select(Organisation).where(
                Organisation.status == Status.PUBLISHED,
                Organisation.hide_exact_location.is_(False),
                Organisation.locations.any(Location.admin_unit_id.is_not(None)),
            )
        ).first()
        site = next(s for s in org.locations if s.admin_unit_id is not None)
        exact = (site.lon, site.lat)
        assert (site.public_lon, site.public_lat) == exact
        update_organisation(org, EntryData.from_json({"hide_exact_location": True}, partial=True))
        db.session.commit()
        site = db.session.get(Location, site.id)
        assert (site.public_lon, site.public_lat) != exact
        uuid, public = site.uuid, (site.public_lon, site.public_lat)
    client = fresh_app.test_client()
    box = f"{exact[0] - 0.0001},{exact[1] - 0.0001},{exact[0] + 0.0001},{exact[1] + 0.0001}"
    assert uuid not in {f["id"] for f in client.get(f"{ITEMS}?bbox={box}").get_json()["features"]}
    box = f"{public[0] - 0.0001},{public[1] - 0.0001},{public[0] + 0.0001},{public[1] + 0.0001}"
    assert uuid in {f["id"] for f in client.get(f"{ITEMS}?bbox={box}&limit=1000").get_json()["features"]}
    with fresh_app.app_context():
        org = db.session.get(Organisation, db.session.get(Location, site.id).organisation_id)
        update_organisation(org, EntryData.from_json({"hide_exact_location": False}, partial=True))
        db.session.commit()
        site = db.session.get(Location, site.id)
        assert (site.public_lon, site.public_lat) == exact


EXTENT_ROLES = {"public": "public", "ts_admin": "all", "country_contact": "country:MX"}


@pytest.mark.parametrize("role", list(EXTENT_ROLES))
def test_the_sites_extent_is_the_shown_positions_rounded_outward(app, client, client_as, role):
    """The extent is min/max of the positions the reader is shown (a brute force over the sites), rounded
    outward at 4 decimals: it holds every feature and is no larger than that."""
    reader = client if role == "public" else client_as(role)
    with app.app_context():
        shown = [
            (s.lon, s.lat) if RULES[role](s.hide_exact_location, s.country_code) else (s.public_lon, s.public_lat)
            for s in _sites()
        ]
    bbox = reader.get("/ogc/collections/organisations").get_json()["extent"]["spatial"]["bbox"][0]
    lons, lats = [lon for lon, _ in shown], [lat for _, lat in shown]
    floor, ceil = (lambda v: math.floor(v * 10**4) / 10**4), (lambda v: math.ceil(v * 10**4) / 10**4)
    assert bbox == [floor(min(lons)), floor(min(lats)), ceil(max(lons)), ceil(max(lats))]
    features, _matched = _walk(reader, bbox, limit=1000)
    assert len(features) == len(shown)  # a box of the extent finds every site


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_the_sites_extent_is_one_aggregate_per_stored_position(app, viewer):
    """No position is computed per site (no CASE) and no site is read into Python: one aggregate over
    the stored columns for the public and the TS, two for a country contact (their country's sites
    exact, the others' public), each reading the sites through an index."""
    with app.app_context():
        seen: list[tuple[str, object]] = []

        def keep(_conn, _cursor, statement, parameters, _context, _many):
            seen.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            spatial, _temporal = extent("organisations", Viewer(VIEWERS[viewer]))
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
        assert spatial is not None
        assert len(seen) == (2 if viewer.startswith("country:") else 1)
        for statement, parameters in seen:
            assert "CASE" not in statement.upper() and "min(" in statement.lower()
            plan = _plan(statement, parameters)
            if db.engine.dialect.name == "sqlite":
                location = [line for line in plan.splitlines() if " location " in f"{line} "]
                assert len(location) == 1 and "USING" in location[0] and "INDEX" in location[0], plan
            else:
                assert plan.splitlines()[0].startswith("Aggregate"), plan
                assert "Seq Scan on location" not in plan, plan
        db.session.rollback()


def test_box_pages_on_postgresql_make_no_transaction_round_trips(worlds, monkeypatch):
    """Reads of box pages run in autocommit: no BEGIN before their statements, no ROLLBACK after
    (ogc_features._statements_on_their_own). The first request also reads the directory version (at
    most once a second, kept here for the test's length), which begins the session as usual, and the
    sites' points; the next ones, in other boxes, read only their features. PostgreSQL only: SQLite has
    no round trips to spare."""
    app = make_app(worlds("postgresql"))
    client = app.test_client()
    from directory_app.api import ogc_features
    from directory_app.organisations import site_points

    monkeypatch.setattr(app.extensions["page_cache"], "ttl", 3600.0)
    monkeypatch.setattr(ogc_features, "_FEATURES", {})  # nothing kept by earlier tests: each page reads
    monkeypatch.setattr(site_points, "_KEPT", {})
    autocommit: list[list[bool]] = []

    def keep(_conn, cursor, _statement, _parameters, _context, _many):
        autocommit[-1].append(cursor.connection.autocommit)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", keep)
    try:
        for box in ("-100,15,-95,18", "-95,15,-90,18", "-90,15,-85,18"):
            autocommit.append([])
            page = client.get(f"{ITEMS}?f=json&limit=5&bbox={box}").get_json()
            assert page["numberMatched"] >= len(page["features"]) > 0
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", keep)
    assert autocommit[0] and autocommit[1] and autocommit[2]
    assert autocommit[1] + autocommit[2] == [True] * (len(autocommit[1]) + len(autocommit[2]))
