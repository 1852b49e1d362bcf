"""Nearest partners: from a consulate, a place or a point, with a service filter; bad input
gets a message; hidden sites stay hidden from the public."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import Consulate
from directory_app.organisations.models import Location, Organisation
from directory_app.organisations.queries import nearest_organisations
from directory_app.organisations.services import create_organisation
from geo.nearest import geodesic_km
from tests.conftest import login_as


def result_names(html: str) -> list[str]:
    body = html.split('<table class="results">')[1].split("</table>")[0]
    return re.findall(r"<tr>\s*<td>\d+</td>\s*<td>(?:<a href=\"[^\"]*\">)?([^<]*)", body)


def expected_names(app, lon, lat, k, category=None, exact=False) -> list[str]:
    with app.app_context():
        found = nearest_organisations(lon, lat, k=k, category=category, exact=exact)
        names = {o.id: o.name for o in db.session.scalars(select(Organisation))}
        return [str(escape(names[n.organisation_id])) for n in found]


def test_nearest_to_a_consulate_with_a_service(client):
    with client.application.app_context():
        la = db.session.scalar(select(Consulate).where(Consulate.code == "MX-US-LOS-ANGELES"))
        point = (la.lon, la.lat)
    page = client.get("/nearest?consulate=MX-US-LOS-ANGELES&service=legal_assistance&k=5&lang=en")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert result_names(text) == expected_names(client.application, *point, 5, "legal_assistance")
    assert len(result_names(text)) == 5
    assert 'value="MX-US-LOS-ANGELES" selected' in text
    assert re.search(r"\d+\.\d km</td>", text)
    assert "Legal assistance" in text.split('<table class="results">')[1]


def test_nearest_to_a_typed_place(client):
    text = client.get("/nearest?place=Tapachula&k=3&lang=en").get_data(as_text=True)
    assert "Nearest to Tapachula" in text
    with client.application.test_request_context("/"):
        from directory_app.geography.places import current_gazetteer

        place = current_gazetteer().search("Tapachula")[0].place
    assert result_names(text) == expected_names(client.application, place.lon, place.lat, 3)


def test_an_ambiguous_place_offers_choices_that_search_from_them(client):
    text = client.get("/nearest?place=san+jose&service=shelter&lang=en").get_data(as_text=True)
    assert "Which place do you mean?" in text
    assert '<table class="results">' not in text
    links = re.findall(r'<a href="(/nearest\?[^"]+)">San Jos', text)
    assert len(links) >= 2
    follow = client.get(links[0].replace("&amp;", "&"))
    assert follow.status_code == 200
    assert "service=shelter" in links[0]
    assert '<table class="results">' in follow.get_data(as_text=True)
    # the chosen place is titled with its state and country
    assert re.search(r"Nearest to San Jos[eé], [^<]+, (Costa Rica|United States)</h2>", follow.get_data(as_text=True))


def test_nearest_to_a_point_from_a_map_click_is_titled_by_the_place(client):
    """A map click sends only lat and lon: the title names the place, not the coordinates."""
    text = client.get("/nearest?lat=34.05&lon=-118.24&k=4&lang=en").get_data(as_text=True)
    assert "Nearest to Los Angeles, California, United States</h2>" in text
    assert "34.0500, -118.2400" not in text
    assert result_names(text) == expected_names(client.application, -118.24, 34.05, 4)
    # away from any city: the county or state, the country and the nearest city with its distance
    text = client.get("/nearest?lat=29.9&lon=-95.0&k=1&lang=en").get_data(as_text=True)
    assert re.search(r"Nearest to Harris County, Texas, United States, \d+ km from [^<]+</h2>", text)
    # a label given with the point (a chosen suggestion) is kept
    text = client.get("/nearest?lat=14.9&lon=-92.26&label=Tapachula+centro&k=1&lang=en").get_data(as_text=True)
    assert "Nearest to Tapachula centro</h2>" in text


@pytest.mark.parametrize(
    "typed", ["tapachula chiapas", "Tapachula, Chiapas", "tapachula chis", "Tapachula, Chiapas, México"]
)
def test_a_place_typed_with_its_state_is_found(client, typed):
    page = client.get("/nearest", query_string={"place": typed, "k": 3, "lang": "en"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Nearest to Tapachula, Chiapas, Mexico</h2>" in text
    assert "Which place do you mean?" not in text


def test_houston_tx_is_the_city_in_texas(client):
    text = client.get("/nearest?place=houston+tx&k=3&lang=en").get_data(as_text=True)
    assert "Nearest to Houston, Texas, United States</h2>" in text
    assert "Which place do you mean?" not in text


def test_an_unknown_place_says_so(client):
    page = client.get("/nearest?place=Qwxzyville&lang=en")
    assert page.status_code == 400
    assert "No place called “Qwxzyville” was found" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "query, message",
    [
        ("lat=200&lon=3", "Latitude must lie between -90 and 90"),
        ("lat=10&lon=-181", "Latitude must lie between -90 and 90"),
        ("lat=nan&lon=3", "Latitude must lie between -90 and 90"),
        ("lat=abc&lon=3", "must both be numbers"),
        ("lat=10", "must both be numbers"),
        ("k=abc&consulate=MX-US-LOS-ANGELES", "whole number from 1 to 50"),
        ("k=0&consulate=MX-US-LOS-ANGELES", "whole number from 1 to 50"),
        ("k=51&consulate=MX-US-LOS-ANGELES", "whole number from 1 to 50"),
        ("k=-3&consulate=MX-US-LOS-ANGELES", "whole number from 1 to 50"),
        ("consulate=NOPE", "Unknown consulate"),
        ("consulate=" + "X" * 500, "Unknown consulate"),
        ("consulate=MX-US-LOS-ANGELES&service=nonsense", "Unknown service"),
    ],
)
def test_bad_input_gets_a_clear_message(client, query, message):
    page = client.get(f"/nearest?{query}&lang=en")
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert message in text
    assert 'role="alert"' in text
    assert '<table class="results">' not in text


def test_the_empty_form(client):
    page = client.get("/nearest")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for field in ('name="consulate"', 'name="place"', 'name="service"', 'name="k"'):
        assert field in text
    assert '<label for="place">' in text


HIDDEN = (-92.27345, 14.91234)


def test_hidden_sites_are_searched_and_shown_at_their_public_position(fresh_app):
    with fresh_app.app_context():
        org = create_organisation(
            {
                "name": "Refugio Reservado",
                "kind": "shelter",
                "country_code": "MX",
                "status": "published",
                "hide_exact_location": True,
                "locations": [{"lon": HIDDEN[0], "lat": HIDDEN[1], "address": "Calle Escondida 9"}],
                "services": [{"category": "shelter"}],
                "coverage": [],
            }
        )
        db.session.commit()
        site = db.session.scalar(select(Location).where(Location.organisation_id == org.id))
        public = (site.public_lon, site.public_lat)
    assert public != HIDDEN
    origin = (HIDDEN[0] + 0.01, HIDDEN[1] + 0.01)  # a search point near the hidden site
    public_km = geodesic_km(*origin, [public[0]], [public[1]])[0]
    exact_km = geodesic_km(*origin, [HIDDEN[0]], [HIDDEN[1]])[0]
    assert f"{public_km:.1f}" != f"{exact_km:.1f}"
    query = f"/nearest?lat={origin[1]}&lon={origin[0]}&k=50&service=shelter&lang=en"
    text = fresh_app.test_client().get(query).get_data(as_text=True)
    assert result_names(text) == expected_names(fresh_app, *origin, 50, "shelter", exact=False)
    row = text.split("Refugio Reservado")[1].split("</tr>")[0]
    assert f"{public_km:,.1f} km" in row
    for secret in (f"{HIDDEN[0]:.4f}", f"{HIDDEN[1]:.4f}", "Calle Escondida"):
        assert secret not in text  # nowhere: not in the table, nor in the map, nor in directions links
    table_row = _row_of(text, "Refugio Reservado")
    assert f"geo:{public[1]:.5f},{public[0]:.5f}" in table_row  # directions lead to the public position
    consular = login_as(fresh_app.test_client(), "consular")
    text = consular.get(query).get_data(as_text=True)
    assert result_names(text) == expected_names(fresh_app, *origin, 50, "shelter", exact=True)
    row = text.split("Refugio Reservado")[1].split("</tr>")[0]
    assert f"{exact_km:,.1f} km" in row


def _row_of(text: str, name: str) -> str:
    """The results table's row of the organisation `name`."""
    return text.split('<table class="results">')[1].split(name, 1)[1].split("</tr>")[0]


