"""`bbox` on /api/v1/organisations (issue 21): the organisations with a site inside the box at the position
the reader is shown, found through the same index as /ogc (organisations.site_boxes), equal to a
brute-force answer in Python; a hidden site is never found by its exact point by a reader who may not
see it; a bad box is a 400 naming `bbox`."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from directory_app.extensions import db
from directory_app.organisations.models import Location, Organisation, Service, Status
from directory_app.organisations.site_boxes import POINT_INDEXES
from tests.api.test_ogc_bbox_index import _plan, sample_boxes

SEARCH = "/api/v1/organisations"
# Sees exact positions: (hide_exact_location, organisation country) -> bool, as accounts.access says.
RULES = {
    "public": lambda hidden, country: not hidden,
    "ts_admin": lambda hidden, country: True,
    "country_contact": lambda hidden, country: not hidden or country == "MX",
}


def _sites() -> list:
    return db.session.execute(
        select(
            Location.lon,
            Location.lat,
            Location.public_lon,
            Location.public_lat,
            Organisation.uuid,
            Organisation.hide_exact_location,
            Organisation.country_code,
        )
        .join(Organisation)
        .where(Organisation.status == Status.PUBLISHED)
    ).all()


def _shown(site, role: str) -> tuple[float, float]:
    if RULES[role](site.hide_exact_location, site.country_code):
        return site.lon, site.lat
    return site.public_lon, site.public_lat


def _brute_force(sites, role: str, box) -> set[str]:
    """The uuids of the organisations with a site shown to `role` inside the box, in Python."""
    west, south, east, north = box
    return {s.uuid for s in sites if west <= _shown(s, role)[0] <= east and south <= _shown(s, role)[1] <= north}


def _search(reader, query: str) -> tuple[set[str], int]:
    """Every page of a search: the organisations' ids (each once) and the total."""
    found, page, totals = [], 1, set()
    while True:
        answer = reader.get(f"{SEARCH}?{query}&per_page=100&page={page}")
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        found += [o["id"] for o in body["organisations"]]
        totals.add(body["total"])
        if page >= body["pages"]:
            break
        page += 1
    assert len(found) == len(set(found)) and totals == {len(found)}
    return set(found), totals.pop()


@pytest.mark.parametrize("role", ["public", "ts_admin", "country_contact"])
def test_bbox_finds_the_organisations_a_brute_force_finds(app, client, client_as, role):
    reader = client if role == "public" else client_as(role)
    with app.app_context():
        sites = _sites()
    boxes = sample_boxes(sites)
    assert len(_brute_force(sites, role, boxes[0])) > 100  # several pages
    for box in boxes:
        expected = _brute_force(sites, role, box)
        found, total = _search(reader, "bbox=" + ",".join(map(str, box)))
        assert found == expected, box
        assert total == len(expected)


def test_bbox_combines_with_the_directory_filters(app, client):
    box = (-118.0, 14.0, -86.0, 33.0)
    with app.app_context():
        sites = _sites()
        shelters = set(
            db.session.scalars(
                select(Organisation.uuid).where(
                    Organisation.status == Status.PUBLISHED,
                    Organisation.services.any((Service.category_code == "shelter") & Service.is_active.is_(True)),
                )
            )
        )
    found, _total = _search(client, "service=shelter&bbox=" + ",".join(map(str, box)))
    assert found and found == _brute_force(sites, "public", box) & shelters
    unboxed, _total = _search(client, "service=shelter")
    assert found < unboxed


def test_a_box_around_a_hidden_exact_point_finds_it_only_for_who_may_see_it(app, client, client_as):
    with app.app_context():
        sites = _sites()
    hidden = [
        s for s in sites if s.hide_exact_location and abs(s.lon - s.public_lon) + abs(s.lat - s.public_lat) > 0.05
    ]
    assert hidden
    for site in hidden[:4]:
        box = (site.lon - 0.001, site.lat - 0.001, site.lon + 0.001, site.lat + 0.001)
        query = "bbox=" + ",".join(map(str, box))
        expected = _brute_force(sites, "public", box)
        assert site.uuid not in expected
        assert _search(client, query)[0] == expected
        assert site.uuid in _search(client_as("ts_admin"), query)[0]
        other = "GT" if site.country_code == "MX" else "MX"
        assert site.uuid not in _search(client_as("country_contact", other), query)[0]
        around_public = (
            site.public_lon - 0.001,
            site.public_lat - 0.001,
            site.public_lon + 0.001,
            site.public_lat + 0.001,
        )
        assert site.uuid in _search(client, "bbox=" + ",".join(map(str, around_public)))[0]


