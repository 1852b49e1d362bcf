"""The directory search: every answer is checked against a brute-force reading of the same data
in Python (the oracle), on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.organisations.models import (
    DistrictCoverage,
    Location,
    Network,
    Organisation,
    Service,
    Status,
)
from directory_app.organisations.search import LANGUAGE_CHOICES, DirectoryQuery, parse_directory_query, search_directory
from directory_app.organisations.searchtext import fold, organisation_search_text, refresh_search_text
from directory_app.organisations.services import create_organisation

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0002_organisation_search_text.py"


@pytest.fixture
def rctx(app):
    with app.test_request_context("/?lang=en"):
        yield
        db.session.rollback()


@pytest.fixture
def fresh_rctx(fresh_app):
    with fresh_app.test_request_context("/?lang=en"):
        yield fresh_app
        db.session.rollback()


def everything() -> list[Organisation]:
    return db.session.scalars(
        select(Organisation).options(
            selectinload(Organisation.services).selectinload(Service.populations),
            selectinload(Organisation.services).selectinload(Service.languages),
            selectinload(Organisation.locations),
            selectinload(Organisation.networks),
        )
    ).all()


def published(predicate=lambda org: True) -> list[Organisation]:
    return [o for o in everything() if o.status == Status.PUBLISHED and predicate(o)]


def by_name(orgs) -> list[int]:
    return [o.id for o in sorted(orgs, key=lambda o: (fold(o.name), o.id))]


def found(per_page: int = 1000, **filters) -> list[int]:
    query, problems = parse_directory_query({k: str(v) for k, v in filters.items()})
    assert problems == []
    page = search_directory(query, per_page=per_page)
    assert page.total == len(page.organisations)
    return [o.id for o in page.organisations]


def test_fold_removes_accents_and_case():
    assert fold("  Asesoría   JURÍDICA Ñandú Straße ") == "asesoria juridica nandu strasse"
    assert fold(None) == ""


def test_search_is_accent_and_case_insensitive(rctx):
    legal = published(lambda o: any(s.category_code == "legal_assistance" for s in o.services))
    assert legal, "the demo data has legal assistance services"
    for typed in ("asesoria juridica", "ASESORÍA Jurídica", "juridica asesoria"):
        assert set(found(q=typed)) >= {o.id for o in legal}
    assert found(q="asesoria zzzqqq") == []


def test_every_word_must_match_somewhere(rctx):
    orgs = published()
    target = next(o for o in orgs if o.locations and o.alternate_name)
    city, acronym = target.locations[0].city, target.alternate_name
    expected = {
        o.id for o in orgs if fold(city) in organisation_search_text(o) and fold(acronym) in organisation_search_text(o)
    }
    assert target.id in expected
    assert set(found(q=f"{city} {acronym}")) == expected


def test_search_text_of_the_demo_data_is_current(rctx):
    for org in everything():
        assert org.search_text == organisation_search_text(org)
        assert org.sort_name == fold(org.name)


def test_unpublished_organisations_are_never_found(rctx):
    hidden = [o for o in everything() if o.status != Status.PUBLISHED]
    assert hidden
    all_found = set(found())
    assert not all_found & {o.id for o in hidden}
    assert found(q=hidden[0].name) == []


@pytest.mark.parametrize(
    "name, value, predicate",
    [
        ("service", "shelter", lambda o: any(s.category_code == "shelter" for s in o.services)),
        ("population", "women", lambda o: any(p.code == "women" for s in o.services for p in s.populations)),
        ("language", "fr", lambda o: any(lang.code == "fr" for s in o.services for lang in s.languages)),
        ("country", "MX", lambda o: o.country_code == "MX"),
        ("network", "RNCOM", lambda o: any(n.code == "RNCOM" for n in o.networks)),
    ],
)
def test_each_filter(rctx, name, value, predicate):
    expected = by_name(published(predicate))
    assert expected, f"the demo data has organisations for {name}={value}"
    assert found(**{name: value}) == expected


def test_every_language_offered_in_the_form_is_valid(rctx):
    for code in LANGUAGE_CHOICES:
        assert parse_directory_query({"language": code}) == (DirectoryQuery(language=code), [])


def test_language_filter_accepts_a_three_letter_code(rctx):
    assert found(language="spa") == found(language="es")
    assert found(language="SPA") == found(language="es")


def test_district_filter(rctx):
    served = db.session.execute(
        select(ConsularDistrict.code, DistrictCoverage.organisation_id)
        .join(DistrictCoverage, DistrictCoverage.district_id == ConsularDistrict.id)
        .where(DistrictCoverage.status == Status.PUBLISHED)
    ).all()
    code = max({c for c, _ in served}, key=lambda c: sum(1 for d, _ in served if d == c))
    ids = {o for c, o in served if c == code}
    assert found(district=code) == by_name(o for o in published() if o.id in ids)


def test_filters_combine(rctx):
    expected = by_name(
        published(lambda o: o.country_code == "US" and any(s.category_code == "legal_assistance" for s in o.services))
    )
    assert found(country="us", service="legal_assistance") == expected


def test_sorts(rctx):
    orgs = published()
    assert found() == by_name(orgs)
    verified = sorted(
        orgs,
        key=lambda o: (
            o.last_verified is None,
            -(o.last_verified.toordinal() if o.last_verified else 0),
            fold(o.name),
            o.id,
        ),
    )
    assert found(sort="verified") == [o.id for o in verified]
    by_country = sorted(orgs, key=lambda o: (o.country_code, fold(o.name), o.id))
    assert found(sort="country") == [o.id for o in by_country]


def test_pages_cover_the_result_once(rctx):
    everyone = found()
    seen = []
    page = search_directory(DirectoryQuery(page=1), per_page=10)
    assert page.total == len(everyone) and page.pages == -(-len(everyone) // 10)
    for number in range(1, page.pages + 1):
        result = search_directory(DirectoryQuery(page=number), per_page=10)
        assert result.total == len(everyone)
        seen += [o.id for o in result.organisations]
    assert seen == everyone
    beyond = search_directory(DirectoryQuery(page=page.pages + 1), per_page=10)
    assert beyond.organisations == [] and beyond.total == len(everyone)


@pytest.mark.parametrize(
    "args, fragment",
    [
        ({"service": "nonsense"}, "not a service category"),
        ({"population": "x"}, "not a population"),
        ({"language": "xx"}, "not an ISO 639"),
        ({"language": "e1"}, "not an ISO 639"),
        ({"language": "<script>"}, "not an ISO 639"),
        ({"country": "ZZ"}, "not a member country"),
        ({"country": "MEX"}, "not a member country"),
        ({"district": "e"}, "type more of the name"),
        ({"network": "NOPE"}, "no network"),
        ({"sort": "random"}, "Sort by one of"),
        ({"page": "0"}, "not a page number"),
        ({"page": "-1"}, "not a page number"),
        ({"page": "1e3"}, "not a page number"),
        ({"q": "a" * 201}, "too long"),
        ({"q": " ".join(f"w{i}" for i in range(13))}, "at most 12 words"),
    ],
)
def test_bad_parameters_give_messages(rctx, args, fragment):
    query, problems = parse_directory_query(args)
    assert len(problems) == 1 and fragment in problems[0]
    assert query == DirectoryQuery()


def test_url_args_round_trip(rctx):
    district = db.session.scalar(select(ConsularDistrict.code).limit(1))
    args = {
        "q": "casa",
        "service": "shelter",
        "population": "women",
        "language": "es",
        "country": "MX",
        "district": district,
        "network": "RNCOM",
        "sort": "verified",
        "page": "2",
    }
    query, problems = parse_directory_query(args)
    assert problems == []
    assert {k: v if isinstance(v, list) else str(v) for k, v in query.url_args().items()} == args | {
        "service": ["shelter"]
    }
    assert query.url_args(page=1).get("page") is None
    assert parse_directory_query(query.url_args())[0] == query


def test_like_wildcards_are_literal(rctx):
    assert found(q="%") == []
    assert found(q="_") == []


def test_edits_keep_the_search_text_current(fresh_rctx):
    org = create_organisation(
        {
            "name": "Casa Ñandú",
            "kind": "shelter",
            "country_code": "MX",
            "status": "published",
            "locations": [{"lon": -92.2633, "lat": 14.9056, "city": "Tapachula"}],
            "services": [{"category": "food", "name": "Comedor Xochiquetzal"}],
            "networks": ["RNCOM"],
        }
    )
    db.session.flush()
    assert found(q="nandu xochiquetzal tapachula") == [org.id]
    assert found(q="regional civiles nandu") == [org.id]  # the network's name

    org.services[0].name = "Cocina Tlalocan"  # a service changes
    db.session.flush()
    assert found(q="nandu xochiquetzal") == [] and found(q="tlalocan") == [org.id]

    org.locations[0].city = "Huixtla"  # a site changes
    db.session.flush()
    assert found(q="tapachula nandu") == [] and found(q="huixtla nandu") == [org.id]

    db.session.add(Service(organisation=org, category_code="education", name="Escuela Quetzalcóatl"))
    db.session.flush()
    assert found(q="quetzalcoatl") == [org.id]

    db.session.delete(org.services[0])
    db.session.flush()
    assert found(q="tlalocan") == []

    network = db.session.scalar(select(Network).where(Network.code == "RNCOM"))
    network.name = "Red Zempoaltépetl"  # a network is renamed
    db.session.flush()
    assert org.id in found(q="zempoaltepetl")

    org.name, org.alternate_name = "Refugio Ximena", "RX-Ç"
    db.session.flush()
    assert found(q="ximena rx-c") == [org.id] and found(q="nandu") == []
    assert org.sort_name == "refugio ximena"


def test_bulk_refresh_and_migration_backfill_agree_with_the_orm(fresh_rctx):
    orgs = everything()
    expected = {o.id: organisation_search_text(o) for o in orgs}
    db.session.execute(update(Organisation).values(search_text="", sort_name=""))
    refresh_search_text(list(expected))
    db.session.expire_all()
    assert dict(db.session.execute(select(Organisation.id, Organisation.search_text)).all()) == expected

    spec = importlib.util.spec_from_file_location("migration_0002", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.session.execute(update(Organisation).values(search_text="", sort_name=""))
    migration._backfill(db.session.connection())
    db.session.expire_all()
    assert dict(db.session.execute(select(Organisation.id, Organisation.search_text)).all()) == expected
    names = dict(db.session.execute(select(Organisation.id, Organisation.name)).all())
    sort_names = dict(db.session.execute(select(Organisation.id, Organisation.sort_name)).all())
    assert sort_names == {i: fold(n) for i, n in names.items()}


def test_location_added_by_id_updates_its_organisation(fresh_rctx):
    org = db.session.scalar(select(Organisation).where(Organisation.status == Status.PUBLISHED).limit(1))
    template = org.locations[0]
    columns = {c.key: getattr(template, c.key) for c in Location.__table__.columns if c.key not in ("id", "uuid")}
    db.session.add(Location(**{**columns, "city": "Zacualpan de Amilpas"}))
    db.session.flush()
    assert found(q="zacualpan amilpas") == [org.id]


def test_inactive_services_are_not_offered(fresh_rctx):
    org = create_organisation(
        {
            "name": "Casa Tonantzin",
            "kind": "shelter",
            "country_code": "MX",
            "status": "published",
            "services": [{"category": "repatriation_remains", "name": "Traslado Mictlán", "languages": ["miq"]}],
        }
    )
    db.session.flush()
    assert org.id in found(service="repatriation_remains", language="miq")
    assert found(q="mictlan") == [org.id]
    org.services[0].is_active = False
    db.session.flush()
    assert org.id not in found(service="repatriation_remains")
    assert org.id not in found(language="miq")
    assert found(q="mictlan") == [] and found(q="tonantzin") == [org.id]
    page = search_directory(parse_directory_query({"q": "tonantzin"})[0])
    assert page.organisations[0].categories == []
