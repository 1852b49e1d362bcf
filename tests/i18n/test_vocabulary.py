"""Vocabularies, countries, consular office kinds and admin units in the reader's language; numbers
and dates formatted for the locale."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from directory_app import vocabulary
from directory_app.extensions import db
from directory_app.geography.models import Country
from directory_app.i18n import format_day, format_km, format_number, format_share, unit_name
from directory_app.organisations.display import category_label, country_name, kind_label, population_label
from directory_app.referrals.district_page import consulate_kind_label

VOCABULARIES = (vocabulary.SERVICE_CATEGORIES, vocabulary.POPULATIONS, vocabulary.ORGANISATION_KINDS)


def test_every_term_has_three_labels():
    for terms in VOCABULARIES:
        for term in terms:
            assert all(label.strip() for label in (term.es, term.en, term.fr)), term.code


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_labels_follow_the_reader(i18n_app, language):
    with i18n_app.test_request_context(f"/?lang={language}"):
        assert category_label("legal_assistance") == vocabulary.label(
            vocabulary.SERVICE_CATEGORIES, "legal_assistance", language
        )
        assert population_label("women") == {"es": "Mujeres", "en": "Women", "fr": "Femmes"}[language]
        assert kind_label("ngo") == vocabulary.label(vocabulary.ORGANISATION_KINDS, "ngo", language)
        assert (
            consulate_kind_label("consulate_general")
            == {
                "es": "Consulado general",
                "en": "Consulate general",
                "fr": "Consulat général",
            }[language]
        )
        mexico = db.session.scalars(select(Country).where(Country.code == "MX")).one()
        assert country_name(mexico) == {"es": "México", "en": "Mexico", "fr": "Mexique"}[language]


def test_every_country_is_named_in_three_languages(i18n_app):
    with i18n_app.app_context():
        countries = db.session.scalars(select(Country)).all()
    assert len(countries) == 11
    for country in countries:
        assert country.name_es and country.name_en and country.name_fr, country.code


def test_directory_filters_show_translated_vocabulary(i18n_client):
    text = i18n_client.get("/organisations?lang=fr").get_data(as_text=True)
    assert "Assistance juridique" in text and "Demandeurs d&#39;asile" in text
    text = i18n_client.get("/organisations?lang=es").get_data(as_text=True)
    assert "Asesoría jurídica" in text and "Personas solicitantes de asilo" in text


def _unit(local, es, en):
    return SimpleNamespace(name_local=local, name_es=es, name_en=en)


@pytest.mark.parametrize(
    "language,unit,expected",
    [
        ("en", _unit("Ciudad de México", "Ciudad de México", "Mexico City"), "Ciudad de México (Mexico City)"),
        ("fr", _unit("Ciudad de México", "Ciudad de México", "Mexico City"), "Ciudad de México (Mexico City)"),
        ("es", _unit("Ciudad de México", "Ciudad de México", "Mexico City"), "Ciudad de México"),
        (
            "es",
            _unit("British Columbia", "Columbia Británica", "British Columbia"),
            "British Columbia (Columbia Británica)",
        ),
        ("en", _unit("Québec", "Quebec", "Quebec"), "Québec"),
        ("en", _unit("Chiapas", "Chiapas", "Chiapas"), "Chiapas"),
    ],
)
def test_admin_units_keep_their_local_name(i18n_app, language, unit, expected):
    with i18n_app.test_request_context(f"/?lang={language}"):
        assert unit_name(unit) == expected


def test_district_page_names_units_locally_with_english(i18n_client):
    text = i18n_client.get("/districts/MX-US-LOS-ANGELES?lang=en").get_data(as_text=True)
    assert "Los Angeles (US-06037)" in text


def test_numbers_and_dates_follow_the_locale(i18n_app):
    day = date(2026, 1, 31)
    expected = {
        "es": ("1.234,5", "12.345", "31 ene 2026", "12,5 %"),
        "en": ("1,234.5", "12,345", "Jan 31, 2026", "12.5 %"),
        "fr": ("1\u202f234,5", "12\u202f345", "31 janv. 2026", "12,5 %"),
    }
    for language, (km, count, when, share) in expected.items():
        with i18n_app.test_request_context(f"/?lang={language}"):
            assert (format_km(1234.5), format_number(12345), format_day(day), format_share(0.125)) == (
                km,
                count,
                when,
                share,
            ), language
