"""Every geometry the directory serves is valid (shapely is_valid) and not empty where its source is
not: fetched over HTTP as the maps and GIS clients fetch it, on the real boundaries of the demo world.

Served layers: the consular districts at the overview detail and at the first views' (detail=low)
(all, and per sending country, as the public map asks for them) and at display detail (the district
page's outline), the base layer (countries and admin-1 units, at both details), the OGC API districts
collection (every page, every item), the
coverage of every published organisation (as the public and as a reader who sees exact areas), the
HSDS service areas drawn as GeoJSON, the coverage map of a review proposal, the outline of every admin
unit and every country (/maps/units/<code>.geojson, /maps/countries/<code>.geojson, which the coverage
editor and the crisis page draw), and the area of the crisis report's GeoJSON export (ad hoc, for each
way of giving an area, and saved). Rounding each
coordinate on its own served 5 of the then 156 districts invalid (geo.simplify explains the fix)."""

from __future__ import annotations

import gzip
import io
import json

import pytest
import shapely
from shapely import STRtree
from shapely.geometry import shape
from sqlalchemy import func, select

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, ConsularDistrict, Country
from directory_app.organisations.models import CoverageKind, CoveragePart, Organisation, Status
from tests.conftest import make_app
from tests.review.helpers import open_form


def _json(response) -> dict:
    assert response.status_code == 200, (response.request.url, response.status_code)
    body = response.data
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return json.loads(body)


def _shapes(features: list[dict], where: str) -> dict:
    """{feature id: shapely geometry}, after asserting that each is valid and not empty."""
    shapes = {}
    for feature in features:
        assert feature["geometry"] is not None, (where, feature.get("id"))
        geometry = shape(feature["geometry"])
        assert geometry.is_valid, (where, feature.get("id"), geometry.geom_type)
        assert not geometry.is_empty, (where, feature.get("id"))
        shapes[feature.get("id")] = geometry
    return shapes


def _vertices(shapes: dict) -> int:
    return sum(shapely.get_num_coordinates(geometry) for geometry in shapes.values())


def _district_codes(app) -> dict[str, str]:
    """{district code: sending country} of every district with a display geometry."""
    with app.app_context():
        return dict(
            db.session.execute(
                select(ConsularDistrict.code, ConsularDistrict.sending_country_code).where(
                    ConsularDistrict.display_wkb.is_not(None)
                )
            ).all()
        )


def test_district_layers_at_every_detail_the_map_asks_for(app, client):
    districts = _district_codes(app)
    with app.app_context():
        every = db.session.scalar(select(func.count()).select_from(ConsularDistrict))
    assert len(districts) == every > 150  # every district of the real network has a shape, each checked
    overview = _shapes(_json(client.get("/maps/districts.geojson"))["features"], "districts.geojson")
    assert set(overview) == set(districts)
    # the coarser layer of the maps' first views (detail=low) holds every district too, each valid
    low = _shapes(_json(client.get("/maps/districts.geojson?detail=low"))["features"], "detail=low")
    assert set(low) == set(districts)
    assert _vertices(low) < _vertices(overview) / 2
    for country in sorted(set(districts.values())):
        for detail in ("", "&detail=low"):
            url = f"/maps/districts.geojson?country={country}{detail}"
            served = _shapes(_json(client.get(url))["features"], url)
            assert set(served) == {code for code, sending in districts.items() if sending == country}
    assert client.get("/maps/districts.geojson?detail=high").status_code == 400
    for code in districts:
        url = f"/maps/districts/{code}.geojson"
        assert list(_shapes(_json(client.get(url))["features"], url)) == [code]


def test_ogc_districts_on_every_page_and_as_single_items(app, client):
    districts = _district_codes(app)
    url, paged = "/ogc/collections/districts/items?limit=40", {}
    while url:
        body = _json(client.get(url))
        paged |= _shapes(body["features"], url)
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    assert set(paged) == set(districts)
    assert {geometry.geom_type for geometry in paged.values()} == {"MultiPolygon"}
    for code in districts:
        url = f"/ogc/collections/districts/items/{code}"
        (single,) = _shapes([_json(client.get(url))], url).values()
        assert single.equals_exact(paged[code], 0)


def _overlap(shapes: list) -> float:
    """The total area where two of the shapes overlap."""
    tree = STRtree(shapes)
    return sum(a.intersection(shapes[j]).area for i, a in enumerate(shapes) for j in tree.query(a) if j > i)


