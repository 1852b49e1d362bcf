"""The crisis report: for an affected area, the consular districts it meets (with the share of each and
its consulate), the organisations whose coverage meets it (with the share of the area they cover), by
service, and the services nobody offers there.

Computed from stored coverage, not by re-reading every organisation's geometry (issue 19, item 4):
1. the leaf admin units whose bounding box meets the area (SQL), then how much of each the area covers
   (STRtree and intersections in an equal-area projection, geo.crisis);
2. districts: their units' overlaps summed (district_unit), divided by the district's stored area;
3. organisations: unit_coverage rows of those units (published organisations only). A unit the
   organisation covers fully contributes the area's piece of it; a unit the area covers fully
   contributes the organisation's stored overlap; only where both are partial is the organisation's
   drawn coverage read and cut (geo.crisis.partial_overlaps_km2).
Hidden sites: a public reader (exact=False) gets only public positions, and "a site lies inside" is
judged from them too, so that the report cannot be used to locate a hidden site.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from directory_app.crisis.collector import collector_paused
from directory_app.crisis.report_data import (
    district_rows,
    drawn_coverages,
    organisation_details,
    service_categories,
    unit_coverage_rows,
)
from directory_app.geography.consulate_names import consulate_name
from directory_app.geography.units import leaf_units
from directory_app.i18n import current_language
from geo.crisis import area_of, partial_overlaps_km2, points_inside, units_in_area


@dataclass(frozen=True)
class AffectedDistrict:
    code: str  # ConsularDistrict code e.g. "GT-MX-TAPACHULA"
    name: str  # district/consulate display name in the current locale
    sending_country: str  # ISO2 of the country whose consulate it is
    district_share: float  # 0..1 share of the district's area inside the crisis area
    area_share: float  # 0..1 share of the crisis area that lies in this district
    consulate_name: str
    consulate_city: str
    consulate_phone: str | None
    consulate_email: str | None
    consulate_url: str | None
    host_country: str = ""  # ISO2 of the country the consulate is in
    overlap_km2: float = 0.0


@dataclass(frozen=True)
class OrganisationHit:
    id: str  # organisation uuid
    name: str
    country: str  # ISO2
    area_share: float  # 0..1 share of the crisis area covered by its coverage
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    website: str | None
    last_verified: date | None
    site_inside: bool  # one of its sites lies inside the area (possibly affected itself)
    positions: tuple[tuple[float, float], ...]  # (lon, lat) of sites as this reader may see them
    services: tuple[str, ...]  # service category codes it offers
    overlap_km2: float = 0.0


@dataclass(frozen=True)
class ServiceGroup:
    code: str
    label: str
    organisations: tuple[OrganisationHit, ...]


@dataclass(frozen=True)
class CrisisReport:
    area: BaseGeometry  # EPSG:4326
    area_km2: float
    districts: tuple[AffectedDistrict, ...]  # by sending country, then area_share descending
    organisations: tuple[OrganisationHit, ...]  # by area_share descending, then name
    services: tuple[ServiceGroup, ...]  # categories of the vocabulary with at least one organisation
    gaps: tuple[ServiceGroup, ...]  # categories with no organisation in the area (organisations empty)
    exact: bool = False


def build_report(area: BaseGeometry, *, exact: bool) -> CrisisReport:
    """The crisis report for `area` (a valid polygonal lon/lat geometry, see crisis.areas).
    `exact`: the reader may see hidden sites' exact positions (consular users and the TS)."""
    with collector_paused():
        return _build(area, exact)


def _build(area: BaseGeometry, exact: bool) -> CrisisReport:
    lang = current_language()
    total_km2 = area_of(area)
    units = leaf_units(bbox=tuple(area.bounds))
    found = units_in_area(area, units.index)
    in_area = {int(units.ids[u]): float(km2) for u, km2 in zip(found.unit_idx, found.overlap_km2)}
    area_full = {int(units.ids[u]) for u, full in zip(found.unit_idx, found.is_full) if full}
    geom_of = {int(units.ids[u]): units.index.geoms[u] for u in found.unit_idx}
    districts = _districts(in_area, total_km2, lang)
    covered = _covered_km2(area, in_area, area_full, geom_of)
    hits = _organisations(area, covered, list(in_area), total_km2, exact)
    services, gaps = _service_groups(hits, lang)
    return CrisisReport(area, total_km2, districts, hits, services, gaps, exact)


