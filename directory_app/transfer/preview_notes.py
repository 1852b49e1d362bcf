"""What the import preview says in words: how the file was read, which values complete the new entries
that a file does not give (the import's defaults), and who will see what once it is imported.

Defaults apply only to rows that create an entry and do not say the field (transfer.mapping's
CREATE_DEFAULTS): a kind for every importer (the mapping page offers the choice, "ngo" at first); for the
Technical Secretariat a status and a member country too, and for a country contact their own country
(review.services.submit_change makes it theirs in any case). Who sees what follows the roles: only the
Technical Secretariat sees entries that are not published (organisations.profile.may_see_unpublished);
a country contact's rows become proposals, and a proposed new entry is published once approved."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from directory_app import vocabulary
from directory_app.accounts.permissions import may_publish
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geography.models import Country
from directory_app.i18n import format_number
from directory_app.organisations.display import country_name, kind_label
from directory_app.textfiles import DELIMITER_NAMES
from directory_app.transfer.importer import ImportReport
from directory_app.transfer.readers import Table

DEFAULT_KIND = "ngo"
DEFAULT_STATUSES = ("draft", "published")
_FIELD_WORDS = {"kind": _l("kind"), "status": _l("status"), "country_code": _l("country")}
_STATUS_WORDS = {"draft": _l("draft"), "published": _l("published"), "archived": _l("archived")}


def initial_defaults(user) -> dict[str, str]:
    """The defaults before the person chooses: kind NGO, and a country contact's own country."""
    defaults = {"kind": DEFAULT_KIND}
    if not may_publish(user) and getattr(user, "country_code", None):
        defaults["country_code"] = user.country_code
    return defaults


def defaults_from_form(form, user) -> dict[str, str]:
    """The defaults chosen on the mapping page (`default-kind`, and for the TS `default-status` and
    `default-country`); an empty choice gives no default. ValidationError for a value not offered."""
    defaults = {key: value for key, value in initial_defaults(user).items() if key == "country_code"}
    if may_publish(user):
        return defaults | checked_defaults(
            form.get("default-kind", ""), form.get("default-status", ""), form.get("default-country", "")
        )
    return defaults | checked_defaults(form.get("default-kind", ""))


def checked_defaults(kind: str, status: str = "", country: str = "") -> dict[str, str]:
    """The defaults of new entries whose row does not give the field (the mapping page's choices, the
    options of `flask import-organisations`); an empty value gives no default. ValidationError for a
    kind, status or member country that does not exist."""
    defaults = {}
    country = country.strip().upper()
    if kind and kind not in vocabulary.ORGANISATION_KIND_CODES:
        raise ValidationError(_("'%(value)s' is not a kind of organisation.", value=kind[:40]), field="kind")
    if status and status not in DEFAULT_STATUSES:
        raise ValidationError(_("unknown status '%(status)s'", status=status[:40]), field="status")
    if country and db.session.get(Country, country) is None:
        raise ValidationError(_("'%(code)s' is not a member country", code=country[:10]), field="country_code")
    for key, value in (("kind", kind), ("status", status), ("country_code", country)):
        if value:
            defaults[key] = value
    return defaults


def default_choices(user) -> dict[str, list[tuple[str, str]]]:
    """The options of the mapping page's defaults, labelled in the reader's language."""
    choices = {"kind": [(term.code, kind_label(term.code)) for term in vocabulary.ORGANISATION_KINDS]}
    if may_publish(user):
        choices["status"] = [(status, str(_STATUS_WORDS[status])) for status in DEFAULT_STATUSES]
        countries = db.session.scalars(select(Country).order_by(Country.code))
        choices["country_code"] = [(c.code, country_name(c)) for c in countries]
    return choices


def reading_note(table: Table) -> str:
    """How the file was read: the encoding and the delimiter of a text file, the sheet of a workbook."""
    if table.format == "csv":
        return _(
            "Read as text in %(encoding)s, with the columns separated by %(delimiter)s. Decimal commas in "
            "coordinates (-99,1332) are read as decimal points.",
            encoding=table.encoding,
            delimiter=DELIMITER_NAMES[table.delimiter],
        )
    if table.format == "xlsx":
        return _("Read from the first sheet of the workbook; the row numbers are the sheet's.")
    return ""


