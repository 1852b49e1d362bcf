"""Saving, changing, archiving and listing crises. Functions only flush; the view (or command) commits.

Who may do what (checked here, whatever the path): consular users and the Technical Secretariat see,
save and change crises; only the TS archives (and brings back) one. Country contacts and the public
see no saved crisis (a public report of any area is built without saving, crisis.report)."""

from __future__ import annotations

from datetime import date

import shapely
from flask_babel import gettext as _
from sqlalchemy import select

from directory_app.accounts.models import Role, User
from directory_app.accounts.permissions import PermissionDenied
from directory_app.crisis.models import AreaSource, Crisis, CrisisKind
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.models_base import utcnow
from geo.crisis import area_of

MAX_NAME = 200
MAX_NOTES = 5000
MAX_DESCRIPTION = 300


def _active(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def may_see_crises(user: User | None) -> bool:
    """Consular users and the TS see and save crises."""
    return _active(user) and user.role in (Role.CONSULAR, Role.TS_ADMIN)


def may_archive_crises(user: User | None) -> bool:
    """Only the Technical Secretariat archives a crisis."""
    return _active(user) and user.role == Role.TS_ADMIN


def may_see_exact(user: User | None) -> bool:
    """Whether a crisis report for this reader shows hidden sites exactly (consular users and the TS)."""
    return may_see_crises(user)


def _check_see(user: User | None) -> None:
    if not may_see_crises(user):
        raise PermissionDenied("Only consular users and the Technical Secretariat work with crises.")


def _clean(name: str, kind, starts_on: date | None, ends_on: date | None, notes: str) -> dict:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the crisis a name."), field="name")
    if len(name) > MAX_NAME:
        raise ValidationError(_("The name is longer than %(max)s characters.", max=MAX_NAME), field="name")
    try:
        kind = CrisisKind(kind)
    except ValueError:
        raise ValidationError(_("Unknown kind of crisis: %(kind)s", kind=str(kind)[:40]), field="kind") from None
    if not isinstance(starts_on, date):
        raise ValidationError(_("Give the date the crisis started."), field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError(_("The crisis cannot end before it starts."), field="ends_on")
    notes = (notes or "").strip()
    if len(notes) > MAX_NOTES:
        raise ValidationError(_("The notes are longer than %(max)s characters.", max=MAX_NOTES), field="notes")
    return {"name": name, "kind": kind, "starts_on": starts_on, "ends_on": ends_on, "notes": notes}


def _set_area(crisis: Crisis, area: shapely.Geometry, source, description: str) -> None:
    if area is None or area.is_empty or not area.is_valid:
        raise ValidationError(_("The affected area is missing or not a valid geometry."), field="area")
    try:
        crisis.area_source = AreaSource(source)
    except ValueError:
        raise ValidationError(_("Unknown way of giving the area: %(source)s", source=str(source)[:40])) from None
    crisis.set_geometry(area)
    crisis.area_km2 = area_of(area)
    crisis.area_description = (description or "").strip()[:MAX_DESCRIPTION]


def save_crisis(
    user: User | None,
    *,
    name: str,
    kind: str,
    starts_on: date,
    area: shapely.Geometry,
    ends_on: date | None = None,
    notes: str = "",
    area_source: str = AreaSource.DRAWN,
    area_description: str = "",
) -> Crisis:
    """A new saved crisis (flushed). PermissionDenied for other roles; ValidationError for bad fields."""
    _check_see(user)
    crisis = Crisis(**_clean(name, kind, starts_on, ends_on, notes), created_by_id=user.id)
    _set_area(crisis, area, area_source, area_description)
    db.session.add(crisis)
    db.session.flush()
    return crisis


def update_crisis(user: User | None, crisis: Crisis, *, area: shapely.Geometry | None = None, **fields) -> Crisis:
    """Change a crisis's name, kind, dates, notes and (when given) its area. An archived crisis is
    changed by the TS only."""
    _check_see(user)
    if crisis.is_archived and not may_archive_crises(user):
        raise PermissionDenied("An archived crisis is changed by the Technical Secretariat only.")
    current = {
        "name": crisis.name,
        "kind": crisis.kind,
        "starts_on": crisis.starts_on,
        "ends_on": crisis.ends_on,
        "notes": crisis.notes,
    }
    area_source = fields.pop("area_source", crisis.area_source)
    area_description = fields.pop("area_description", crisis.area_description)
    unknown = set(fields) - set(current)
    if unknown:
        raise TypeError(f"unknown crisis fields: {sorted(unknown)}")
    for key, value in _clean(**{**current, **fields}).items():
        setattr(crisis, key, value)
    if area is not None:
        _set_area(crisis, area, area_source, area_description)
    db.session.flush()
    return crisis


def archive_crisis(user: User | None, crisis: Crisis) -> Crisis:
    """Archive a crisis (TS only): it leaves the list, its URL still answers."""
    if not may_archive_crises(user):
        raise PermissionDenied("Only the Technical Secretariat archives a crisis.")
    if crisis.archived_at is None:
        crisis.archived_at = utcnow()
        db.session.flush()
    return crisis


def restore_crisis(user: User | None, crisis: Crisis) -> Crisis:
    """Bring an archived crisis back to the list (TS only)."""
    if not may_archive_crises(user):
        raise PermissionDenied("Only the Technical Secretariat archives a crisis.")
    crisis.archived_at = None
    db.session.flush()
    return crisis


def list_crises(user: User | None, *, archived: bool = False) -> list[Crisis]:
    """Current crises (or the archived ones), newest first."""
    _check_see(user)
    condition = Crisis.archived_at.is_not(None) if archived else Crisis.archived_at.is_(None)
    query = select(Crisis).where(condition).order_by(Crisis.starts_on.desc(), Crisis.created_at.desc())
    return list(db.session.scalars(query))


def get_crisis(user: User | None, crisis_id: str) -> Crisis | None:
    """The crisis with this id (archived ones too), or None; PermissionDenied for other roles."""
    _check_see(user)
    if not isinstance(crisis_id, str) or len(crisis_id) > 36:
        return None
    return db.session.get(Crisis, crisis_id)
