"""Writing an organisation from its data: the one write path of entries.

`data` is an organisations.entry_data.EntryData, or its stored JSON (a snapshot, a form's data: the
keys below). Everything that creates or changes an organisation's rows (forms, proposals approved,
restores, imports, the HSDS import) goes through these functions; only the bulk writers
(organisations.bulk: the full coverage rebuild; the demo generator) write rows directly.

Every problem raises ValidationError naming the field; the caller's transaction is then rolled
back, so nothing is half-written. A field the data leaves ABSENT is left as it is (on a creation:
its default).
"""

from __future__ import annotations

from datetime import date

from directory_app.extensions import db
from directory_app.models_base import utcnow
from directory_app.organisations.coverage import recompute_coverage
from directory_app.organisations.entry_checks import check_fields, check_original_language, check_texts
from directory_app.organisations.entry_checks import language_code as language_code
from directory_app.organisations.entry_data import ABSENT, CoverageData, EntryData
from directory_app.organisations.entry_rows import free_uuid, rows_by_uuid, set_coverage_parts, set_fields, set_lists
from directory_app.organisations.models import Organisation

__all__ = [
    "build_organisation",
    "create_organisation",
    "fill_organisation",
    "language_code",
    "replace_coverage",
    "save_entry",
    "set_extra_values",
    "set_last_verified",
    "update_organisation",
]


def create_organisation(data: EntryData | dict) -> Organisation:
    """Create an organisation with its sites, services, contacts, coverage, texts in other languages
    and additional information.

    Keys: name, alternate_name, description, kind, website, email, country_code, status,
    hide_exact_location, last_verified (date or ISO string), external_id, networks (codes),
    original_language, translations {field: {language: text}},
    phones [{number, type, extension, description, contact: index in contacts or None}],
    contacts [{name, title, department, email}],
    locations [{name, address, city, region, postal_code, lon, lat}],
    services [{category, name, description, eligibility, fees, schedule, populations, languages,
    translations}],
    coverage [{kind: admin_unit, unit: code} | {kind: country, country: code} |
    {kind: radius, location: index, radius_km} | {kind: polygon, geometry: GeoJSON}],
    extra {code: text}. Items may carry their "id" (kept when no other row has it)."""
    return save_entry(None, data)


def update_organisation(org: Organisation, data: EntryData | dict) -> Organisation:
    """Make the organisation what `data` says: fields, phones, contacts, sites, services, coverage,
    texts and additional information (a field the data leaves ABSENT stays as it is). Its uuid and
    id stay, and so do the rows the data's items name by id; the version counter moves on even when
    only child rows change (updated_at is always written)."""
    return save_entry(org, data)


def save_entry(org: Organisation | None, data: EntryData | dict, *, recompute: bool = True) -> Organisation:
    """Create (`org` None) or update an organisation from `data`, flush, store its additional
    information and (unless `recompute` is False: a writer that recomputes the coverage of many
    organisations at once, such as the importer) recompute which units and districts it serves."""
    entry = EntryData.from_json(data)
    if org is None:
        org = build_organisation(entry)
        db.session.add(org)
    else:
        fill_organisation(org, entry)
        org.updated_at = utcnow()
    db.session.flush()
    if entry.extra is not ABSENT:
        from directory_app.extra_fields.services import apply_snapshot_values

        apply_snapshot_values(org, entry.extra)  # the value rows; an update's new version is written above
    if recompute:
        recompute_coverage([org.id])
    return org


def build_organisation(data: EntryData | dict) -> Organisation:
    """A new organisation built from `data` with every check, not added to the session, flushed nor
    given its additional information (an import's preview compares it with the stored one). It
    takes the data's organisation "id" when no other organisation has it."""
    entry = EntryData.from_json(data)
    org = Organisation()
    try:
        _fill(org, entry, creating=True)
    except Exception:
        discard(org)  # it may already sit in a network's member list
        raise
    if entry.id:
        with db.session.no_autoflush:
            wanted = free_uuid(Organisation, str(entry.id), {})
        if wanted:
            org.uuid = wanted
    return org


def discard(org: Organisation) -> None:
    """Detach a built organisation from the shared objects it points at (networks keep back-references)."""
    org.networks = []
    if org in db.session:
        db.session.expunge(org)


def fill_organisation(org: Organisation, data: EntryData | dict) -> Organisation:
    """Write `data` into a stored `org` without flushing, storing additional information or
    recomputing its coverage (see save_entry). Rows named by their id keep it."""
    _fill(org, EntryData.from_json(data), creating=False)
    return org


def _fill(org: Organisation, entry: EntryData, *, creating: bool) -> None:
    # No autoflush while the organisation is built: its networks would otherwise be flushed
    # (Network.members) before the organisation is in the session.
    with db.session.no_autoflush:
        rows = rows_by_uuid(org)
        set_fields(org, check_fields(entry, creating=creating))
        set_lists(org, entry, rows)
        _set_texts(org, entry)
        if creating or entry.coverage is not ABSENT:
            set_coverage_parts(org, entry.coverage or [])


def _set_texts(org: Organisation, entry: EntryData) -> None:
    """The original language and the texts in other languages of the organisation and its services
    (in the order of entry.services)."""
    from directory_app.organisations.translations import OrganisationTranslation, ServiceTranslation

    said = "" if entry.original_language is ABSENT else str(entry.original_language or "").strip().lower()
    language = check_original_language(said or org.original_language or "es")
    org.original_language = language
    if entry.translations is not ABSENT:
        org.translations = [
            OrganisationTranslation(field=field, language=lang, text=text)
            for field, lang, text in check_texts(entry.translations, ("description",), language)
        ]
    if entry.services is not ABSENT:
        fields = ("description", "eligibility", "schedule")
        for i, (service, item) in enumerate(zip(org.services, entry.services)):
            texts = check_texts(item.translations, fields, language, f"services[{i}].")
            service.translations = [ServiceTranslation(field=f, language=lang, text=t) for f, lang, t in texts]


def replace_coverage(org: Organisation, parts: list[dict | CoverageData]) -> Organisation:
    """Give the organisation these coverage parts and recompute which units and districts it
    serves. Radius parts refer to the organisation's sites by their index."""
    items = [
        part if isinstance(part, CoverageData) else CoverageData.from_json(part, f"coverage[{i}]")
        for i, part in enumerate(parts)
    ]
    set_coverage_parts(org, items)
    db.session.flush()
    recompute_coverage([org.id])
    return org


def set_extra_values(org: Organisation, data: dict, user=None) -> list[str]:
    """Store the organisation's additional information, {code: raw value} (extra_fields.store_values:
    every value checked first, an empty one removes the stored one, codes not named stay; with `user`,
    PermissionDenied unless they may edit it). Returns error messages; nothing is written if any. A
    change is a new version of the entry (no lost update), and the public pages that show it are
    rendered again (the page cache reads updated_at)."""
    from directory_app.extra_fields.services import store_values

    errors, changed = store_values(org, data, user)
    if changed:
        org.updated_at = utcnow()
        db.session.flush()
    return errors


def set_last_verified(org: Organisation, day: date) -> Organisation:
    """ "Still correct": the entry was verified on `day` (a new version of it)."""
    org.last_verified = day
    org.updated_at = utcnow()
    return org
