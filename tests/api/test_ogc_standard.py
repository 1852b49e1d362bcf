"""OGC API - Features as the standard says, in-process on both databases: unknown parameters refused on
every endpoint (JSON, OGC exception format), bbox of 6 numbers and across the antimeridian, bbox-crs,
datetime on the entries' last update, extents that hold every feature, conformance, queryables, sortby,
properties, and Part 2 CRS output. CQL2 filters: test_ogc_cql.py; real clients: test_ogc_clients.py."""

from __future__ import annotations

from datetime import UTC, datetime

import jsonschema
import pytest
from pyproj import Transformer
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import Consulate
from directory_app.organisations.models import Organisation, Status

COLLECTIONS = ("organisations", "consulates", "districts")
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
EPSG_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"


def _all(client, collection: str, **params) -> list[dict]:
    """Every feature of a collection for these parameters, following the next links."""
    response = client.get(f"/ogc/collections/{collection}/items", query_string={"limit": 1000, **params})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    features = body["features"]
    while next_link := next((link["href"] for link in body["links"] if link["rel"] == "next"), None):
        body = client.get(next_link).get_json()
        features += body["features"]
    assert len(features) == body["numberMatched"]
    return features


def _ids(client, collection: str, **params) -> set[str]:
    return {f["id"] for f in _all(client, collection, **params)}


def _positions(features) -> list[tuple[float, float]]:
    """Every vertex of the features' geometries (x, y as written)."""
    out = []

    def walk(coordinates):
        if isinstance(coordinates[0], int | float):
            out.append((coordinates[0], coordinates[1]))
        else:
            for part in coordinates:
                walk(part)

    for feature in features:
        walk(feature["geometry"]["coordinates"])
    return out


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


ENDPOINTS = [
    "/ogc/",
    "/ogc/conformance",
    "/ogc/api",
    "/ogc/collections",
    "/ogc/collections/organisations",
    "/ogc/collections/districts/queryables",
    "/ogc/collections/consulates/items",
    "/ogc/collections/organisations/items",
]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("parameter", ["filtr=name%20%3D%20'x'", "limt=5", "sortby=name&page=2"])
def test_unknown_parameters_are_400_in_the_ogc_exception_format(client, path, parameter):
    response = client.get(f"{path}?{parameter}")
    assert response.status_code == 400 and response.is_json
    body = response.get_json()
    assert body["code"] == "InvalidParameterValue" and body["description"] == body["error"]
    assert body["parameter"] in ("filtr", "limt", "page", "sortby")


def test_one_item_takes_only_its_parameters(client):
    first = client.get("/ogc/collections/consulates/items?limit=1").get_json()["features"][0]
    url = f"/ogc/collections/consulates/items/{first['id']}"
    assert client.get(f"{url}?limit=5").status_code == 400
    assert client.get(f"{url}?bbox=0,0,1,1").status_code == 400
    assert client.get(f"{url}?crs={EPSG_3857}&properties=city&lang=es&f=json").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/ogc/collections/nope",
        "/ogc/collections/nope/items",
        "/ogc/collections/nope/queryables",
        "/ogc/collections/consulates/items/NOPE",
        "/ogc/collections/consulates/nothing-here",
        "/ogc/nothing-here",
    ],
)
def test_not_found_is_json_under_ogc(client, path):
    for headers in ({}, {"Accept": "application/json"}, {"Accept": "application/geo+json"}):
        response = client.get(path, headers=headers)
        assert response.status_code == 404 and response.is_json, (path, headers)
        assert response.get_json()["code"] == "NotFound"


@pytest.mark.parametrize("path", ["/ogc/", "/ogc/collections", "/ogc/collections/organisations/items"])
def test_a_method_not_allowed_is_json_under_ogc_and_says_what_is(client, path):
    response = client.post(path, headers={"Accept": "application/json"})
    assert response.status_code == 405 and response.is_json
    assert response.get_json()["code"] == "OperationNotSupported"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}


