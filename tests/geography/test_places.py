"""The offline gazetteer: folding, ranking, ambiguity, and /places for autocomplete."""

from __future__ import annotations

import pytest

from directory_app.extensions import db
from directory_app.geography.places import Gazetteer, Place, fold, is_ambiguous, search_places


def test_fold_removes_accents_case_and_punctuation():
    assert fold("Montréal-Nord") == "montreal nord"
    assert fold("  SAN JOSÉ ") == "san jose"
    assert fold("Ciudad de México, D.F.") == "ciudad de mexico d f"
    assert fold("ÑUÑOA") == "nunoa"


def small_gazetteer() -> Gazetteer:
    places = [
        Place("San José", "city", -84.08, 9.93, "CR", 335_000, keys={fold("San José")}),
        Place("San Jose", "consulate_city", -121.89, 37.34, "US", 1_000_000, keys={fold("San Jose")}),
        Place("San José del Cabo", "city", -109.7, 23.06, "MX", 70_000, keys={fold("San José del Cabo")}),
        Place("Puerto San José", "city", -90.82, 13.93, "GT", 18_000, keys={fold("Puerto San José")}),
        Place("Tapachula", "city", -92.26, 14.9, "MX", 200_000, keys={"tapachula"}, alternates={"tapachula cordova"}),
        Place("Chiapas", "admin_unit", -92.5, 16.5, "MX", keys={"chiapas"}),
        Place("Chiapa de Corzo", "city", -93.0, 16.7, "MX", 45_000, keys={"chiapa de corzo"}, alternates={"chiapas"}),
    ]
    names = {"en": {"CR": "Costa Rica", "US": "United States", "MX": "Mexico", "GT": "Guatemala"}}
    return Gazetteer(places, names, {"en": {}})


