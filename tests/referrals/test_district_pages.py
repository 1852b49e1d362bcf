"""District pages as referral sheets: grouping by service, distances from the consulate, gaps,
the approximate note, the print stylesheet, contacts, privacy, the district list filters."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import event, select

from directory_app import vocabulary
from directory_app.extensions import db
from directory_app.geography.district_units import set_district_units
from directory_app.geography.models import (
    AdminUnit,
    ConsularDistrict,
    Consulate,
    ConsulateKind,
    Country,
    DistrictSource,
)
from directory_app.organisations.models import DistrictCoverage, Location, Service, Status
from directory_app.organisations.services import create_organisation
from directory_app.referrals.district_referrals import PER_SERVICE, district_referrals
from geo.nearest import geodesic_km
from tests.conftest import login_as

LA = "MX-US-LOS-ANGELES"
LA_POINT = (-118.2437, 34.0522)


@pytest.fixture
def rctx(app):
    with app.test_request_context("/"):
        yield
        db.session.rollback()


def district(code: str) -> ConsularDistrict:
    return db.session.scalar(select(ConsularDistrict).where(ConsularDistrict.code == code))


def brute_force(dist: ConsularDistrict) -> tuple[dict[str, set[int]], dict[int, float]]:
    """Organisations per category and each one's distance to the consulate (public positions)."""
    serving = set(
        db.session.scalars(
            select(DistrictCoverage.organisation_id).where(
                DistrictCoverage.district_id == dist.id, DistrictCoverage.status == Status.PUBLISHED
            )
        )
    )
    per_category: dict[str, set[int]] = {}
    for org_id, code in db.session.execute(select(Service.organisation_id, Service.category_code)):
        if org_id in serving:
            per_category.setdefault(code, set()).add(org_id)
    km: dict[int, float] = {}
    for org_id, lon, lat in db.session.execute(
        select(Location.organisation_id, Location.public_lon, Location.public_lat)
    ):
        if org_id in serving:
            d = float(geodesic_km(dist.consulate.lon, dist.consulate.lat, [lon], [lat])[0])
            km[org_id] = min(km.get(org_id, d), d)
    return per_category, km


@pytest.mark.usefixtures("rctx")
@pytest.mark.parametrize("code", [LA, "GT-MX-TAPACHULA", "MX-US-NEW-YORK"])
def test_groups_hold_the_nearest_organisations_of_each_service(code):
    dist = district(code)
    per_category, km = brute_force(dist)
    groups = district_referrals(dist)
    assert [g.code for g in groups] == [t.code for t in vocabulary.SERVICE_CATEGORIES]
    for group in groups:
        expected = per_category.get(group.code, set())
        assert group.total == len(expected)
        assert group.is_gap == (not expected)
        shown = [r.organisation.id for r in group.referrals]
        assert len(shown) == min(PER_SERVICE, len(expected))
        assert set(shown) <= expected
        want = sorted(expected, key=lambda i: (km.get(i, float("inf")), i))[:PER_SERVICE]
        assert [round(km.get(i, -1), 6) for i in shown] == [round(km.get(i, -1), 6) for i in want]
        for r in group.referrals:  # one referral per organisation, with all its services
            assert group.code in r.categories and group.code in r.shortlisted
            if r.distance_km is not None:
                assert r.distance_km == pytest.approx(km[r.organisation.id], abs=1e-6)


def test_an_organisation_with_two_services_of_a_category_counts_once(fresh_app):
    # The sheet reads each category's organisations as one list (referrals.id_lists.ids_of): a second
    # shelter of the same organisation must not count it twice nor list it twice.
    with fresh_app.test_request_context("/"):
        dist = district(LA)
        before = {g.code: g for g in district_referrals(dist)}["shelter"]
        org_id = before.referrals[0].organisation.id
        db.session.add(Service(organisation_id=org_id, category_code="shelter", name="Second shelter", is_active=True))
        db.session.commit()
        after = {g.code: g for g in district_referrals(district(LA))}["shelter"]
        assert after.total == before.total == len(brute_force(dist)[0]["shelter"])
        shown = [r.organisation.id for r in after.referrals]
        assert shown.count(org_id) == 1 and len(shown) == len(set(shown))
        names = [s.name for s in next(r for r in after.referrals if r.organisation.id == org_id).services]
        assert "Second shelter" in names


@pytest.mark.usefixtures("rctx")
def test_distance_is_geodesic_from_the_consulate_to_the_nearest_site():
    dist = district(LA)
    referral = next(r for g in district_referrals(dist) for r in g.referrals if r.distance_km is not None)
    sites = db.session.scalars(select(Location).where(Location.organisation_id == referral.organisation.id)).all()
    consulate = dist.consulate
    expected = min(geodesic_km(consulate.lon, consulate.lat, [s.public_lon], [s.public_lat])[0] for s in sites)
    assert referral.distance_km == pytest.approx(expected, rel=1e-9)
    assert (referral.lon, referral.lat) in {(s.public_lon, s.public_lat) for s in sites}