def _districts(in_area: dict[int, float], total_km2: float, lang: str) -> tuple[AffectedDistrict, ...]:
    overlap: dict[int, float] = defaultdict(float)
    info = {}
    for row in district_rows(list(in_area)):
        overlap[row.id] += in_area[row.admin_unit_id]
        info[row.id] = row
    found = []
    for district_id, km2 in overlap.items():
        row = info[district_id]
        name = consulate_name(row.consulate_name_es, row.consulate_name_en, lang)
        found.append(
            AffectedDistrict(
                code=row.code,
                name=name,
                sending_country=row.sending_country_code,
                district_share=min(1.0, km2 / row.area_km2) if row.area_km2 else 0.0,
                area_share=min(1.0, km2 / total_km2) if total_km2 else 0.0,
                consulate_name=name,
                consulate_city=row.consulate_city,
                consulate_phone=None,  # the directory holds no consulate contacts yet
                consulate_email=None,
                consulate_url=None,
                host_country=row.host_country_code,
                overlap_km2=km2,
            )
        )
    found.sort(key=lambda d: (d.sending_country, -d.area_share, d.code))
    return tuple(found)


def _covered_km2(area, in_area, area_full, geom_of) -> dict[int, float]:
    """km² of the area each published organisation covers (organisation id -> km²)."""
    covered: dict[int, float] = defaultdict(float)
    pending = []  # (organisation id, unit id, its km² there): both partial, needs the drawn coverage
    for org_id, unit_id, org_km2, org_full in unit_coverage_rows(list(in_area)):
        if org_full:
            covered[org_id] += in_area[unit_id]
        elif unit_id in area_full:
            covered[org_id] += org_km2
        else:
            pending.append((org_id, unit_id, org_km2))
    if pending:
        for org_id, km2 in _pending_km2(area, pending, geom_of).items():
            covered[org_id] += km2
    return {o: km2 for o, km2 in covered.items() if km2 > 0}


def _pending_km2(area, pending, geom_of) -> dict[int, float]:
    """Where both the area and an organisation's drawn coverage cut a unit: a drawn coverage inside
    the area counts its stored overlap, one apart from it nothing; only those crossing the area's
    edge are cut (geo.crisis.partial_overlaps_km2)."""
    drawn = drawn_coverages({o for o, _, _ in pending}, sorted({u for _, u, _ in pending}))
    order = list(drawn)
    shapes = np.array([drawn[o] for o in order], dtype=object)
    shapely.prepare(area)
    inside = dict(zip(order, shapely.contains(area, shapes))) if order else {}
    apart = dict(zip(order, shapely.disjoint(area, shapes))) if order else {}
    found: dict[int, float] = defaultdict(float)
    crossing = []
    for org_id, unit_id, org_km2 in pending:
        if org_id not in drawn or apart[org_id]:
            continue
        if inside[org_id]:
            found[org_id] += org_km2
        else:
            crossing.append((org_id, unit_id, org_km2))
    if crossing:
        km2 = partial_overlaps_km2(area, [geom_of[u] for _, u, _ in crossing], [drawn[o] for o, _, _ in crossing])
        for (org_id, _, org_km2), value in zip(crossing, km2):
            found[org_id] += min(float(value), org_km2)
    return found


def _organisations(
    area, covered: dict[int, float], unit_ids, total_km2: float, exact: bool
) -> tuple[OrganisationHit, ...]:
    details = organisation_details(set(covered), unit_ids, exact)
    order = list(covered)
    points = [(o, p) for o in order for p in details[o].positions]
    inside = points_inside(area, [p[0] for _, p in points], [p[1] for _, p in points])
    with_site_inside = {o for (o, _), hit in zip(points, inside) if hit}
    hits = []
    for org_id in order:
        d, km2 = details[org_id], covered[org_id]
        hits.append(
            OrganisationHit(
                id=d.uuid,
                name=d.name,
                country=d.country,
                area_share=min(1.0, km2 / total_km2) if total_km2 else 0.0,
                phones=d.phones,
                emails=d.emails,
                website=d.website,
                last_verified=d.last_verified,
                site_inside=org_id in with_site_inside,
                positions=d.positions,
                services=d.services,
                overlap_km2=km2,
            )
        )
    hits.sort(key=lambda h: (-round(h.area_share, 6), h.name.casefold(), h.id))
    return tuple(hits)


def _service_groups(hits, lang: str) -> tuple[tuple[ServiceGroup, ...], tuple[ServiceGroup, ...]]:
    by_code: dict[str, list[OrganisationHit]] = defaultdict(list)
    for hit in hits:
        for code in hit.services:
            by_code[code].append(hit)
    services, gaps = [], []
    for code, label in service_categories(lang):
        group = ServiceGroup(code, label, tuple(by_code.get(code, ())))
        (services if group.organisations else gaps).append(group)
    return tuple(services), tuple(gaps)