def default_notes(report: ImportReport, mapping: dict[str, str], defaults: dict, has_columns: bool) -> list[str]:
    """One sentence per default that completes new entries: which value, for how many."""
    notes = []
    for key, value in defaults.items():
        count = sum(1 for row in report.rows if row.action == "create" and key in row.defaulted)
        if not count:
            continue
        field, shown = str(_FIELD_WORDS.get(key, key)), _value_label(key, value)
        if has_columns and key not in mapping.values():
            text = ngettext(
                "No column gives the %(field)s: the new entry will be “%(value)s” (you can change it after the "
                "import).",
                "No column gives the %(field)s: all %(count)s new entries will be “%(value)s” (you can change it "
                "after the import).",
                count,
                field=field,
                value=shown,
                count=format_number(count),
            )
        else:
            text = ngettext(
                "%(count)s new entry does not give its %(field)s: it will be “%(value)s”.",
                "%(count)s new entries do not give their %(field)s: they will be “%(value)s”.",
                count,
                field=field,
                value=shown,
                count=format_number(count),
            )
        notes.append(text)
    return notes


def _value_label(key: str, value: str) -> str:
    if key == "kind":
        return kind_label(value)
    if key == "status":
        return str(_STATUS_WORDS.get(value, value))
    if key == "country_code":
        country = db.session.get(Country, value)
        return country_name(country) if country is not None else value
    return value


def audience_notes(report: ImportReport, proposes: bool) -> list[str]:
    """Who will see what, in words: published at once, a draft, or a proposal for review."""
    created = [row for row in report.rows if row.action == "create"]
    updated = [row for row in report.rows if row.action == "update"]
    if proposes:
        return _proposal_notes(created, updated)
    published = [r for r in created if r.status == "published"]
    notes = []
    if n := len(published):
        notes.append(
            ngettext(
                "%(count)s new entry will be published at once: everyone will see it in the directory.",
                "%(count)s new entries will be published at once: everyone will see them in the directory.",
                n,
                count=format_number(n),
            )
        )
    if n := len(created) - len(published):
        notes.append(
            ngettext(
                "%(count)s new entry will be a draft or archived: invisible to the public; only the Technical "
                "Secretariat sees it until it is published.",
                "%(count)s new entries will be drafts or archived: invisible to the public; only the Technical "
                "Secretariat sees them until they are published.",
                n,
                count=format_number(n),
            )
        )
    return notes + _update_notes(updated)


def _update_notes(updated: list) -> list[str]:
    def count(was: bool, now: bool) -> int:
        return sum(1 for r in updated if r.was_published == was and (r.status == "published") == now)

    notes = []
    if n := count(True, True):
        notes.append(
            ngettext(
                "%(count)s published entry will change at once: everyone will see the change.",
                "%(count)s published entries will change at once: everyone will see the changes.",
                n,
                count=format_number(n),
            )
        )
    if n := count(False, True):
        notes.append(
            ngettext(
                "%(count)s entry will be published by this import: everyone will see it.",
                "%(count)s entries will be published by this import: everyone will see them.",
                n,
                count=format_number(n),
            )
        )
    if n := count(True, False):
        notes.append(
            ngettext(
                "%(count)s published entry will be withdrawn from the public directory by this import.",
                "%(count)s published entries will be withdrawn from the public directory by this import.",
                n,
                count=format_number(n),
            )
        )
    if n := count(False, False):
        notes.append(
            ngettext(
                "%(count)s changed entry stays invisible to the public (draft or archived).",
                "%(count)s changed entries stay invisible to the public (draft or archived).",
                n,
                count=format_number(n),
            )
        )
    return notes


def _proposal_notes(created: list, updated: list) -> list[str]:
    notes = []
    if created or updated:
        notes.append(
            _(
                "Nothing of this import is public yet: every new or changed entry becomes a proposal that the "
                "Technical Secretariat reviews."
            )
        )
    if created:
        notes.append(
            ngettext(
                "%(count)s new entry will be a proposal: once approved, it is published and everyone sees it.",
                "%(count)s new entries will be proposals: once approved, they are published and everyone sees them.",
                len(created),
                count=format_number(len(created)),
            )
        )
    public = [r for r in updated if r.was_published]
    if public:
        notes.append(
            ngettext(
                "%(count)s change to a published entry will be a proposal: the public sees the change once it is "
                "approved.",
                "%(count)s changes to published entries will be proposals: the public sees the changes once they "
                "are approved.",
                len(public),
                count=format_number(len(public)),
            )
        )
    hidden = len(updated) - len(public)
    if hidden:
        notes.append(
            ngettext(
                "%(count)s change to an entry that is not public will be a proposal; the entry stays invisible to "
                "the public.",
                "%(count)s changes to entries that are not public will be proposals; the entries stay invisible to "
                "the public.",
                hidden,
                count=format_number(hidden),
            )
        )
    return notes
