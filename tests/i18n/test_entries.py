"""Multilingual entries: translations stored and read back, the page in the reader's language with
the fallback note, search in every language, and the clean-up when a service goes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.organisations.models import Organisation, Service, Status
from directory_app.organisations.searchtext import fold, refresh_search_text
from directory_app.organisations.translations import (
    ServiceTranslation,
    languages_present,
    localized,
    set_translation,
    translations_of,
)


def published_with_service() -> Organisation:
    return db.session.scalars(
        select(Organisation)
        .where(Organisation.status == Status.PUBLISHED, Organisation.services.any(Service.is_active.is_(True)))
        .order_by(Organisation.id)
        .limit(1)
    ).one()


def active_service(org: Organisation) -> Service:
    return next(s for s in org.services if s.is_active)


def test_translations_are_stored_read_back_and_removed(fresh_ctx):
    org = published_with_service()
    assert org.original_language == "es"
    set_translation(org, "description", "fr", "  Accueil et accompagnement juridique.  ")
    set_translation(active_service(org), "schedule", "en", "Monday to Friday, 9:00 to 17:00")
    db.session.commit()
    db.session.expire_all()

    org = db.session.get(Organisation, org.id)
    texts = translations_of(org)
    assert texts["description"] == {"es": org.description, "fr": "Accueil et accompagnement juridique."}
    assert languages_present(org) == ["es", "fr"]
    assert translations_of(active_service(org))["schedule"]["en"] == "Monday to Friday, 9:00 to 17:00"

    # The original language writes the entry's own column; an empty text removes a translation.
    set_translation(org, "description", "es", "Nueva descripción.")
    set_translation(org, "description", "fr", "")
    db.session.commit()
    db.session.expire_all()
    org = db.session.get(Organisation, org.id)
    assert org.description == "Nueva descripción."
    assert translations_of(org)["description"] == {"es": "Nueva descripción."}


def test_reader_language_or_the_original_as_fallback(fresh_ctx):
    org = published_with_service()
    set_translation(org, "description", "en", "Shelter and legal help.")
    shown = localized(org, "description", "en")
    assert (shown.text, shown.language, shown.is_fallback) == ("Shelter and legal help.", "en", False)
    fallback = localized(org, "description", "fr")
    assert (fallback.text, fallback.language, fallback.wanted, fallback.is_fallback) == (
        org.description,
        "es",
        "fr",
        True,
    )
    assert not localized(org, "description", "es").is_fallback


@pytest.mark.parametrize("field,language", [("name", "fr"), ("fees", "en"), ("description", "de")])
def test_only_known_fields_and_languages(fresh_ctx, field, language):
    org = published_with_service()
    entity = active_service(org) if field == "fees" else org
    with pytest.raises(ValidationError):
        set_translation(entity, field, language, "x")


def test_search_text_includes_every_language_and_follows_changes(fresh_ctx):
    org = published_with_service()
    service = active_service(org)
    set_translation(service, "eligibility", "fr", "Demandeurs d'asile francophones sans papiers")
    set_translation(org, "description", "en", "Quokkaesque orientation for newcomers")
    db.session.commit()
    assert "francophones" in org.search_text and "quokkaesque" in org.search_text
    # The bulk path agrees with the flush listener.
    before = org.search_text
    refresh_search_text([org.id])
    db.session.expire_all()
    assert set(db.session.get(Organisation, org.id).search_text.split()) == set(before.split())
    # Removing the translation removes its words.
    org = db.session.get(Organisation, org.id)
    set_translation(org, "description", "en", "")
    db.session.commit()
    assert "quokkaesque" not in org.search_text


def test_deleting_a_service_deletes_its_translations(fresh_ctx):
    org = published_with_service()
    service = active_service(org)
    set_translation(service, "description", "fr", "Aide alimentaire")
    db.session.commit()
    service_id = service.id
    org.services.remove(service)
    db.session.commit()
    assert db.session.scalars(select(ServiceTranslation).where(ServiceTranslation.service_id == service_id)).all() == []


def _translated_org(app) -> tuple[str, str]:
    with app.app_context():
        org = published_with_service()
        set_translation(org, "description", "fr", "Un foyer chaleureux pour les familles en transit.")
        set_translation(active_service(org), "schedule", "en", "Open every day, around the clock")
        db.session.commit()
        return org.uuid, org.description


def test_organisation_page_shows_the_reader_language_or_a_note(i18n_fresh_app):
    uuid, spanish = _translated_org(i18n_fresh_app)
    client = i18n_fresh_app.test_client()

    fr = client.get(f"/organisations/{uuid}?lang=fr").get_data(as_text=True)
    assert "Un foyer chaleureux pour les familles en transit." in fr
    # The service's hours exist only in English (not the original): French readers get the original.
    assert "Affiché en espagnol : pas encore de texte en français." in fr

    en = client.get(f"/organisations/{uuid}?lang=en").get_data(as_text=True)
    assert "Open every day, around the clock" in en
    assert "Un foyer chaleureux" not in en
    assert "Shown in Spanish: no English text yet." in en
    assert '<div class="description"><p lang="es">' in en

    es = client.get(f"/organisations/{uuid}?lang=es").get_data(as_text=True)
    assert "Se muestra en" not in es and "Open every day" not in es


def test_directory_search_finds_an_entry_by_its_translation(i18n_fresh_app):
    uuid, _ = _translated_org(i18n_fresh_app)
    client = i18n_fresh_app.test_client()
    text = client.get("/organisations?q=chaleureux+familles&lang=fr").get_data(as_text=True)
    assert f"/organisations/{uuid}" in text
    assert fold("chaleureux") == "chaleureux"


def test_district_referral_sheet_shows_hours_in_the_reader_language(i18n_fresh_app):
    with i18n_fresh_app.app_context():
        from directory_app.geography.models import ConsularDistrict
        from directory_app.organisations.models import DistrictCoverage

        row = db.session.execute(
            select(ConsularDistrict.code, Service)
            .join(DistrictCoverage, DistrictCoverage.district_id == ConsularDistrict.id)
            .join(Service, Service.organisation_id == DistrictCoverage.organisation_id)
            .where(DistrictCoverage.status == Status.PUBLISHED, Service.schedule != "")
            .order_by(DistrictCoverage.share.desc(), Service.id)
            .limit(1)
        ).one()
        code, service = row
        set_translation(service, "schedule", "fr", "Du lundi au vendredi, de 9 h à 17 h")
        original, category = service.schedule, service.category_code
        db.session.commit()
    client = i18n_fresh_app.test_client()
    fr = client.get(f"/districts/{code}?lang=fr&service={category}").get_data(as_text=True)
    assert '<span lang="fr">Du lundi au vendredi, de 9 h à 17 h</span>' in fr
    en = client.get(f"/districts/{code}?lang=en&service={category}").get_data(as_text=True)
    assert "Du lundi au vendredi" not in en
    assert f'<span lang="es">{original}</span>' in en
