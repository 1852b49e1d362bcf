"""The GeoJSON layers the maps fetch: content, caching, compression, privacy and escaping."""

from __future__ import annotations

import gzip
import json

import shapely
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.organisations.models import CoverageKind, Location, Organisation, Status


def _json(response):
    body = response.data
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return json.loads(body)


def _hidden_site(ctx_app):
    """A published organisation that hides its location, and one of its sites that moved."""
    with ctx_app.app_context():
        row = db.session.execute(
            select(Organisation.uuid, Location.lon, Location.lat, Location.public_lon, Location.public_lat)
            .join(Location, Location.organisation_id == Organisation.id)
            .where(
                Organisation.hide_exact_location.is_(True),
                Organisation.status == Status.PUBLISHED,
                Location.lon != Location.public_lon,
            )
            .limit(1)
        ).one()
    return row


def test_organisation_points_are_the_published_sites(app, client):
    data = _json(client.get("/maps/organisations.geojson"))
    with app.app_context():
        expected = db.session.scalar(
            select(db.func.count(Location.id))
            .join(Organisation, Organisation.id == Location.organisation_id)
            .where(Organisation.status == Status.PUBLISHED)
        )
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == expected
    first = data["features"][0]
    always = {"org", "name", "city", "services", "exact", "verified"}
    assert always <= set(first["properties"]) <= always | {"phone", "tel", "whatsapp"}
    assert first["geometry"]["type"] == "Point"


def test_an_organisation_point_carries_its_phone_and_last_verified_date(fresh_app):
    """What the popup shows: the phone in international format with its tel: link, the wa.me link of
    a WhatsApp number, and the date the entry was last verified."""
    from directory_app.organisations.services import create_organisation

    with fresh_app.app_context():
        org = create_organisation(
            {
                "name": "Albergue del Suchiate",
                "kind": "shelter",
                "country_code": "MX",
                "status": "published",
                "last_verified": "2026-02-03",
                "locations": [{"lon": -92.26, "lat": 14.9, "city": "Tapachula"}],
                "services": [{"category": "shelter"}],
                "phones": [{"number": "962 625 1234", "type": "whatsapp"}],
                "coverage": [],
            }
        )
        db.session.commit()
        uuid = org.uuid
    data = _json(fresh_app.test_client().get("/maps/organisations.geojson?q=Suchiate"))
    properties = next(f["properties"] for f in data["features"] if f["properties"]["org"] == uuid)
    assert properties["phone"] == "+52 962 625 1234"
    assert properties["tel"] == "tel:+529626251234"
    assert properties["whatsapp"] == "https://wa.me/529626251234"
    assert properties["verified"] == "2026-02-03"


def test_organisation_points_follow_the_directory_filters(client):
    everything = _json(client.get("/maps/organisations.geojson"))["features"]
    shelters = _json(client.get("/maps/organisations.geojson?service=shelter"))["features"]
    assert 0 < len(shelters) < len(everything)
    assert all("shelter" in f["properties"]["services"] for f in shelters)
    assert client.get("/maps/organisations.geojson?service=nonsense").status_code == 400


