"""Several services in one search (`service=a&service=b`, `match=any|all`) on every route that takes a
service: the directory, the map layer, the JSON API, the nearest search and the district counts; and
consular districts found by name in the directory's district filter. Through the web, on both databases,
against answers computed here from the rows."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict, Consulate
from directory_app.organisations.models import DistrictCoverage, Location, Organisation, Service, Status
from geo.nearest import geodesic_km

PAIR = ("shelter", "legal_assistance")
QUERY = "service=shelter&service=legal_assistance"


def offering(app) -> dict[int, set[str]]:
    """Published organisation id -> the categories of its active services."""
    with app.app_context():
        rows = db.session.execute(
            select(Organisation.id, Service.category_code)
            .join(Service, Service.organisation_id == Organisation.id)
            .where(Organisation.status == Status.PUBLISHED, Service.is_active.is_(True))
        ).all()
    offers: dict[int, set[str]] = {}
    for org_id, code in rows:
        offers.setdefault(org_id, set()).add(code)
    return offers


def expected_ids(app, match: str) -> set[int]:
    combine = any if match == "any" else all
    return {i for i, codes in offering(app).items() if combine(code in codes for code in PAIR)}


def uuids_of(app, ids: set[int]) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Organisation.uuid).where(Organisation.id.in_(ids))))


def result_count(html: str) -> int:
    found = re.search(r'class="result-count" role="status">([\d,]+) organisations? found', html)
    assert found, "no result count"
    return int(found.group(1).replace(",", ""))


@pytest.mark.parametrize("match", ["any", "all"])
def test_directory_map_layer_and_api_give_the_union_or_the_intersection(app, client, match):
    want = expected_ids(app, match)
    one = {i for i, codes in offering(app).items() if "shelter" in codes}
    assert want and want != one, "the demo data must tell union, intersection and one service apart"
    suffix = "" if match == "any" else "&match=all"
    page = client.get(f"/organisations?{QUERY}{suffix}&lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and result_count(html) == len(want)
    words = "any of" if match == "any" else "all of"
    assert f"Organisations offering {words}: Shelter, Legal assistance" in html
    for code in PAIR:  # the chips keep the choice
        assert f'name="service" value="{code}" checked' in html
    assert ('value="all" checked' in html) == (match == "all")
    layer = client.get(f"/maps/organisations.geojson?{QUERY}{suffix}").get_json()
    assert {f["properties"]["org"] for f in layer["features"]} == uuids_of(app, want)
    api = client.get(f"/api/v1/organisations?{QUERY}{suffix}&per_page=100").get_json()
    assert api["total"] == len(want)
    comma = client.get(f"/api/v1/organisations?service=shelter,legal_assistance{suffix}&per_page=1").get_json()
    assert comma["total"] == len(want)


def test_the_order_and_repeats_of_services_do_not_change_the_search(client):
    first = client.get("/organisations?service=legal_assistance&service=shelter&service=shelter&lang=en")
    second = client.get(f"/organisations?{QUERY}&lang=en")
    assert result_count(first.get_data(as_text=True)) == result_count(second.get_data(as_text=True))


def test_an_unknown_service_or_match_is_explained(client):
    page = client.get("/organisations?service=shelter&service=nonsense&lang=en")
    assert page.status_code == 400 and "&#39;nonsense&#39; is not a service category." in page.get_data(as_text=True)
    api = client.get("/api/v1/nearest?lon=-99.1&lat=19.4&service=shelter&match=both")
    assert api.status_code == 400 and api.get_json()["parameter"] == "match"
    api = client.get("/api/v1/nearest?lon=-99.1&lat=19.4&service=shelter&service=nonsense")
    assert api.status_code == 400 and api.get_json()["parameter"] == "service"


def nearest_by_hand(app, lon: float, lat: float, ids: set[int], k: int) -> list[int]:
    with app.app_context():
        sites = db.session.execute(
            select(Location.organisation_id, Location.public_lon, Location.public_lat).where(
                Location.organisation_id.in_(ids)
            )
        ).all()
    best: dict[int, float] = {}
    for org_id, site_lon, site_lat in sites:
        km = float(geodesic_km(lon, lat, [site_lon], [site_lat])[0])
        best[org_id] = min(best.get(org_id, km), km)
    return sorted(best, key=lambda i: (best[i], i))[:k]


@pytest.mark.parametrize("match", ["any", "all"])
def test_nearest_page_and_api_search_several_services(app, client, match):
    with app.app_context():
        consulate = db.session.scalar(select(Consulate).where(Consulate.code == "MX-US-LOS-ANGELES"))
        lon, lat = consulate.lon, consulate.lat
    want = nearest_by_hand(app, lon, lat, expected_ids(app, match), 8)
    suffix = "" if match == "any" else "&match=all"
    api = client.get(f"/api/v1/nearest?lon={lon}&lat={lat}&k=8&{QUERY}{suffix}").get_json()
    with app.app_context():
        by_uuid = dict(db.session.execute(select(Organisation.uuid, Organisation.id)).all())
    assert [by_uuid[o["id"]] for o in api["organisations"]] == want
    page = client.get(f"/nearest?consulate=MX-US-LOS-ANGELES&k=8&{QUERY}{suffix}&lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for code in PAIR:
        assert f'name="service" value="{code}" checked' in html
    listed = re.findall(r'href="/organisations/([0-9a-f-]{36})"', html.split('<table class="results">')[1])
    assert [by_uuid[u] for u in dict.fromkeys(listed)] == want


def test_district_counts_take_several_services(app, client):
    with app.app_context():
        district = db.session.scalar(select(ConsularDistrict).where(ConsularDistrict.code == "MX-US-LOS-ANGELES"))
        serving = set(
            db.session.scalars(
                select(DistrictCoverage.organisation_id).where(
                    DistrictCoverage.district_id == district.id, DistrictCoverage.status == Status.PUBLISHED
                )
            )
        )
    for match, suffix in (("any", ""), ("all", "&match=all")):
        counts = client.get(f"/maps/district-counts.json?{QUERY}{suffix}").get_json()
        assert counts["MX-US-LOS-ANGELES"] == len(serving & expected_ids(app, match))
        api = client.get(f"/api/v1/districts/MX-US-LOS-ANGELES/organisations?{QUERY}{suffix}&limit=1").get_json()
        assert api["total"] == len(serving & expected_ids(app, match))


def served_by(app, codes: set[str]) -> int:
    with app.app_context():
        return len(
            set(
                db.session.scalars(
                    select(DistrictCoverage.organisation_id)
                    .join(ConsularDistrict, ConsularDistrict.id == DistrictCoverage.district_id)
                    .where(ConsularDistrict.code.in_(codes), DistrictCoverage.status == Status.PUBLISHED)
                )
            )
        )


def test_a_district_typed_by_city_name_finds_its_districts(app, client):
    """'houston' (as typed in the directory's district field) names every district of a consulate in
    Houston: organisations serving any of them, and the choice of one."""
    with app.app_context():
        houston = set(
            db.session.scalars(
                select(ConsularDistrict.code)
                .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
                .where(Consulate.city == "Houston")
            )
        )
    assert len(houston) > 1, "several sending countries have a consulate in Houston"
    form = client.get("/organisations?lang=en").get_data(as_text=True)
    assert 'name="district"' in form and "Consular district" in form
    page = client.get("/organisations?district=houston&lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert result_count(html) == served_by(app, houston)
    choice = html.split('class="notice district-choice"')[1].split("</div>")[0]
    assert f"names {len(houston)} consular districts" in choice
    assert set(re.findall(r'href="/organisations\?district=([A-Z-]+)"', choice)) == houston
    for typed in ("HOUSTON", "  Houston "):
        assert result_count(client.get(f"/organisations?district={typed}&lang=en").get_data(as_text=True)) == (
            result_count(html)
        )
    guatemala = client.get("/organisations?district=guatemala+houston&lang=en").get_data(as_text=True)
    assert result_count(guatemala) == served_by(app, {"GT-US-HOUSTON"})
    assert "Organisations serving the consular district of" in guatemala


def test_a_district_typed_without_accents_or_by_code_in_any_case(app, client):
    tapachula = client.get("/organisations?district=tapachula&lang=en").get_data(as_text=True)
    accented = client.get("/organisations?district=Tápachula&lang=en").get_data(as_text=True)
    assert result_count(tapachula) == result_count(accented) > 0
    code = client.get("/organisations?district=gt-mx-tapachula&lang=en").get_data(as_text=True)
    assert result_count(code) == served_by(app, {"GT-MX-TAPACHULA"})


def test_a_name_that_names_no_district_is_not_an_error(client):
    page = client.get("/organisations?district=Atlantis&lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and result_count(html) == 0
    assert "No consular district is called “Atlantis”" in html
    assert 'href="/districts?q=Atlantis"' in html
    vague = client.get("/organisations?district=e&lang=en")
    assert vague.status_code == 400 and "type more of the name" in vague.get_data(as_text=True)


def test_the_district_index_finds_districts_by_name(app, client):
    html = client.get("/districts?q=houston&lang=en").get_data(as_text=True)
    rows = re.findall(r'<a href="/districts/([A-Z-]+)">', html.split("<tbody>")[1])
    with app.app_context():
        houston = set(
            db.session.scalars(
                select(ConsularDistrict.code)
                .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
                .where(Consulate.city == "Houston")
            )
        )
    assert set(rows) == houston
    assert 'id="district-q"' in html and 'value="houston"' in html
    nothing = client.get("/districts?q=Atlantis&lang=en")
    assert nothing.status_code == 200 and "No consular district is called “Atlantis”" in nothing.get_data(as_text=True)


def test_the_openapi_document_describes_several_services(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/organisations", "/nearest", "/districts/{code}/organisations"):
        parameters = {p["name"]: p for p in paths[path]["get"]["parameters"]}
        assert parameters["service"]["schema"]["type"] == "array" and parameters["service"]["explode"] is True
        assert parameters["match"]["schema"]["enum"] == ["any", "all"]


def test_no_route_reads_only_the_first_service():
    """Every route of the app reads `service` with organisations.service_choice (all its values); the
    standard APIs (api/ogc_*, api/hsds_*), where it may not repeat, read one value their own way."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "directory_app"
    single = re.compile(r"""(args|request\.args)\.get\(\s*["']service["']|text_param\([^)]*["']service["']""")
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if not path.name.startswith(("ogc_", "hsds_")) and single.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