@pytest.mark.parametrize(
    "bbox",
    ["1,2,3", "a,b,c,d", "-100,20,-90", "-100,20,-90,nan", "-100,20,-90,inf", "-100,30,-90,20", "-200,20,-90,30",
     "-100,20,-90,95", "10,20,-10,30", "1,2,3,4,5", ",,,"],
)  # fmt: skip
def test_a_bad_bbox_is_a_400_naming_it(client, bbox):
    answer = client.get(SEARCH, query_string={"bbox": bbox})
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["parameter"] == "bbox" and ("'bbox'" in body["error"] or "antimeridian" in body["error"])


def test_the_openapi_document_lists_bbox(client):
    parameters = client.get("/api/v1/openapi.json").get_json()["paths"]["/organisations"]["get"]["parameters"]
    bbox = next(p for p in parameters if p["name"] == "bbox")
    assert bbox["in"] == "query" and bbox["schema"]["minItems"] == bbox["schema"]["maxItems"] == 4
    assert bbox["style"] == "form" and bbox["explode"] is False


@pytest.mark.parametrize("role", ["public", "ts_admin", "country_contact"])
@pytest.mark.parametrize("path", [SEARCH, "/maps/organisation-points.json", "/maps/organisations.geojson"])
def test_bbox_queries_use_the_position_index(app, client, client_as, role, path):
    """The search and the map layers find a box's sites through the index of the stored positions the
    reader may be shown, as /ogc does (the plan of each statement that holds the candidates' query)."""
    reader = client if role == "public" else client_as(role)
    with app.app_context():
        seen: list[tuple[str, object]] = []

        def keep(_conn, _cursor, statement, parameters, _context, _many):
            if "grid_key BETWEEN" in statement or "<@ box(" in statement:
                seen.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            answer = reader.get(f"{path}?bbox=-100,15,-90,22")
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
        assert answer.status_code == 200 and seen
        if db.engine.dialect.name == "sqlite":
            names = {"public": ["ix_location_public_nearest"], "ts_admin": ["ix_location_nearest"]}
            expected = names.get(role, ["ix_location_public_nearest", "ix_location_nearest"])
        else:
            indexes = [f"{name} " for name in POINT_INDEXES]  # (a space: not the published sites' ones)
            expected = {"public": indexes[:1], "ts_admin": indexes[1:]}.get(role, indexes)
        for statement, parameters in seen:
            plan = _plan(statement, parameters)
            for name in expected:
                assert name in plan, plan
            db.session.rollback()


@pytest.mark.parametrize("role", ["public", "ts_admin", "country_contact"])
def test_bbox_narrows_a_districts_organisations_as_a_brute_force_does(app, client, client_as, role):
    """/api/v1/districts/<code>/organisations?bbox=...: the organisations serving the district with a site
    shown to this reader inside the box, every page, the total counted for the box."""
    reader = client if role == "public" else client_as(role)
    code = "GT-MX-TAPACHULA"
    serving = set()
    offset = 0
    while True:
        body = reader.get(f"/api/v1/districts/{code}/organisations?limit=100&offset={offset}").get_json()
        serving |= {o["id"] for o in body["organisations"]}
        offset += 100
        if offset >= body["total"]:
            break
    with app.app_context():
        sites = _sites()
    boxes = [(-93.5, 14.5, -92.0, 15.5), (-94.0, 14.0, -90.0, 18.0), (-100.0, 20.0, -99.0, 21.0)]
    sizes = []
    for box in boxes:
        expected = _brute_force(sites, role, box) & serving
        sizes.append(len(expected))
        found, offset, totals = [], 0, set()
        while True:
            answer = reader.get(
                f"/api/v1/districts/{code}/organisations?limit=3&offset={offset}&bbox=" + ",".join(map(str, box))
            )
            assert answer.status_code == 200, answer.get_json()
            body = answer.get_json()
            found += [o["id"] for o in body["organisations"]]
            totals.add(body["total"])
            offset += 3
            if offset >= body["total"]:
                break
        assert len(found) == len(set(found)) and set(found) == expected, box
        assert totals == {len(expected)}
    # a box on the district narrows it to some (several pages of 3), a box far from it to none
    assert 3 < sizes[0] < len(serving) and sizes[-1] == 0
    answer = reader.get(f"/api/v1/districts/{code}/organisations?bbox=1,2,3")
    assert answer.status_code == 400 and answer.get_json()["parameter"] == "bbox"
    parameters = client.get("/api/v1/openapi.json").get_json()["paths"]["/districts/{code}/organisations"]
    assert any(p["name"] == "bbox" for p in parameters["get"]["parameters"])
