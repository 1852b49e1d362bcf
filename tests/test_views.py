"""The pages a person sees: what they say, and that entered text is escaped."""

from directory_app.extensions import db
from directory_app.organisations.services import create_organisation


def test_statistics_page_counts(client):
    page = client.get("/statistics?lang=es")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Directorio CAMMINA" in text
    assert "Guatemala" in text and "México" in text


def test_district_list_flags_approximate_districts(client):
    page = client.get("/districts?lang=es")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Consulado General de México en Los Ángeles" in text
    assert text.count("badge approx") > 100


def test_district_page_says_it_is_approximate_and_lists_organisations(client):
    page = client.get("/districts/MX-US-LOS-ANGELES?lang=en")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Approximate district." in text
    assert "DEMO " in text
    assert "Los Angeles (US-06037)" in text


def test_district_page_filters_by_service(client):
    all_orgs = client.get("/districts/MX-US-LOS-ANGELES").get_data(as_text=True)
    legal = client.get("/districts/MX-US-LOS-ANGELES?service=legal_assistance").get_data(as_text=True)
    assert 0 < legal.count('class="org-card"') <= all_orgs.count('class="org-card"')
    assert 'name="service" value="legal_assistance" checked' in legal
    assert client.get("/districts/MX-US-LOS-ANGELES?service=nonsense").status_code == 404


def test_unknown_district_is_a_404_page(client):
    page = client.get("/districts/NOPE")
    assert page.status_code == 404
    assert "Error 404" in page.get_data(as_text=True)


def test_organisation_names_are_escaped(fresh_app):
    with fresh_app.app_context():
        create_organisation(
            {
                "name": '<script>alert("x")</script> Casa',
                "kind": "shelter",
                "country_code": "US",
                "status": "published",
                "locations": [{"lon": -118.2437, "lat": 34.0522}],
                "services": [{"category": "shelter"}],  # district pages group organisations by service
                "coverage": [{"kind": "admin_unit", "unit": "US-CA"}],
            }
        )
        db.session.commit()
    text = fresh_app.test_client().get("/districts/MX-US-LOS-ANGELES").get_data(as_text=True)
    assert '<script>alert("x")</script>' not in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Casa" in text


def test_statistics_are_in_spanish(client):
    text = client.get("/statistics", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "<dt>distritos aproximados</dt>" in text
    assert "<dt>approximate districts</dt>" not in text


def test_pages_describe_themselves_for_search_engines(fresh_app):
    """Every page has a meta description (search results, link previews); an organisation's page has its
    own description, escaped inside the attribute."""
    with fresh_app.app_context():
        org = create_organisation(
            {
                "name": "Casa Descrita",
                "kind": "shelter",
                "country_code": "US",
                "status": "published",
                "description": 'Albergue "seguro"><script>alert(1)</script> para familias',
                "locations": [{"lon": -118.2437, "lat": 34.0522}],
            }
        )
        db.session.commit()
        uuid = org.uuid
    client = fresh_app.test_client()
    home = client.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<meta name="description" content="Organizaciones de la sociedad civil' in home
    page = client.get(f"/organisations/{uuid}").get_data(as_text=True)
    assert '<meta name="description" content="Albergue &#34;seguro&#34;&gt;&lt;script&gt;alert(1)' in page
    assert "<script>alert(1)</script>" not in page