def test_ogc_districts_of_one_sending_country_keep_their_shared_borders(app, client):
    # Simplified together, neighbours overlap no more than their sources do (the Canadian and US
    # boundaries of the data overlap a little along their border); simplified one by one they did.
    served = _shapes(
        _json(client.get("/ogc/collections/districts/items?country=MX&limit=1000"))["features"], "MX districts"
    )
    with app.app_context():
        sources = dict(
            db.session.execute(
                select(ConsularDistrict.code, ConsularDistrict.display_wkb).where(
                    ConsularDistrict.sending_country_code == "MX"
                )
            ).all()
        )
    assert set(served) == set(sources)
    source_overlap = _overlap([shapely.from_wkb(sources[code]) for code in served])
    assert _overlap(list(served.values())) <= source_overlap * 1.001 + 1e-6


def test_base_layer_countries_and_admin_units(app, client):
    with app.app_context():
        expected = set(db.session.scalars(select(Country.code))) | set(
            db.session.scalars(select(AdminUnit.code).where(AdminUnit.level == 1))
        )
    served = _shapes(_json(client.get("/maps/base.geojson"))["features"], "base.geojson")
    assert set(served) == expected
    low = _shapes(_json(client.get("/maps/base.geojson?detail=low"))["features"], "base.geojson?detail=low")
    assert set(low) == expected
    assert _vertices(low) < _vertices(served) / 2


def _organisations_with_coverage(app) -> dict[str, set[str]]:
    """{uuid: the kinds of its coverage parts} of every published organisation with coverage."""
    with app.app_context():
        rows = db.session.execute(
            select(Organisation.uuid, CoveragePart.kind)
            .join(CoveragePart, CoveragePart.organisation_id == Organisation.id)
            .where(Organisation.status == Status.PUBLISHED)
        ).all()
    kinds: dict[str, set[str]] = {}
    for uuid, kind in rows:
        kinds.setdefault(uuid, set()).add(CoverageKind(kind).value)
    return kinds


def test_coverage_layers_of_every_published_organisation(app, client, client_as):
    organisations = _organisations_with_coverage(app)
    assert set().union(*organisations.values()) == {"admin_unit", "country", "radius", "polygon"}
    exact_reader = client_as("ts_admin")
    kinds_served = set()
    for uuid in organisations:
        for reader, who in ((client, "public"), (exact_reader, "ts_admin")):
            url = f"/maps/organisations/{uuid}/coverage.geojson"
            features = _json(reader.get(url))["features"]
            assert features, (who, url)
            _shapes(features, f"{who} {url}")
            kinds_served |= {f["properties"]["kind"] for f in features}
    assert kinds_served == {"admin_unit", "country", "radius", "polygon"}


def test_hsds_service_areas_drawn_as_geojson(app, client_as):
    organisations = [u for u, kinds in _organisations_with_coverage(app).items() if kinds & {"radius", "polygon"}]
    consular = client_as("consular")
    extents = 0
    for uuid in organisations[:40]:
        document = _json(consular.get(f"/hsds/organizations/{uuid}"))
        for service in document["services"]:
            for area in service["service_areas"]:
                if area.get("extent_type") == "geojson":
                    extents += 1
                    _shapes([{"id": area["id"], "geometry": json.loads(area["extent"])}], f"hsds {uuid}")
    assert extents > 0


def test_review_proposal_coverage_map(fresh_app, login_as):
    with fresh_app.app_context():
        uuid = db.session.scalars(
            select(Organisation.uuid)
            .join(CoveragePart, CoveragePart.organisation_id == Organisation.id)
            .where(
                Organisation.country_code == "MX",
                Organisation.status == Status.PUBLISHED,
                CoveragePart.kind.in_([CoverageKind.ADMIN_UNIT, CoverageKind.COUNTRY]),
            )
            .order_by(Organisation.id)
            .limit(1)
        ).one()
    contact = login_as(fresh_app.test_client(), "country_contact", "MX")
    form = open_form(contact, f"/organisations/{uuid}/edit") | {"email": "mapas@example.org", "comment": "map"}
    response = contact.post(f"/organisations/{uuid}/edit", data=form)
    assert response.status_code == 302 and "/review/" in response.location
    ts = login_as(fresh_app.test_client(), "ts_admin")
    features = _json(ts.get(f"{response.location.rstrip('/')}/coverage.geojson"))["features"]
    # The proposal changes the email only: every part is kept, drawn once (from the proposal)
    assert features and {(f["properties"]["layer"], f["properties"]["change"]) for f in features} == {
        ("proposed", "kept")
    }
    _shapes(features, "review coverage")


