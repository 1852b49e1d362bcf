"""The source columns of an official district file, and the DistrictSource rows they become.

Optional columns (CSV) or properties (polygon files), per row:
- `source`: URL or document reference (default: the file's name)
- `source_title`: a short title shown instead of the reference
- `source_date`: the date the source states, YYYY-MM-DD; empty or "undated" when it states none
- `secondary_source`: yes when a third party reports the rule (not the ministry itself)
- `note`: what the rule could not say in units (a part of a unit, an inference)
- `scope`: `district` (default: these units are the consulate's whole district) or `units` (these
  units belong to the consulate; the rest of its district stays the nearest-consulate default)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geography.models import DistrictSource, district_unit

SCOPES = ("district", "units")
_YES, _NO = {"yes", "y", "true", "1", "sí", "si", "oui"}, {"", "no", "n", "false", "0", "non"}


@dataclass(frozen=True)
class SourceKey:
    citation: str
    title: str | None
    source_date: date | None
    secondary: bool
    note: str | None


def _text(values: dict, key: str) -> str:
    value = values.get(key)
    if isinstance(value, datetime):  # GDAL reads ISO dates of a GeoJSON as dates
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def source_key(values: dict, default_citation: str, row: int | None, source: str) -> SourceKey:
    """The source a row cites, checked; `source` names the file in error messages."""
    citation = _text(values, "source") or default_citation
    raw_date = _text(values, "source_date")
    source_date = None
    if raw_date and raw_date.lower() != "undated":
        try:
            source_date = date.fromisoformat(raw_date)
        except ValueError:
            raise ValidationError(
                _("'%(value)s' is not a date: write YYYY-MM-DD, or 'undated'", value=raw_date[:40]),
                field="source_date",
                row=row,
                source=source,
            ) from None
    secondary = _text(values, "secondary_source").lower()
    if secondary not in _YES | _NO:
        raise ValidationError(
            _("'%(value)s' is neither yes nor no", value=secondary[:40]),
            field="secondary_source",
            row=row,
            source=source,
        )
    if len(citation) > 500:
        raise ValidationError(_("at most 500 characters"), field="source", row=row, source=source)
    title = _text(values, "source_title")
    if len(title) > 300:
        raise ValidationError(_("at most 300 characters"), field="source_title", row=row, source=source)
    return SourceKey(citation, title or None, source_date, secondary in _YES, _text(values, "note") or None)


def scope_of(values: dict, row: int | None, source: str) -> str:
    scope = _text(values, "scope").lower() or "district"
    if scope not in SCOPES:
        raise ValidationError(
            _("unknown scope '%(value)s'; use district or units", value=scope[:40]),
            field="scope",
            row=row,
            source=source,
        )
    return scope


def store_sources(keys: set[SourceKey], file_name: str, *, shipped: bool) -> dict[SourceKey, int]:
    """The DistrictSource id of each key: the existing row citing the same source, date, note and
    flag, or a new one."""
    ids: dict[SourceKey, int] = {}
    for key in sorted(keys, key=lambda k: (k.citation, k.title or "", k.source_date or date.min, k.note or "")):
        found = db.session.scalars(
            select(DistrictSource).where(
                DistrictSource.citation == key.citation,
                DistrictSource.secondary.is_(key.secondary),
                _same(DistrictSource.title, key.title),
                _same(DistrictSource.source_date, key.source_date),
                _same(DistrictSource.note, key.note),
            )
        ).first()
        if found is None:
            found = DistrictSource(
                citation=key.citation,
                title=key.title,
                source_date=key.source_date,
                secondary=key.secondary,
                note=key.note,
                file_name=file_name[:200],
                shipped=shipped,
            )
            db.session.add(found)
            db.session.flush()
        ids[key] = found.id
    return ids


def _same(column, value):
    return column.is_(None) if value is None else column == value


def remove_unused_sources() -> None:
    """Sources no unit cites any more (an import replaced them) leave the list of sources."""
    used = select(district_unit.c.source_id).where(district_unit.c.source_id.is_not(None))
    db.session.execute(delete(DistrictSource).where(DistrictSource.id.not_in(used)))
