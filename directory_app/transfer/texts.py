"""Multilingual entries in exports and imports: the original language of an entry and its texts in
other languages (organisations.translations), as plain data.

In the data of a row: `original_language` (es, en or fr) and `translations`
{field: {language: text}} for the organisation, and `translations` in each service's dict."""

from __future__ import annotations

from flask_babel import gettext as _

from directory_app.errors import ValidationError
from directory_app.i18n import format_number
from directory_app.organisations.translations import (
    ENTRY_LANGUAGES,
    TRANSLATABLE_FIELDS,
    OrganisationTranslation,
    ServiceTranslation,
)

MAX_TEXT = 10_000


def _rows(data, fields: tuple[str, ...], original: str, where: str, row_type) -> list:
    if data in (None, "", {}):
        return []
    if not isinstance(data, dict):
        raise ValidationError(_("Translations must be an object {field: {language: text}}."), field=where)
    rows = []
    for field, texts in data.items():
        if field not in fields or not isinstance(texts, dict):
            raise ValidationError(_("'%(field)s' cannot be translated.", field=field), field=where)
        for language, text in texts.items():
            if language not in ENTRY_LANGUAGES or language == original:
                raise ValidationError(_("'%(value)s' is not a translation language here.", value=language), field=where)
            text = str(text or "").strip()
            if len(text) > MAX_TEXT:
                raise ValidationError(
                    _("A translation is longer than %(n)s characters.", n=format_number(MAX_TEXT)), field=where
                )
            if text:
                rows.append(row_type(field=field, language=language, text=text))
    return rows


def apply_texts(org, data: dict) -> None:
    """Set the original language and the translations of the organisation and its services."""
    original = str(data.get("original_language") or "es").strip().lower()
    if original not in ENTRY_LANGUAGES:
        raise ValidationError(_("'%(value)s' is not one of es, en, fr.", value=original), field="original_language")
    org.original_language = original
    org.translations = _rows(
        data.get("translations"), TRANSLATABLE_FIELDS[type(org)], original, "translations", OrganisationTranslation
    )
    for i, (service, item) in enumerate(zip(org.services, data.get("services") or [])):
        service_fields = TRANSLATABLE_FIELDS[type(service)]
        where = f"services[{i}].translations"
        service.translations = _rows(item.get("translations"), service_fields, original, where, ServiceTranslation)
