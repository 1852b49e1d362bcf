"""A district's referral sheet: the published organisations serving a consular district, grouped
by service category, nearest to the consulate first, with what a consulate needs to refer a
person (contacts in full).

Distances are geodesic, from the consulate to the organisation's nearest site *as the reader
may see it* (accounts.access): the public measures to the approximate position of a hidden
site, so a distance never reveals it.

Speed: two narrow indexed queries read (organisation, category) pairs and site positions of
the serving organisations (joins from the district lookup index: measured faster on PostgreSQL than
first reading the ids and then IN lists), numpy measures every distance at once, and only the few shown per
category (PER_SERVICE) are read, with their contacts, in a handful of IN queries
(geography.referral_cards).
A service counts whether or not it is marked active, as in the directory's service filter, so
that "all N organisations" leads to a directory page with N results.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from directory_app import vocabulary
from directory_app.accounts.access import sees_exact_location
from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.organisations.models import (
    DistrictCoverage,
    Location,
    Organisation,
    Service,
    Status,
)
from directory_app.referrals.referral_cards import OrganisationCard, ServiceLine, SiteLine, load_cards, load_sites
from geo.nearest import geodesic_km

PER_SERVICE = 10


@dataclass(frozen=True)
class Referral:
    """An organisation on the sheet, its nearest site as the reader may see it, and the distance
    in km from the consulate (None when it has no site)."""

    organisation: OrganisationCard
    site: SiteLine | None
    lon: float | None
    lat: float | None
    is_exact: bool
    distance_km: float | None
    services: list[ServiceLine]  # its services of the group's category


@dataclass(frozen=True)
class ServiceGroup:
    """One service category: how many published organisations serving the district offer it,
    and the nearest of them. total == 0 is a gap."""

    code: str
    term: vocabulary.Term
    total: int
    referrals: list[Referral]

    @property
    def is_gap(self) -> bool:
        return self.total == 0


@dataclass(frozen=True)
class _Nearest:
    distance: dict[int, float]  # organisation id -> km
    site: dict[int, tuple[int, float, float, bool]]  # organisation id -> (location id, lon, lat, exact)


def district_referrals(
    district: ConsularDistrict, per_service: int = PER_SERVICE, category: str | None = None
) -> list[ServiceGroup]:
    """Every service category (or only `category`), in vocabulary order, with the nearest
    `per_service` organisations serving the district that offer it."""
    terms = [t for t in vocabulary.SERVICE_CATEGORIES if category in (None, t.code)]
    pairs = _serving_categories(district.id, category)
    nearest = _nearest_sites(district)
    by_category: dict[str, list[int]] = {}
    for org_id, code in pairs:
        by_category.setdefault(code, []).append(org_id)

    def order(org_id: int) -> tuple[float, int]:
        return nearest.distance.get(org_id, float("inf")), org_id

    shown = {code: sorted(ids, key=order)[:per_service] for code, ids in by_category.items()}
    shown_ids = {i for ids in shown.values() for i in ids}
    organisations = load_cards(shown_ids)
    sites = load_sites([nearest.site[i][0] for i in shown_ids if i in nearest.site])
    groups = []
    for term in terms:
        referrals = [_referral(organisations[i], term.code, nearest, sites) for i in shown.get(term.code, [])]
        groups.append(ServiceGroup(term.code, term, len(by_category.get(term.code, [])), referrals))
    return groups


def _serving_categories(district_id: int, category: str | None) -> list[tuple[int, str]]:
    """(organisation id, category) of every service of the published organisations
    serving the district."""
    query = (
        select(DistrictCoverage.organisation_id, Service.category_code)
        .join(Service, Service.organisation_id == DistrictCoverage.organisation_id)
        .where(
            DistrictCoverage.district_id == district_id,
            DistrictCoverage.status == Status.PUBLISHED,
        )
        .distinct()
    )
    if category:
        query = query.where(Service.category_code == category)
    return [(org_id, code) for org_id, code in db.session.execute(query)]


def _nearest_sites(district: ConsularDistrict) -> _Nearest:
    """Each serving organisation's nearest site to the consulate, as the reader may see it."""
    rows = db.session.execute(
        select(
            Location.organisation_id,
            Location.id,
            Location.lon,
            Location.lat,
            Location.public_lon,
            Location.public_lat,
            Organisation.hide_exact_location,
            Organisation.country_code,
        )
        .join(DistrictCoverage, DistrictCoverage.organisation_id == Location.organisation_id)
        .join(Organisation, Organisation.id == Location.organisation_id)
        .where(DistrictCoverage.district_id == district.id, DistrictCoverage.status == Status.PUBLISHED)
    ).all()
    if not rows:
        return _Nearest({}, {})
    exact = _exact_for_reader(rows)
    data = np.array([(r.organisation_id, r.id, r.lon, r.lat, r.public_lon, r.public_lat) for r in rows], dtype=float)
    lons = np.where(exact, data[:, 2], data[:, 4])
    lats = np.where(exact, data[:, 3], data[:, 5])
    km = geodesic_km(district.consulate.lon, district.consulate.lat, lons, lats)
    order = np.lexsort((data[:, 1], km, data[:, 0]))  # by organisation, then distance, then site id
    first = order[np.r_[True, data[order[1:], 0] != data[order[:-1], 0]]]  # each organisation's nearest site
    distance = {int(data[i, 0]): float(km[i]) for i in first}
    site = {int(data[i, 0]): (int(data[i, 1]), float(lons[i]), float(lats[i]), bool(exact[i])) for i in first}
    return _Nearest(distance, site)


def _exact_for_reader(rows) -> np.ndarray:
    """Per site row: may the reader see its exact position? Asked of accounts.access once per
    organisation that hides its location (the others are public anyway)."""
    answers: dict[int, bool] = {}
    for row in rows:
        if row.hide_exact_location and row.organisation_id not in answers:
            answers[row.organisation_id] = sees_exact_location(row)  # the row carries the organisation's fields
    return np.array([answers.get(r.organisation_id, True) for r in rows], dtype=bool)


def _referral(org: OrganisationCard, category: str, nearest: _Nearest, sites: dict[int, SiteLine]) -> Referral:
    services = [s for s in org.services if s.category_code == category]
    if org.id not in nearest.site:
        return Referral(org, None, None, None, False, None, services)
    location_id, lon, lat, is_exact = nearest.site[org.id]
    return Referral(org, sites.get(location_id), lon, lat, is_exact, nearest.distance[org.id], services)