def test_results_show_phone_whatsapp_last_verified_country_and_directions(fresh_app):
    """Results cross the border: each row says its country, its phone (tel: in international format,
    and wa.me for a WhatsApp number), when it was last verified, and how to get there."""
    with fresh_app.app_context():
        for name, country, lon, lat, phone, verified in (
            (
                "Casa del Río Suchiate",
                "MX",
                -92.2601,
                14.9002,
                {"number": "962 625 1234", "type": "whatsapp"},
                "2026-01-15",
            ),
            ("Pastoral de Malacatán", "GT", -92.0601, 14.9102, {"number": "7776 1234", "type": "voice"}, None),
        ):
            create_organisation(
                {
                    "name": name,
                    "kind": "ngo",
                    "country_code": country,
                    "status": "published",
                    "last_verified": verified,
                    "locations": [{"lon": lon, "lat": lat, "city": name.split()[-1]}],
                    "services": [{"category": "shelter"}],
                    "phones": [phone],
                    "coverage": [],
                }
            )
        db.session.commit()
    origin = (-92.16, 14.90)
    text = fresh_app.test_client().get(f"/nearest?lat={origin[1]}&lon={origin[0]}&k=50&lang=en").get_data(as_text=True)
    assert '<th scope="col">Country</th>' in text and '<th scope="col">Phone</th>' in text
    mexican = _row_of(text, "Casa del Río Suchiate")
    assert '<td class="country">Mexico</td>' in mexican
    assert '<a href="tel:+529626251234" class="tel-link">+52 962 625 1234</a>' in mexican
    assert 'href="https://wa.me/529626251234"' in mexican
    assert '<time datetime="2026-01-15">Jan 15, 2026</time>' in mexican
    assert "geo:14.90020,-92.26010" in mexican
    assert "https://www.openstreetmap.org/directions?route=14.90000%2C-92.16000%3B14.90020%2C-92.26010" in mexican
    guatemalan = _row_of(text, "Pastoral de Malacatán")
    assert '<td class="country">Guatemala</td>' in guatemalan
    assert '<a href="tel:+50277761234" class="tel-link">+502 7776 1234</a>' in guatemalan
    assert "wa.me" not in guatemalan  # a voice line is no WhatsApp number
    assert 'class="verified stale">never</td>' in guatemalan
