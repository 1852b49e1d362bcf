"""One definition of an organisation's data (organisations.entry_data): the stored JSON of every field
reads back to the same JSON, old snapshots still load, ABSENT (say nothing) is not empty (clear),
the write path leaves ABSENT fields alone, and the labels come in the reader's language."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.organisations.entry_data import (
    ABSENT,
    CLEARABLE,
    FIELDS,
    ITEM_TYPES,
    LIST_FIELDS,
    EntryData,
    SiteData,
    spec,
)
from directory_app.organisations.entry_diff import has_snapshot_shape
from directory_app.organisations.entry_labels import field_label
from directory_app.organisations.entry_of import exchange_snapshot, snapshot_of
from directory_app.organisations.models import Organisation, Status
from directory_app.organisations.services import build_organisation, discard, update_organisation

EVERY_FIELD = {
    "id": "6f1c2a6e-8d1b-4a53-9a41-0c8f6a3f3f01",
    "name": "Casa del Migrante",
    "alternate_name": "CdM",
    "description": "Albergue y asesoría",
    "kind": "shelter",
    "website": "https://example.org",
    "email": "info@example.org",
    "country_code": "MX",
    "status": "published",
    "hide_exact_location": True,
    "last_verified": "2026-01-31",
    "external_id": "MX-001",
    "networks": ["rncom"],
    "original_language": "es",
    "translations": {"description": {"en": "Shelter and advice", "fr": "Refuge et conseil"}},
    "services": [
        {
            "id": "6f1c2a6e-8d1b-4a53-9a41-0c8f6a3f3f02",
            "category": "shelter",
            "name": "Albergue",
            "description": "Camas",
            "eligibility": "Adultos",
            "fees": "Gratis",
            "schedule": "24 h",
            "populations": ["women"],
            "languages": ["es", "mam"],
            "translations": {"schedule": {"en": "24 hours"}},
        }
    ],
    "locations": [
        {
            "id": "6f1c2a6e-8d1b-4a53-9a41-0c8f6a3f3f03",
            "name": "Sede",
            "address": "Calle 1",
            "city": "Tijuana",
            "region": "Baja California",
            "postal_code": "22000",
            "country_code": "MX",
            "lon": -117.03,
            "lat": 32.52,
            "precision": "exact",
        }
    ],
    "contacts": [
        {
            "id": "6f1c2a6e-8d1b-4a53-9a41-0c8f6a3f3f04",
            "name": "Ana",
            "title": "Coordinadora",
            "department": "Acogida",
            "email": "ana@example.org",
        }
    ],
    "phones": [
        {
            "id": "6f1c2a6e-8d1b-4a53-9a41-0c8f6a3f3f05",
            "number": "+52 664 000 0000",
            "type": "voice",
            "extension": "12",
            "description": "Recepción",
            "contact": 0,
        }
    ],
    "coverage": [
        {"id": "6f1c2a6e-8d1b-4a53-9a41-0c8f6a3f3f06", "kind": "admin_unit", "label": "", "unit": "MX-BCN"},
        {"kind": "country", "label": "Todo el país", "country": "MX"},
        {"kind": "radius", "label": "", "location": 0, "radius_km": 25.0},
        {
            "kind": "polygon",
            "label": "Zona",
            "geometry": {"type": "Polygon", "coordinates": [[[-117, 32], [-116, 32], [-116, 33], [-117, 32]]]},
        },
    ],
    "extra": {"phone_referrals": "yes"},
}


def test_every_field_goes_to_json_and_back_unchanged():
    assert set(EVERY_FIELD) == {"id", *FIELDS}, "the example names every field of the definition"
    for name in LIST_FIELDS:
        keys = {key for item in EVERY_FIELD[name] for key in item}
        assert keys >= {f.name for f in dataclasses.fields(ITEM_TYPES[name]) if f.name != "id"} - {
            "country",
            "unit",
            "location",
            "radius_km",
            "geometry",
        }
    entry = EntryData.from_json(EVERY_FIELD)
    assert entry.to_json() == EVERY_FIELD
    assert EntryData.from_json(entry.to_json()) == entry
    assert isinstance(entry.locations[0], SiteData) and entry.locations[0].lon == -117.03


def test_an_older_snapshot_still_loads():
    """Snapshots stored before items had ids, texts in other languages or additional information."""
    old = {
        "name": "Antigua",
        "kind": "ngo",
        "country_code": "GT",
        "status": "published",
        "hide_exact_location": False,
        "last_verified": None,
        "services": [{"category": "food", "name": "Comedor", "populations": [], "languages": ["es"]}],
        "phones": [{"number": "555 1234", "type": "voice", "contact": None}],
    }
    entry = EntryData.from_json(old)
    assert entry.services[0].id is None and entry.services[0].translations == {}
    assert entry.translations == {} and entry.locations == [] and entry.coverage == []
    # what older snapshots lack is left alone, not cleared
    assert entry.extra is ABSENT and entry.original_language is ABSENT
    assert entry.to_json() == old | {
        "alternate_name": "",
        "description": "",
        "website": "",
        "email": "",
        "external_id": "",
        "networks": [],
        "translations": {},
        "services": [
            old["services"][0]
            | {"description": "", "eligibility": "", "fees": "", "schedule": ""}
            | {"translations": {}}
        ],  # fmt: skip
        "locations": [],
        "contacts": [],
        "phones": [old["phones"][0] | {"extension": "", "description": ""}],
        "coverage": [],
    }


def test_absent_is_not_empty():
    said = EntryData.from_json({"name": "Nuevo", "website": ""}, partial=True)
    assert said.name == "Nuevo" and said.website == ""  # "" clears the website
    assert said.description is ABSENT and said.services is ABSENT and said.hide_exact_location is ABSENT
    assert said.said() == ["name", "website"]
    assert said.to_json() == {"name": "Nuevo", "website": ""}
    stored = EntryData.from_json(EVERY_FIELD)
    laid = stored.overlay(said)
    assert laid.name == "Nuevo" and laid.website == "" and laid.description == EVERY_FIELD["description"]
    assert laid.services == stored.services and laid.hide_exact_location is True
    new = said.completed()
    assert new.services == [] and new.hide_exact_location is False and new.last_verified is None
    assert repr(ABSENT) == "ABSENT" and not ABSENT and dataclasses.replace(said).description is ABSENT


def test_which_fields_an_empty_value_clears():
    assert set(CLEARABLE) == {
        "alternate_name",
        "description",
        "website",
        "email",
        "last_verified",
        "networks",
        "translations",
    }
    assert not spec("name").clearable and not spec("hide_exact_location").clearable
    assert spec("name").required and spec("name").max_length == 300


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"services": "shelter"},
        {"services": ["shelter"]},
        {"name": {"es": "x"}},
        {"networks": [{"code": "x"}]},
        {"translations": {"description": "x"}},
        {"extra": {"a": [1]}},
    ],
)
def test_what_is_not_shaped_like_an_entry_is_refused_with_its_field(ctx, bad):
    assert not has_snapshot_shape(bad)
    with pytest.raises(ValidationError):
        EntryData.from_json(bad)


def an_organisation() -> Organisation:
    return db.session.scalars(
        select(Organisation)
        .where(Organisation.status == Status.PUBLISHED, Organisation.hide_exact_location.is_(True))
        .order_by(Organisation.id)
    ).first()


def test_the_stored_organisation_goes_to_json_and_back(fresh_ctx):
    org = an_organisation()
    snapshot = snapshot_of(org)
    assert EntryData.from_json(snapshot).to_json() == snapshot
    assert all(item["id"] for name in LIST_FIELDS for item in snapshot[name])
    assert "precision" not in str(snapshot["locations"])
    exchanged = exchange_snapshot(org, ids=True)
    assert exchanged["id"] == org.uuid and "extra" not in exchanged
    assert {site["precision"] for site in exchanged["locations"]} == {"exact"}
    assert EntryData.from_json(exchanged).to_json() == exchanged
    # a built organisation with the same data has the same data
    built = build_organisation({k: v for k, v in snapshot.items() if k != "extra"})
    try:
        assert exchange_snapshot(built) == exchange_snapshot(org)
    finally:
        discard(built)


def test_the_write_path_leaves_absent_fields_alone(fresh_ctx):
    org = an_organisation()
    before = snapshot_of(org)
    update_organisation(org, EntryData(description="Solo la descripción", website=""))
    db.session.flush()
    after = snapshot_of(org)
    assert after == before | {"description": "Solo la descripción", "website": ""}
    assert org.hide_exact_location is True and org.services


def test_labels_in_the_readers_language(fresh_ctx):
    # a new app context each time: Flask-Babel keeps the locale for the app context
    with fresh_ctx.app_context(), fresh_ctx.test_request_context("/?lang=es"):
        assert field_label("name") == "Nombre"
        assert field_label("services") == "Servicios"
        assert field_label("hide_exact_location") == "No publicar la ubicación exacta de las sedes"
        assert field_label("services[0].fees") == "Servicio 1: Costos"
        assert field_label("phones[1].contact") == "Teléfono 2: Línea de"
        assert str(spec("alternate_name").label) == "Sigla u otro nombre"
    with fresh_ctx.app_context(), fresh_ctx.test_request_context("/?lang=en"):
        assert field_label("services[0].fees") == "Service 1: Fees"
        assert field_label("contacts") == "Contact people"
