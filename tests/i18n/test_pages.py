"""Every public page in every language: 200, <html lang> right, a known string translated, and the
switcher that keeps the path and query and remembers the choice."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Organisation, Status
from tests.conftest import csrf_token_of

# One string of the page's own template (not of base.html) per language.
PAGES = {
    "/": {
        "es": "Buscar organizaciones aliadas",
        "en": "Find partner organisations",
        "fr": "Trouver des organisations partenaires",
    },
    "/statistics": {"es": "El directorio hoy", "en": "The directory today", "fr": "Le répertoire aujourd'hui"},
    "/organisations": {
        "es": "Directorio de organizaciones",
        "en": "Directory of organisations",
        "fr": "Répertoire des organisations",
    },
    "/map": {
        "es": "Colorear los distritos según",
        "en": "Colour the districts by",
        "fr": "Colorer les circonscriptions selon",
    },
    "/nearest": {
        "es": "Buscar desde un consulado",
        "en": "Search from a consulate",
        "fr": "Rechercher depuis un consulat",
    },
    "/districts": {"es": "País receptor", "en": "Host country", "fr": "Pays d'accueil"},
    "/districts/MX-US-LOS-ANGELES": {
        "es": "Distrito aproximado.",
        "en": "Approximate district.",
        "fr": "Circonscription approximative.",
    },
    "/coverage": {"es": "Resumen de la cobertura", "en": "Coverage overview", "fr": "Vue d'ensemble de la couverture"},
    "/contact-points": {
        "es": "Puntos de contacto por país",
        "en": "Contact points by country",
        "fr": "Points de contact par pays",
    },
    "/login": {"es": "¿Olvidó su contraseña?", "en": "Forgot your password?", "fr": "Mot de passe oublié ?"},
    "/password/forgot": {"es": "Enviar el enlace", "en": "Send the link", "fr": "Envoyer le lien"},
    "/no-such-page": {
        "es": "Volver a la página de inicio",
        "en": "Back to the home page",
        "fr": "Retour à la page d'accueil",
    },
}
NAV = {"es": "Mapa", "en": "Map", "fr": "Carte"}


def html_lang(text: str) -> str:
    return re.search(r'<html lang="([a-z]+)"', text).group(1)


def first_published_uuid() -> str:
    return db.session.scalar(
        select(Organisation.uuid).where(Organisation.status == Status.PUBLISHED).order_by(Organisation.id).limit(1)
    )


@pytest.mark.parametrize("path", sorted(PAGES))
@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_public_page_in_each_language(i18n_client, path, language):
    page = i18n_client.get(path, query_string={"lang": language})
    text = page.get_data(as_text=True)
    assert page.status_code == (404 if path == "/no-such-page" else 200)
    assert html_lang(text) == language
    assert PAGES[path][language] in text
    assert f">{NAV[language]}</a>" in text
    others = [PAGES[path][other] for other in ("es", "en", "fr") if PAGES[path][other] != PAGES[path][language]]
    assert not any(other in text for other in others)


@pytest.mark.parametrize("language,expected", [("es", "Sitio web"), ("en", "Website"), ("fr", "Site web")])
def test_organisation_page_in_each_language(i18n_app, i18n_client, language, expected):
    with i18n_app.app_context():
        uuid = first_published_uuid()
    text = i18n_client.get(f"/organisations/{uuid}?lang={language}").get_data(as_text=True)
    assert html_lang(text) == language
    assert {"es": "Servicios", "en": "Services", "fr": "Services"}[language] in text
    assert {
        "es": "Distritos consulares atendidos",
        "en": "Consular districts served",
        "fr": "Circonscriptions consulaires servies",
    }[language] in text


def test_default_is_spanish_and_accept_language_is_followed(i18n_client, i18n_app):
    assert html_lang(i18n_client.get("/").get_data(as_text=True)) == "es"
    for header, expected in (("fr-CA,fr;q=0.9,en;q=0.8", "fr"), ("en-US,en;q=0.9", "en"), ("de-DE", "es")):
        fresh = i18n_app.test_client()
        text = fresh.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
        assert html_lang(text) == expected, header


def test_switcher_keeps_path_and_query_and_the_choice_persists(i18n_client):
    text = i18n_client.get("/organisations?q=albergue&country=MX&lang=en").get_data(as_text=True)
    switcher = re.search(r'<nav class="language-switcher".*?</nav>', text, re.S).group(0)
    assert 'href="/organisations?q=albergue&amp;country=MX&amp;lang=fr"' in switcher
    assert 'href="/organisations?q=albergue&amp;country=MX&amp;lang=es"' in switcher
    assert '<span class="current" lang="en" aria-current="true">English</span>' in switcher
    # The choice is remembered: later pages without ?lang= stay in English, whatever the browser says.
    later = i18n_client.get("/districts", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert html_lang(later) == "en" and "Host country" in later
    # Switching again replaces it.
    i18n_client.get("/districts?lang=fr")
    assert html_lang(i18n_client.get("/coverage").get_data(as_text=True)) == "fr"


def test_unknown_language_is_ignored(i18n_client):
    page = i18n_client.get("/?lang=xx")
    assert page.status_code == 200 and html_lang(page.get_data(as_text=True)) == "es"


def test_cached_public_pages_are_kept_per_language(i18n_client, i18n_app):
    """The page cache keys pages by language: an English reader never gets the Spanish copy."""
    es = i18n_app.test_client().get("/districts").get_data(as_text=True)
    en = i18n_app.test_client().get("/districts", headers={"Accept-Language": "en"}).get_data(as_text=True)
    again_es = i18n_app.test_client().get("/districts")
    assert html_lang(es) == "es" and html_lang(en) == "en"
    assert html_lang(again_es.get_data(as_text=True)) == "es"
    assert "Accept-Language" in again_es.headers.get("Vary", "")


@pytest.mark.parametrize(
    "language,expected",
    [("es", "Este campo es obligatorio."), ("en", "This field is required."), ("fr", "Ce champ est requis.")],
)
def test_form_validation_messages_follow_the_reader(i18n_client, language, expected):
    """WTForms' own messages come from its catalogs, in the interface language."""
    form = i18n_client.get(f"/password/forgot?lang={language}").get_data(as_text=True)
    answer = i18n_client.post("/password/forgot", data={"csrf_token": csrf_token_of(form), "email": ""})
    assert expected in answer.get_data(as_text=True)