def test_exact_before_prefix_before_word_then_population():
    found = [m.place.name for m in small_gazetteer().search("san jose")]
    assert found[:2] == ["San Jose", "San José"]  # both exact, the larger first
    assert found[2] == "San José del Cabo"  # prefix
    assert found[3] == "Puerto San José"  # word
    assert [m.rank // 2 for m in small_gazetteer().search("san jose")] == [0, 0, 1, 2]


def test_a_name_beats_another_name_of_a_place():
    found = small_gazetteer().search("Chiapas")
    assert [m.place.name for m in found] == ["Chiapas", "Chiapa de Corzo"]
    assert found[0].rank < found[1].rank


def test_alternate_names_and_word_prefixes_match():
    gazetteer = small_gazetteer()
    assert [m.place.name for m in gazetteer.search("tapachula cor")] == ["Tapachula"]
    assert [m.place.name for m in gazetteer.search("cabo")] == ["San José del Cabo"]
    assert gazetteer.search("") == [] and gazetteer.search("zzz") == []


def test_ambiguity_means_far_apart_places_of_the_same_rank():
    gazetteer = small_gazetteer()
    assert is_ambiguous(gazetteer.search("san jose"))
    assert not is_ambiguous(gazetteer.search("tapachula"))
    assert not is_ambiguous(gazetteer.search("chiapas"))
    assert not is_ambiguous([])


@pytest.fixture
def rctx(app):
    with app.test_request_context("/"):
        yield
        db.session.rollback()


@pytest.mark.usefixtures("rctx")
def test_real_gazetteer_finds_member_cities_accent_insensitively():
    tapachula = search_places("Tapachula", "en")
    assert tapachula[0]["name"] == "Tapachula"
    assert tapachula[0]["detail"] == "Chiapas, Mexico"
    assert tapachula[0]["kind"] == "consulate_city"
    assert tapachula[0]["lon"] == pytest.approx(-92.26, abs=0.05)
    assert tapachula[0]["lat"] == pytest.approx(14.9, abs=0.05)
    montreal = search_places("Montreal", "en")
    assert montreal[0]["name"] == "Montréal" and montreal[0]["detail"].endswith("Canada")
    san_jose = search_places("san jose", "en")
    countries = {p["detail"].rsplit(", ", 1)[-1] for p in san_jose if p["name"] in ("San José", "San Jose")}
    assert {"Costa Rica", "United States"} <= countries


@pytest.mark.usefixtures("rctx")
def test_real_gazetteer_holds_admin_units_and_consulate_cities():
    chiapas = search_places("chiapas", "es")[0]
    assert (chiapas["name"], chiapas["kind"], chiapas["detail"]) == ("Chiapas", "admin_unit", "México")
    county = [p for p in search_places("Los Angeles", "en") if p["kind"] == "admin_unit"]
    assert county and county[0]["detail"] == "California, United States"
    assert search_places("Ciudad de Mexico", "en")[0]["name"] == "Ciudad de México"


def test_places_endpoint_returns_json_for_autocomplete(client):
    response = client.get("/places?q=tapach")
    assert response.status_code == 200 and response.is_json
    data = response.get_json()
    assert 1 <= len(data) <= 10
    assert set(data[0]) == {"name", "detail", "lon", "lat", "kind"}
    assert data[0]["name"] == "Tapachula"
    assert len(client.get("/places?q=san").get_json()) == 10


@pytest.mark.parametrize("query", ["", "a", "%00", "<script>", "x" * 5000, "'; drop table consulate; --"])
def test_places_endpoint_takes_any_text(client, query):
    response = client.get("/places", query_string={"q": query})
    assert response.status_code == 200
    assert isinstance(response.get_json(), list)


def test_a_name_followed_by_its_state_or_country_finds_the_place():
    names = {"en": {"CR": "Costa Rica", "US": "United States", "MX": "Mexico", "GT": "Guatemala"}}
    units = {"en": {1: "Chiapas", 2: "California", 3: "San José"}}
    places = [p for p in small_gazetteer().places]
    places[4].unit_id = 1  # Tapachula, Chiapas
    places[1].unit_id = 2  # San Jose, California
    places[0].unit_id = 3  # San José, San José (Costa Rica)
    gazetteer = Gazetteer(places, names, units, {1: "MX-CHP", 2: "US-CA", 3: "CR-SJ"})
    for typed in ("tapachula chiapas", "Tapachula, Chiapas", "tapachula chis", "tapachula chia", "tapachula mexico"):
        assert [m.place.name for m in gazetteer.search(typed)] == ["Tapachula"], typed
    assert [m.place.country_code for m in gazetteer.search("san jose ca")][:1] == ["US"]
    assert [m.place.country_code for m in gazetteer.search("san jose, costa rica")][:1] == ["CR"]
    assert not is_ambiguous(gazetteer.search("san jose costa rica"))
    assert gazetteer.search("tapachula guatemala") == []  # a qualifier that names another country
    assert gazetteer.search("tapachula ch") == []  # two letters name a state only by its code


@pytest.mark.usefixtures("rctx")
def test_real_gazetteer_reads_city_and_state_as_people_type_them():
    for typed in ("tapachula chiapas", "Tapachula, Chiapas", "Tapachula, Chiapas, México"):
        found = search_places(typed, "en")
        assert (found[0]["name"], found[0]["detail"]) == ("Tapachula", "Chiapas, Mexico"), typed
    houston = search_places("houston tx", "en")
    assert (houston[0]["name"], houston[0]["kind"], houston[0]["detail"]) == (
        "Houston",
        "consulate_city",
        "Texas, United States",
    )
    assert search_places("leon gto", "en")[0]["detail"] == "Guanajuato, Mexico"
    # a county is "Harris County" (its bare name is another name, below a city's)
    harris = [p for p in search_places("harris county", "en") if p["detail"] == "Texas, United States"]
    assert harris and harris[0]["kind"] == "admin_unit"


@pytest.mark.usefixtures("rctx")
def test_a_houston_is_the_city_unless_a_county_is_asked_for():
    from directory_app.geography.places import current_gazetteer

    matches = current_gazetteer().search("houston")
    assert matches[0].place.kind == "consulate_city" and not is_ambiguous(matches)


@pytest.mark.usefixtures("rctx")
def test_every_city_is_placed_in_a_unit_of_its_own_country():
    """Ciudad Hidalgo (Chiapas) lies on the Suchiate, on the border: its point falls just inside
    Guatemala's San Marcos at 1:10m, but it is a Mexican town of Chiapas."""
    hidalgo = [p for p in search_places("Ciudad Hidalgo", "es") if -93 < p["lon"] < -92]  # on the Suchiate
    assert hidalgo and hidalgo[0]["detail"] == "Chiapas, México"
    from directory_app.geography.models import AdminUnit
    from directory_app.geography.places import current_gazetteer

    gazetteer = current_gazetteer()
    unit_country = dict(db.session.execute(db.select(AdminUnit.id, AdminUnit.country_code)).all())
    wrong = [
        (p.name, p.country_code, unit_country[p.unit_id])
        for p in gazetteer.places
        if p.kind != "admin_unit" and p.unit_id is not None and unit_country[p.unit_id] != p.country_code
    ]
    assert wrong == []


@pytest.mark.usefixtures("rctx")
def test_a_point_is_named_by_its_city_or_its_units():
    from directory_app.geography.place_names import describe_point

    assert describe_point(-92.26, 14.9, "en") == "Tapachula, Chiapas, Mexico"
    assert describe_point(-118.24, 34.05, "es") == "Los Angeles, California, Estados Unidos"
    harris = describe_point(-95.0, 29.9, "en")
    assert harris.startswith("Harris County, Texas, United States, ") and " km from " in harris
    assert describe_point(-90.0, 25.0, "en") is None  # the Gulf of Mexico, far from any city