def test_page_lists_each_organisation_once_with_distances_gaps_and_totals(client):
    with client.application.app_context():
        groups = district_referrals_in_request(client.application, LA)
    text = client.get(f"/districts/{LA}?lang=en").get_data(as_text=True)
    shown = {r.organisation.id: r for g in groups for r in g.referrals}
    cards = re.findall(r'<article class="org-card" id="org-(\d+)"', text)
    assert sorted(map(int, cards)) == sorted(shown) and len(cards) == len(set(cards))
    rows = re.findall(r'<th scope="row"><a href="#org-(\d+)">', text)
    assert rows == cards  # the summary table jumps to each card, in the same order (nearest first)
    for org_id, referral in shown.items():
        card = text.split(f'id="org-{org_id}"')[1].split("</article>")[0]
        assert str(escape(referral.organisation.name)) in card
        if referral.distance_km is not None:
            assert f"{referral.distance_km:,.1f} km" in card
    totals = text.split('class="service-totals"')[1].split("</p>")[0]
    for group in groups:
        if group.is_gap:
            assert re.search(rf'<li class="gap" data-code="{group.code}">{re.escape(group.term.en)}</li>', text)
            assert f"service={group.code}" not in totals
        else:
            assert f"/organisations?district={LA}&amp;service={group.code}" in totals
            assert f"{group.term.en} ({group.total})" in totals


def district_referrals_in_request(app, code):
    with app.test_request_context("/"):
        return district_referrals(district(code))


def test_gaps_are_listed_by_name_and_not_by_colour_alone(app):
    with app.test_request_context("/"):
        for dist in db.session.scalars(select(ConsularDistrict).order_by(ConsularDistrict.code)):
            groups = district_referrals(dist, per_service=1)
            gaps = [g for g in groups if g.is_gap]
            if gaps and len(gaps) < len(groups):
                code = dist.code
                break
        else:
            pytest.fail("the demo world has no district with both gaps and organisations")
    text = app.test_client().get(f"/districts/{code}?lang=en").get_data(as_text=True)
    listed = text.split('id="gaps-title"')[1].split("</section>")[0]
    assert "Services with no organisation in this district" in text
    for gap in gaps:
        assert f'<li class="gap" data-code="{gap.code}">{gap.term.en}</li>' in listed
    for group in groups:
        if not group.is_gap:
            assert group.term.en not in listed


def test_approximate_note_and_consulate_facts(client):
    text = client.get(f"/districts/{LA}?lang=en").get_data(as_text=True)
    assert "Approximate district." in text
    assert 'class="notice approx"' in text
    assert "Source:" in text
    assert "Consulado General de México en Los Ángeles" in text or "Consulate General of Mexico in Los Angeles" in text
    assert "Consulate general" in text
    assert "Los Angeles (US-06037)" in text


def test_print_stylesheet_is_linked_for_print_only(client):
    text = client.get(f"/districts/{LA}").get_data(as_text=True)
    assert re.search(r'<link rel="stylesheet" href="/static/css/print.css" media="print">', text)
    css = client.get("/static/css/print.css").get_data(as_text=True)
    for selector in (".site-header nav", ".filters", ".district-map", ".leaflet-control-container"):
        assert selector in css.split("display: none")[0]
    assert "break-inside: avoid" in css


def test_single_service_view_and_unknown_service(client):
    text = client.get(f"/districts/{LA}?service=legal_assistance&lang=en").get_data(as_text=True)
    assert 'name="service" value="legal_assistance" checked' in text
    assert 'name="service" value="shelter" checked' not in text
    assert "Organisations offering: Legal assistance" in text
    for card in text.split('<article class="org-card"')[1:]:
        assert "<strong>Legal aid</strong>" in card.split("</article>")[0]
    assert client.get(f"/districts/{LA}?service=nonsense").status_code == 404
    assert client.get("/districts/NOPE").status_code == 404


def test_district_page_reads_a_bounded_number_of_statements(app):
    statements = []

    def count(*_args):
        statements.append(1)

    client = app.test_client()
    client.get(f"/districts/{LA}")  # warm caches
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(f"/districts/{LA}").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) <= 15, len(statements)


def test_district_list_filters_by_sending_and_host_country(client):
    text = client.get("/districts?sending=GT&host=US&lang=es").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td>(\w\w)</td>", text)
    assert rows and set(rows) == {"GT"}
    assert "(Estados Unidos)" in text and "(México)" not in text
    everything = client.get("/districts?lang=es").get_data(as_text=True)
    assert len(re.findall(r"<tr>\s*<td>\w\w</td>", everything)) > len(rows)
    bad = client.get("/districts?sending=<script>&lang=en")
    assert bad.status_code == 400
    assert "Unknown country code" in bad.get_data(as_text=True)
    assert "<script>" not in bad.get_data(as_text=True).split("<main>")[1]


HIDDEN_LON, HIDDEN_LAT = -118.31234, 34.06789