def test_conformance_declares_what_is_implemented(client):
    conforms = set(client.get("/ogc/conformance").get_json()["conformsTo"])
    assert conforms == {
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
        "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    }


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_queryables_are_a_json_schema_of_the_properties(client, collection):
    meta = client.get(f"/ogc/collections/{collection}").get_json()
    link = next(k for k in meta["links"] if k["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/queryables")
    response = client.get(link["href"])
    assert response.status_code == 200 and response.mimetype == "application/schema+json"
    schema = response.get_json()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith(f"/ogc/collections/{collection}/queryables")
    assert schema["properties"]["geometry"]["format"].startswith("geometry-")
    assert schema["properties"]["updated"] == {"title": "updated", "type": "string", "format": "date-time"}
    feature = client.get(f"/ogc/collections/{collection}/items?limit=1").get_json()["features"][0]
    assert set(schema["properties"]) - {"geometry"} <= set(feature["properties"])
    html = client.get(f"/ogc/collections/{collection}/queryables?f=html")
    assert html.status_code == 200 and "updated" in html.get_data(as_text=True)


def test_bbox_of_six_numbers_is_the_box_of_four(client):
    four = _ids(client, "organisations", bbox="-100,14,-86,22")
    assert four and four == _ids(client, "organisations", bbox="-100,14,-50,-86,22,5000")


def test_bbox_across_the_antimeridian(client):
    """170 east to 80 west: the world's features (the Americas) west of 80 W, as from -180 to -80."""
    across = _ids(client, "consulates", bbox="170,0,-80,60")
    assert across and across == _ids(client, "consulates", bbox="-180,0,-80,60")
    assert across < _ids(client, "consulates")
    assert _ids(client, "districts", bbox="170,0,-80,60") == _ids(client, "districts", bbox="-180,0,-80,60")
    assert _ids(client, "organisations", bbox="100,10,-90,20") == _ids(client, "organisations", bbox="-180,10,-90,20")


def test_bbox_crs(client):
    crs84 = _ids(client, "organisations", bbox="-100,14,-86,22")
    assert _ids(client, "organisations", bbox="14,-100,22,-86", **{"bbox-crs": EPSG_4326}) == crs84
    to_mercator = Transformer.from_crs("OGC:CRS84", "EPSG:3857", always_xy=True)
    x1, y1 = to_mercator.transform(-100, 14)
    x2, y2 = to_mercator.transform(-86, 22)
    mercator = _ids(client, "organisations", bbox=f"{x1},{y1},{x2},{y2}", **{"bbox-crs": EPSG_3857})
    assert mercator == crs84


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_features_in_each_crs(client, collection):
    crs84 = client.get(f"/ogc/collections/{collection}/items?limit=20").get_json()["features"]
    response = client.get(f"/ogc/collections/{collection}/items", query_string={"limit": 20, "crs": EPSG_3857})
    assert response.headers["Content-Crs"] == f"<{EPSG_3857}>"
    mercator = response.get_json()["features"]
    lat_lon = client.get(f"/ogc/collections/{collection}/items", query_string={"limit": 20, "crs": EPSG_4326})
    assert lat_lon.headers["Content-Crs"] == f"<{EPSG_4326}>"
    default = client.get(f"/ogc/collections/{collection}/items?limit=1")
    assert default.headers["Content-Crs"] == f"<{CRS84}>"
    to_mercator = Transformer.from_crs("OGC:CRS84", "EPSG:3857", always_xy=True)
    for (lon, lat), (x, y), (lat2, lon2) in zip(
        _positions(crs84), _positions(mercator), _positions(lat_lon.get_json()["features"]), strict=True
    ):
        assert (lat2, lon2) == (lat, lon)
        ex, ey = to_mercator.transform(lon, lat)
        assert abs(x - ex) < 0.01 and abs(y - ey) < 0.01
    one = crs84[0]["id"]
    item = client.get(f"/ogc/collections/{collection}/items/{one}?crs={EPSG_3857}")
    assert item.headers["Content-Crs"] == f"<{EPSG_3857}>"
    assert item.get_json()["geometry"] == mercator[0]["geometry"]


def test_collections_list_their_crs(client):
    for collection in client.get("/ogc/collections").get_json()["collections"]:
        assert collection["crs"] == [CRS84, EPSG_4326, EPSG_3857] and collection["storageCrs"] == CRS84
        temporal = collection["extent"]["temporal"]
        assert temporal["trs"] == "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
        assert "updated" in collection["description"]


@pytest.mark.parametrize("who", ["public", "consular"])
@pytest.mark.parametrize("collection", COLLECTIONS)
def test_extents_hold_every_feature(client, client_as, who, collection):
    reader = client if who == "public" else client_as(who)
    meta = reader.get(f"/ogc/collections/{collection}").get_json()
    west, south, east, north = meta["extent"]["spatial"]["bbox"][0]
    first, last = meta["extent"]["temporal"]["interval"][0]
    features = _all(reader, collection)
    positions = _positions(features)
    assert all(west <= x <= east and south <= y <= north for x, y in positions)
    # the edges are the features' own, rounded outward (not a world box)
    assert min(x for x, _ in positions) - west < 0.001 and east - max(x for x, _ in positions) < 0.001
    updates = [_moment(f["properties"]["updated"]) for f in features]
    assert _moment(first) <= min(updates) and max(updates) <= _moment(last)


def test_sortby(client):
    largest_first = _all(client, "districts", sortby="-area_km2")
    areas = [f["properties"]["area_km2"] for f in largest_first]
    assert areas == sorted(areas, reverse=True) and areas[0] > areas[-1]
    codes = [f["id"] for f in _all(client, "consulates", sortby="+host_country,-code")]
    by_country = _all(client, "consulates", sortby="host_country")
    pairs = [(f["properties"]["host_country"], f["id"]) for f in by_country]
    assert [p[0] for p in pairs] == sorted(p[0] for p in pairs)
    expected = sorted(pairs, key=lambda p: p[1], reverse=True)
    expected.sort(key=lambda p: p[0])  # stable: host country up, code down within a country
    assert codes == [p[1] for p in expected]
    # the next links carry sortby: the pages follow the order
    paged = _all(client, "districts", sortby="-area_km2", limit=7)
    assert [f["id"] for f in paged] == [f["id"] for f in largest_first]


def test_properties_selection(client):
    features = _all(client, "consulates", properties="city,kind", limit=10)
    assert all(set(f["properties"]) == {"city", "kind"} and f["geometry"] for f in features)
    none = client.get("/ogc/collections/consulates/items?properties=&limit=3").get_json()["features"]
    assert all(f["properties"] == {} for f in none)
    item = client.get(f"/ogc/collections/consulates/items/{features[0]['id']}?properties=city").get_json()
    assert item["properties"] == {"city": features[0]["properties"]["city"]}


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "2026",
        "2026-1-5",
        "2026-01-01T10:00",
        "2026-01-01T10:00:00",
        "2026-01-01 10:00:00Z",
        "../..",
        "/",
        "2026-01-01/2026-01-02/2026-01-03",
        "2026-02-01/2026-01-01",
        "9999-12-31T23:59:59-05:00",
    ],
)
def test_datetime_garbage_is_400(client, value):
    response = client.get("/ogc/collections/organisations/items", query_string={"datetime": value})
    assert response.status_code == 400 and response.get_json()["parameter"] == "datetime"