def test_layers_are_compressed_and_revalidated_by_etag(client):
    first = client.get("/maps/districts.geojson", headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200
    assert first.headers["Content-Encoding"] == "gzip"
    assert first.headers["Content-Type"].startswith("application/geo+json")
    assert "no-cache" in first.headers["Cache-Control"]
    again = client.get("/maps/districts.geojson", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    plain = client.get("/maps/districts.geojson")
    assert "Content-Encoding" not in plain.headers
    assert json.loads(plain.data) == _json(first)


def test_the_etag_changes_when_an_organisation_changes(fresh_app):
    client = fresh_app.test_client()
    before = client.get("/maps/organisations.geojson").headers["ETag"]
    with fresh_app.app_context():
        organisation = db.session.scalars(select(Organisation).where(Organisation.status == Status.PUBLISHED)).first()
        organisation.name = "Casa del Migrante renamed"
        db.session.commit()
    after = client.get("/maps/organisations.geojson", headers={"If-None-Match": before})
    assert after.status_code == 200
    names = {f["properties"]["name"] for f in _json(after)["features"]}
    assert "Casa del Migrante renamed" in names


def test_every_district_is_in_the_overview_as_valid_polygons(app, client):
    data = _json(client.get("/maps/districts.geojson"))
    with app.app_context():
        codes = set(db.session.scalars(select(ConsularDistrict.code)))
    assert {f["id"] for f in data["features"]} == codes
    for f in data["features"]:
        geometry = shapely.geometry.shape(f["geometry"])
        assert geometry.is_valid and not geometry.is_empty
        assert geometry.geom_type in ("Polygon", "MultiPolygon")


def test_districts_of_one_sending_country(client):
    guatemala = _json(client.get("/maps/districts.geojson?country=GT"))["features"]
    assert guatemala and all(f["properties"]["country"] == "GT" for f in guatemala)
    assert client.get("/maps/districts.geojson?country=ZZ").status_code == 400


def test_district_counts_match_the_district_pages_query(app, client):
    from directory_app.organisations.queries import organisations_serving

    counts = _json(client.get("/maps/district-counts.json?service=legal_assistance"))
    with app.app_context():
        district = db.session.scalars(select(ConsularDistrict).order_by(ConsularDistrict.code)).first()
        _, total = organisations_serving(district.id, "legal_assistance", limit=1, offset=0)
    assert counts[district.code] == total
    assert client.get("/maps/district-counts.json?service=<script>").status_code == 400


def test_public_layers_never_carry_a_hidden_exact_position(app, client, client_as):
    hidden = _hidden_site(app)
    features = _json(client.get("/maps/organisations.geojson"))["features"]
    mine = [f for f in features if f["properties"]["org"] == hidden.uuid]
    assert mine and not any(f["properties"]["exact"] for f in mine)
    exact = [round(hidden.lon, 5), round(hidden.lat, 5)]
    assert exact not in [f["geometry"]["coordinates"] for f in mine]
    assert [round(hidden.public_lon, 5), round(hidden.public_lat, 5)] in [f["geometry"]["coordinates"] for f in mine]

    consular = client_as("consular").get("/maps/organisations.geojson")
    assert consular.headers["Cache-Control"].startswith("private")
    positions = [
        f["geometry"]["coordinates"] for f in _json(consular)["features"] if f["properties"]["org"] == hidden.uuid
    ]
    assert exact in positions


def test_hidden_coverage_drawn_around_a_site_is_shown_as_admin_units(fresh_app):
    from tests.conftest import login_as

    with fresh_app.app_context():
        organisation = db.session.scalars(
            select(Organisation)
            .where(Organisation.status == Status.PUBLISHED)
            .where(Organisation.coverage_parts.any(kind=CoverageKind.RADIUS))
        ).first()
        organisation.hide_exact_location = True
        db.session.commit()
        uuid = organisation.uuid
    public = _json(fresh_app.test_client().get(f"/maps/organisations/{uuid}/coverage.geojson"))["features"]
    assert public and {f["properties"]["kind"] for f in public} <= {"admin_unit", "country"}
    consular = login_as(fresh_app.test_client(), "consular")
    features = _json(consular.get(f"/maps/organisations/{uuid}/coverage.geojson"))["features"]
    assert "radius" in {f["properties"]["kind"] for f in features}


def test_unpublished_organisations_have_no_public_coverage(app, client):
    with app.app_context():
        draft = db.session.scalars(select(Organisation).where(Organisation.status != Status.PUBLISHED)).first()
    if draft is not None:
        assert client.get(f"/maps/organisations/{draft.uuid}/coverage.geojson").status_code == 404
    assert client.get("/maps/organisations/not-a-uuid/coverage.geojson").status_code == 404


def test_entry_text_is_html_safe_in_geojson(fresh_app):
    payload = "</script><img src=x onerror=alert(1)>`"
    with fresh_app.app_context():
        organisation = db.session.scalars(select(Organisation).where(Organisation.status == Status.PUBLISHED)).first()
        organisation.name = payload
        db.session.commit()
    response = fresh_app.test_client().get("/maps/organisations.geojson")
    assert b"</script>" not in response.data and b"<img" not in response.data
    names = {f["properties"]["name"] for f in _json(response)["features"]}
    assert payload in names  # the text arrives intact, to be shown as text


def test_the_base_layer_holds_the_member_countries(client):
    data = _json(client.get("/maps/base.geojson"))
    countries = {f["id"] for f in data["features"] if f["properties"]["level"] == 0}
    assert countries == {"BZ", "CA", "CR", "DO", "SV", "GT", "HN", "MX", "NI", "PA", "US"}
