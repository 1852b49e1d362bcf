"""Writing a district's units: which leaf units, each official (with its source) or default, and what
follows from them (geometry, area, counts, provenance, the one-line summary of its sources)."""

from __future__ import annotations

from collections import Counter

import shapely
from sqlalchemy import delete, select

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, ConsularDistrict, Consulate, DistrictSource, district_unit
from directory_app.models_base import utcnow
from geo.coverage import union_of_units

DEFAULT_SOURCE = "approximate default: each unit to the nearest consulate of the sending country"

UnitSources = dict[int, int | None]  # leaf unit id -> official source id, None for the default


def district_code(consulate: Consulate, sending_country_code: str) -> str:
    return consulate.code if not consulate.is_joint else f"{consulate.code}/{sending_country_code}"


def district_for(consulate: Consulate, sending: str) -> ConsularDistrict:
    """The consulate's district for one sending country, created (empty) when there is none."""
    district = db.session.scalar(
        select(ConsularDistrict).where(
            ConsularDistrict.consulate_id == consulate.id, ConsularDistrict.sending_country_code == sending
        )
    )
    if district is None:
        district = ConsularDistrict(
            consulate=consulate, sending_country_code=sending, code=district_code(consulate, sending), source=""
        )
        db.session.add(district)
        db.session.flush()
    return district


def set_district_units(district: ConsularDistrict, units: UnitSources | list[int]) -> None:
    """Give the district exactly these leaf units (a list: all default), and recompute its geometry,
    area, counts, provenance and summary."""
    if not isinstance(units, dict):
        units = dict.fromkeys(units)
    db.session.flush()
    db.session.execute(delete(district_unit).where(district_unit.c.district_id == district.id))
    unit_ids = sorted(units)
    if unit_ids:
        db.session.execute(
            district_unit.insert(),
            [{"district_id": district.id, "admin_unit_id": u, "source_id": units[u]} for u in unit_ids],
        )
    rows = db.session.execute(
        select(AdminUnit.geom_wkb, AdminUnit.display_wkb, AdminUnit.area_km2).where(AdminUnit.id.in_(unit_ids))
    ).all()
    district.set_geometry(union_of_units(shapely.from_wkb([r.geom_wkb for r in rows])) if rows else None)
    district.display_wkb = (
        shapely.to_wkb(union_of_units(shapely.from_wkb([r.display_wkb for r in rows]))) if rows else None
    )
    district.area_km2 = float(sum(r.area_km2 for r in rows))
    _summarise(district, units)
    district.updated_at = utcnow()  # its pages and layers are cached by version: a new source shows at once
    db.session.expire(district, ["units"])


def _summarise(district: ConsularDistrict, units: UnitSources) -> None:
    per_source = Counter(source for source in units.values() if source is not None)
    official = sum(per_source.values())
    district.unit_count = len(units)
    district.official_units = official
    district.is_approximate = official < len(units) or not units
    district.provenance = "approximate" if official == 0 else "official" if official == len(units) else "mixed"
    sources = (
        db.session.scalars(select(DistrictSource).where(DistrictSource.id.in_(per_source)).order_by(DistrictSource.id))
        .unique()
        .all()
    )
    dates = [s.source_date for s in sources if s.source_date is not None]
    district.source_date = max(dates) if dates else None
    if not sources:
        district.source = DEFAULT_SOURCE
        return
    summary = "official: " + "; ".join(s.label for s in sources)
    if district.provenance == "mixed":
        summary += f" ({official} of {len(units)} units; the others: nearest consulate)"
    district.source = summary[:300]
