"""The HSDS part of the import preview: what the file holds that needs a choice, and the choices.

The preview of an HSDS file (JSON or CSV package) lists the terms of other taxonomies its services use
(taxonomy, code, name, how many services), each with a choice: one of our service categories, or keep
it as text in the organisation's additional information. The choices are remembered for the next file
(transfer.hsds_taxonomy_map). Two choices hold for this file only: the category of services that have
none of ours (else they are left out) and, for the Technical Secretariat, the member country of entries
whose addresses name none (a country contact's entries are in their own country). The preview then
lists, per record, what is kept elsewhere and what is not kept (transfer.hsds_notes).
"""

from __future__ import annotations

from sqlalchemy import select

from directory_app import vocabulary
from directory_app.accounts.permissions import may_publish
from directory_app.extensions import db
from directory_app.geography.models import Country
from directory_app.organisations.display import category_label, country_name
from directory_app.transfer.hsds import HsdsReading


def hsds_options(note: dict, user) -> dict:
    """The file's choices as the reader takes them: a country contact's entries are in their country."""
    options = dict(note.get("hsds") or {})
    if not may_publish(user) and getattr(user, "country_code", None):
        options["country"] = user.country_code
    return options


def preview_context(reading: HsdsReading | None, note: dict, user) -> dict | None:
    """What templates/transfer/_hsds_preview.html shows (None for files that are not HSDS)."""
    if reading is None:
        return None
    categories = [(term.code, category_label(term.code)) for term in vocabulary.SERVICE_CATEGORIES]
    countries = []
    if may_publish(user) and reading.without_country:
        countries = [(c.code, country_name(c)) for c in db.session.scalars(select(Country).order_by(Country.code))]
    return {
        "reading": reading,
        "categories": categories,
        "countries": countries,
        "options": note.get("hsds") or {},
        "asks": bool(reading.terms or reading.without_category or countries),
    }