def test_datetime_filters_on_the_last_update(fresh_app):
    """Some organisations and a consulate last updated in 2021: intervals, open ends, instants and dates
    select exactly them, as the `updated` property says."""
    with fresh_app.app_context():
        old = db.session.scalars(
            select(Organisation).where(Organisation.status == Status.PUBLISHED).order_by(Organisation.id).limit(3)
        ).all()
        for day, organisation in enumerate(old, start=10):
            organisation.updated_at = datetime(2021, 5, day, 12, 30, tzinfo=UTC)
        consulate = db.session.scalars(select(Consulate).order_by(Consulate.code)).first()
        consulate.updated_at = datetime(2021, 5, 10, 12, 30, tzinfo=UTC)
        db.session.commit()
        old_uuids = {o.uuid for o in old}
        consulate_code = consulate.code
    client = fresh_app.test_client()
    everything = _all(client, "organisations")
    old_sites = {f["id"] for f in everything if f["properties"]["organisation_id"] in old_uuids}
    assert old_sites and len(old_sites) < len(everything)
    for value in ("2021-01-01T00:00:00Z/2021-12-31T23:59:59Z", "../2021-12-31", "2021-05-10/2021-05-12", "/2021-06-01"):
        assert _ids(client, "organisations", datetime=value) == old_sites, value
    first_day = {f["id"] for f in everything if f["properties"]["updated"].startswith("2021-05-10")}
    assert _ids(client, "organisations", datetime="2021-05-10") == first_day
    assert _ids(client, "organisations", datetime="2021-05-10T12:30:00Z") == first_day
    assert _ids(client, "organisations", datetime="2021-05-10T14:30:00+02:00") == first_day
    newer = {f["id"] for f in everything} - old_sites
    assert _ids(client, "organisations", datetime="2022-01-01T00:00:00Z/..") == newer
    assert _ids(client, "organisations", datetime="2021-05-11/") == newer | (old_sites - first_day)
    assert _ids(client, "consulates", datetime="../2021-06-01") == {consulate_code}
    meta = client.get("/ogc/collections/organisations").get_json()
    assert meta["extent"]["temporal"]["interval"][0][0] == "2021-05-10T12:30:00Z"