@pytest.fixture
def pooled_app(world_url):
    """The application on the shared world keeping one connection open: thousands of requests, each
    without a new connection (about 20 ms on PostgreSQL with the tests' NullPool); closed at the end."""
    app = make_app(world_url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_every_admin_unit_and_country_outline(pooled_app):
    # The coverage editor and the crisis page draw each ticked unit or country from these addresses.
    app, client = pooled_app, pooled_app.test_client()
    with app.app_context():
        units = set(db.session.scalars(select(AdminUnit.code).where(AdminUnit.display_wkb.is_not(None))))
        every_unit = db.session.scalar(select(func.count()).select_from(AdminUnit))
        countries = set(db.session.scalars(select(Country.code).where(Country.display_wkb.is_not(None))))
        every_country = db.session.scalar(select(func.count()).select_from(Country))
    assert len(units) == every_unit > 3000 and len(countries) == every_country > 10  # each one checked
    for code in sorted(units):
        url = f"/maps/units/{code}.geojson"
        assert list(_shapes(_json(client.get(url))["features"], url)) == [f"unit:{code}"]
    for code in sorted(countries):
        url = f"/maps/countries/{code}.geojson"
        assert list(_shapes(_json(client.get(url))["features"], url)) == [f"country:{code}"]


_CRISIS_AREAS = {
    # every way of giving an area, and unions of many neighbouring units (shared borders, holes, islands)
    "circle": {"how": "circle", "circle_lon": "-92.26", "circle_lat": "14.91", "radius_km": "80"},
    "wide circle over a coast": {"how": "circle", "circle_lon": "-89.6", "circle_lat": "21.0", "radius_km": "300"},
    "drawn, two touching squares": {
        "how": "draw",
        "drawn": json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
                    for ring in (
                        [[-92.5, 14.7], [-92.0, 14.7], [-92.0, 15.1], [-92.5, 15.1], [-92.5, 14.7]],
                        [[-92.0, 14.8], [-91.6, 14.8], [-91.6, 15.0], [-92.0, 15.0], [-92.0, 14.8]],
                    )
                ],
            }
        ),
    },
}


def _crisis_area(response) -> shapely.Geometry:
    body = _json(response)
    (area,) = [f for f in body["features"] if f["properties"]["kind"] == "area"]
    return next(iter(_shapes([area], response.request.url).values()))


def test_crisis_report_geojson_export(app, client):
    from tests.crisis.test_crisis_views import KML_CONE, post_area

    with app.app_context():
        states = list(db.session.scalars(select(AdminUnit.code).where(AdminUnit.level == 1).order_by(AdminUnit.code)))
        counties = list(
            db.session.scalars(
                select(AdminUnit.code)
                .where(AdminUnit.level == 2, AdminUnit.code.like("US-48%"))
                .order_by(AdminUnit.code)
            )
        )
    mexico = [code for code in states if code.startswith("MX-")]
    areas = dict(_CRISIS_AREAS)
    areas["every Mexican state"] = {"how": "units", "units": [f"unit:{code}" for code in mexico]}
    areas["every Texas county"] = {"how": "units", "units": [f"unit:{code}" for code in counties]}
    assert len(mexico) == 32 and len(counties) > 200
    for how, data in areas.items():
        response = post_area(client, data, url="/crisis/report.geojson")
        assert response.status_code == 200, (how, response.get_data(as_text=True)[-600:])
        area = _crisis_area(response)
        assert area.area > 0, how
    upload = {"upload": (io.BytesIO(KML_CONE.encode()), "cone.kml")}
    area = _crisis_area(post_area(client, {"how": "upload"}, files=upload, url="/crisis/report.geojson"))
    assert area.area > 0


def test_saved_crisis_geojson_export(fresh_app, login_as):
    from tests.crisis.test_crisis_views import post_area

    consular = login_as(fresh_app.test_client(), "consular")
    data = {"how": "units", "units": ["unit:MX-CHP", "unit:MX-OAX", "unit:MX-TAB"]}
    saved = post_area(consular, data | {"save": "1", "name": "Lluvias del sur", "kind": "flood"})
    assert saved.status_code == 303
    area = _crisis_area(consular.get(f"{saved.headers['Location']}.geojson"))
    assert area.area > 0
