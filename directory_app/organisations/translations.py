"""Multilingual entries: an organisation's description and each service's description, eligibility
and hours in several languages.

Shape: the text in the entry's own columns is the original, written in the organisation's
`original_language` (its services share it: one organisation writes its entry in one language).
Other languages live in two narrow tables, one row per (entity, field, language):
`organisation_translation` and `service_translation`, each with a real foreign key (ON DELETE
CASCADE), so a deleted service takes its translations with it on SQLite and PostgreSQL alike.
Why rows and not a column per language: any language can be added without a migration, "which
languages does this entry have" is a query, and every reader of the original columns (exports, the
API, the review snapshots) keeps working unchanged.

A page asks `localized(entity, field)`: the text in the reader's language, or the original with a
note ("Shown in Spanish: no French text yet"). The search text of an organisation includes every
language of its entry (organisations.searchtext).

Edit forms (wired by the editing workflow): `translations_of(entity)` gives what exists,
`set_translation(entity, field, language, text)` writes one text (empty text removes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.models_base import utcnow
from directory_app.organisations.models import Organisation, Service

ENTRY_LANGUAGES = ("es", "en", "fr")
TRANSLATABLE_FIELDS: dict[type, tuple[str, ...]] = {
    Organisation: ("description",),
    Service: ("description", "eligibility", "schedule"),
}


class OrganisationTranslation(db.Model):
    """An organisation's text in a language other than its original one."""

    __tablename__ = "organisation_translation"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    field: Mapped[str] = mapped_column(String(20), primary_key=True)
    language: Mapped[str] = mapped_column(String(3), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship(
        backref=backref("translations", cascade="all, delete-orphan", passive_deletes=True)
    )


class ServiceTranslation(db.Model):
    """A service's text in a language other than its organisation's original one."""

    __tablename__ = "service_translation"

    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    field: Mapped[str] = mapped_column(String(20), primary_key=True)
    language: Mapped[str] = mapped_column(String(3), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    service: Mapped[Service] = relationship(
        backref=backref("translations", cascade="all, delete-orphan", passive_deletes=True)
    )


@dataclass(frozen=True)
class LocalizedText:
    """A text as shown to a reader: in `language`; `wanted` is the reader's language, which differs
    when the entry has no text in it yet (the page then says so)."""

    text: str
    language: str
    wanted: str

    @property
    def is_fallback(self) -> bool:
        return bool(self.text) and self.language != self.wanted


def original_language_of(entity: Organisation | Service) -> str:
    """The language the entry was written in (a service's is its organisation's)."""
    org = entity if isinstance(entity, Organisation) else entity.organisation
    return (org.original_language if org is not None else None) or "es"


def _check(entity: Organisation | Service, field: str, language: str) -> None:
    fields = TRANSLATABLE_FIELDS.get(type(entity), ())
    if field not in fields:
        raise ValidationError(
            _("'%(field)s' cannot be translated; translatable: %(fields)s.", field=field, fields=", ".join(fields)),
            field=field,
        )
    if language not in ENTRY_LANGUAGES:
        raise ValidationError(
            _("'%(value)s' is not one of %(languages)s.", value=language, languages=", ".join(ENTRY_LANGUAGES)),
            field="language",
        )


def other_language_texts(entity: Organisation | Service) -> dict[str, dict[str, str]]:
    """The texts stored in languages other than the entry's own columns, as snapshots, exports and
    imports carry them: {field: {language: text}}, empty texts left out."""
    result: dict[str, dict[str, str]] = {}
    for row in sorted(entity.translations, key=lambda t: (t.field, t.language)):
        if row.text:
            result.setdefault(row.field, {})[row.language] = row.text
    return result


def translations_of(entity: Organisation | Service) -> dict[str, dict[str, str]]:
    """Every text of every translatable field, by field and language, the original included:
    {"description": {"es": "...", "fr": "..."}}. A language is present when it has a text."""
    result: dict[str, dict[str, str]] = {}
    original = original_language_of(entity)
    for field in TRANSLATABLE_FIELDS[type(entity)]:
        texts = {original: getattr(entity, field)} if getattr(entity, field) else {}
        # A row in the original language (left over from a change of original language) never
        # overrides the entry's own column, as in localized().
        texts.update(
            {t.language: t.text for t in entity.translations if t.field == field and t.text and t.language != original}
        )
        result[field] = texts
    return result


def languages_present(entity: Organisation | Service) -> list[str]:
    """The languages in which the entry has at least one translatable text (original first)."""
    original = original_language_of(entity)
    found = {lang for texts in translations_of(entity).values() for lang in texts}
    return sorted(found, key=lambda lang: (lang != original, lang))


def set_translation(entity: Organisation | Service, field: str, language: str, text: str) -> None:
    """Write `entity`'s `field` in `language`. In the original language this is the entry's own
    column; otherwise a translation row, removed when `text` is empty. Flushes; the caller commits.
    The organisation's search text follows (searchtext's flush listener) and its `updated_at`
    moves, so cached public pages are rebuilt."""
    _check(entity, field, language)
    text = (text or "").strip()
    if language == original_language_of(entity):
        setattr(entity, field, text)
    else:
        existing = next((t for t in entity.translations if t.field == field and t.language == language), None)
        if existing is not None and not text:
            entity.translations.remove(existing)
        elif existing is not None:
            existing.text = text
        elif text:
            row_type = OrganisationTranslation if isinstance(entity, Organisation) else ServiceTranslation
            entity.translations.append(row_type(field=field, language=language, text=text))
    org = entity if isinstance(entity, Organisation) else entity.organisation
    org.updated_at = utcnow()
    db.session.flush()


def localized(entity: Organisation | Service, field: str, language: str) -> LocalizedText:
    """`field` in `language` when the entry has it, else the original text (marked as a fallback)."""
    original = original_language_of(entity)
    if language != original:
        for t in entity.translations:
            if t.field == field and t.language == language and t.text:
                return LocalizedText(t.text, language, language)
    return LocalizedText(getattr(entity, field) or "", original, language)


def service_text_in(field: str, language: str) -> ColumnElement[bool]:
    """The condition to outer-join ServiceTranslation to Service on: the service's `field` in `language`
    (its `text` None where the entry has no such translation). For pages that list many services
    without loading them: their texts come with the services' own query."""
    return (
        (ServiceTranslation.service_id == Service.id)
        & (ServiceTranslation.field == field)
        & (ServiceTranslation.language == language)
    )