def hidden_organisation(**overrides) -> dict:
    data = {
        "name": "Casa Oculta <img src=x onerror=alert(1)>",
        "kind": "shelter",
        "country_code": "US",
        "status": "published",
        "hide_exact_location": True,
        "website": "https://oculta.example.org",
        "email": "refugio@example.org",
        "locations": [{"lon": HIDDEN_LON, "lat": HIDDEN_LAT, "address": "Calle Secreta 123", "city": "Los Angeles"}],
        "services": [{"category": "shelter"}],
        "coverage": [{"kind": "admin_unit", "unit": "US-06037"}],
    }
    data.update(overrides)
    return data


def test_hidden_site_is_not_revealed_and_unsafe_links_are_dropped(fresh_app):
    with fresh_app.app_context():
        org = create_organisation(hidden_organisation())
        org.website = "javascript:alert(1)"  # the service refuses it; an older row or an import might not
        db.session.commit()
        site = db.session.scalar(select(Location).where(Location.organisation_id == org.id))
        public = (site.public_lon, site.public_lat)
        consulate = district(LA).consulate
        public_km = geodesic_km(consulate.lon, consulate.lat, [public[0]], [public[1]])[0]
        exact_km = geodesic_km(consulate.lon, consulate.lat, [HIDDEN_LON], [HIDDEN_LAT])[0]
    assert round(public_km, 1) != round(exact_km, 1)
    text = fresh_app.test_client().get(f"/districts/{LA}?service=shelter&lang=en").get_data(as_text=True)
    assert "Casa Oculta &lt;img src=x onerror=alert(1)&gt;" in text
    assert "<img src=x" not in text
    assert "javascript:" not in text
    assert "Calle Secreta" not in text
    assert "exact location withheld" in text
    assert str(HIDDEN_LON)[:9] not in text and str(HIDDEN_LAT)[:8] not in text
    section = text.split("Casa Oculta")[1][:400]
    assert f"{public_km:,.1f} km" in section
    consular = login_as(fresh_app.test_client(), "consular")
    text = consular.get(f"/districts/{LA}?service=shelter&lang=en").get_data(as_text=True)
    assert "Calle Secreta 123" in text
    assert f"{exact_km:,.1f} km" in text.split("Casa Oculta")[1][:400]


def test_contacts_are_printed_in_full(fresh_app):
    with fresh_app.app_context():
        create_organisation(
            hidden_organisation(
                name="Centro Visible",
                hide_exact_location=False,
                website="https://centro.example.org/ayuda",
                phones=[{"number": "+1 213 555 0100", "extension": "12"}],
                contacts=[{"name": "Ana Pérez", "email": "ana@example.org"}],
            )
        )
        db.session.commit()
    text = fresh_app.test_client().get(f"/districts/{LA}?service=shelter").get_data(as_text=True)
    block = next(card for card in text.split('<article class="org-card"')[1:] if "Centro Visible" in card)
    block = block.split("</article>")[0]
    assert '<a href="https://centro.example.org/ayuda" rel="noopener noreferrer nofollow">' in block
    assert "refugio@example.org" in block
    assert "Calle Secreta 123" in block
    for expected in ("+1 213 555 0100", "Ana Pérez", "ana@example.org"):
        assert expected in text


def test_joint_office_and_official_district(fresh_app):
    with fresh_app.app_context():
        # The shipped data holds no joint office (TRICAMEX is a network of consulates, not an office):
        # a joint one is made here, as a data file could hold one.
        joint = Consulate(
            code="JOINT-US-MCALLEN",
            kind=ConsulateKind.SERVICE_WINDOW,
            host_country_code="US",
            city="McAllen",
            lon=-98.23001,
            lat=26.20341,
            name_es="Ventanilla conjunta en McAllen",
            name_en="Joint service window in McAllen",
            source="https://example.org/joint",
            source_date="2026",
        )
        joint.sending_countries = list(
            db.session.scalars(select(Country).where(Country.code.in_(["GT", "HN", "MX", "SV"])))
        )
        db.session.add(joint)
        db.session.flush()
        district = ConsularDistrict(
            code="GT-JOINT-MCALLEN", consulate_id=joint.id, sending_country_code="GT", source="", area_km2=0.0
        )
        db.session.add(district)
        source = DistrictSource(citation="Acuerdo <b>oficial</b> 2026", file_name="acuerdo.csv")
        db.session.add(source)
        db.session.flush()
        hidalgo = db.session.scalar(select(AdminUnit.id).where(AdminUnit.code == "US-48215"))
        set_district_units(district, {hidalgo: source.id})  # official, from that source
        db.session.commit()
    page = fresh_app.test_client().get("/districts/GT-JOINT-MCALLEN?lang=en")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Service window" in text
    assert "Joint office of Guatemala, Honduras, Mexico, El Salvador" in text
    assert "Official consular district." in text
    assert "Provenance: official, source Acuerdo &lt;b&gt;oficial&lt;/b&gt; 2026, undated." in text
    assert "Approximate district." not in text
