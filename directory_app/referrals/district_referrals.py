"""A district's referral sheet: the published organisations serving a consular district, nearest to
the consulate first, each once with the services it offers, what a consulate needs to refer a person
(contacts in full), and per service category how many there are (none: a gap).

Distances are geodesic, from the consulate to the organisation's nearest site *as the reader
may see it* (accounts.access): the public measures to the approximate position of a hidden
site, so a distance never reveals it.

Speed: two narrow indexed queries read each category's organisations (one row a category) and the site
positions of the serving organisations (joins from the district lookup index: measured faster on PostgreSQL than
first reading the ids and then IN lists), the sites with the country of the few organisations that hide
their location (from the small index of those: each site's whole organisation row cost SQLite more than
the sites), numpy measures every distance at once, and only the few shown per category (PER_SERVICE) are
read, with their contacts, in two IN queries (referrals.referral_cards); their HTML is built by
referrals.sheet_html.
Only active services count, as in the directory's service filter (organisations.service_choice), so
that "all N organisations" leads to a directory page with N results.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import bindparam, literal_column, select

from directory_app import vocabulary
from directory_app.accounts.access import exact_location_rule, sees_all_exact_locations
from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.organisations.models import (
    DistrictCoverage,
    Location,
    Organisation,
    Service,
    Status,
)
from directory_app.organisations.service_choice import NO_CHOICE, ServiceChoice, service_choice
from directory_app.referrals.id_lists import ids_of
from directory_app.referrals.referral_cards import OrganisationCard, ServiceLine, SiteLine, load_cards
from geo.nearest import geodesic_km

PER_SERVICE = 10


@dataclass(frozen=True)
class Referral:
    """An organisation on the sheet (once, whatever the number of its services), its nearest site as
    the reader may see it, and the distance in km from the consulate (None when it has no site)."""

    organisation: OrganisationCard
    site: SiteLine | None
    lon: float | None
    lat: float | None
    is_exact: bool
    distance_km: float | None
    shortlisted: frozenset[str]  # the categories for which it is among the nearest shown

    @property
    def services(self) -> list[ServiceLine]:
        """Its active services, in entry order."""
        return self.organisation.services

    @property
    def service_groups(self) -> list[tuple[list[ServiceLine], str, str, str]]:
        """Its services grouped by hours and fees, in entry order: (services, schedule, the schedule's
        language, fees) per group, so that a card says "Shelter, Food · Hours: 24 h" once."""
        groups: dict[tuple[str, str, str], list[ServiceLine]] = {}
        for line in self.organisation.services:
            groups.setdefault((line.schedule, line.schedule_language, line.fees), []).append(line)
        return [(lines, schedule, language, fees) for (schedule, language, fees), lines in groups.items()]

    @property
    def categories(self) -> list[str]:
        """The categories it offers, each once, in the vocabulary's order."""
        offered = {s.category_code for s in self.organisation.services}
        return [t.code for t in vocabulary.SERVICE_CATEGORIES if t.code in offered]


@dataclass(frozen=True)
class ServiceGroup:
    """One service category: how many published organisations serving the district offer it,
    and the nearest of them (shown on the sheet). total == 0 is a gap."""

    code: str
    term: vocabulary.Term
    total: int
    referrals: list[Referral]

    @property
    def is_gap(self) -> bool:
        return self.total == 0


@dataclass(frozen=True)
class DistrictSheet:
    """What a district page lists: the chosen categories (every one when none is chosen) with their
    counts and gaps, and the organisations shown, each once, nearest first.

    With no choice or `match=any`, the organisations shown are, for each chosen category, the
    `per_service` nearest offering it; `total` counts every organisation offering any of them. With
    `match=all` (two categories or more), they are the `per_service` nearest offering all of them,
    out of `total`."""

    groups: list[ServiceGroup]
    referrals: list[Referral]
    choice: ServiceChoice
    total: int
    per_service: int

    @property
    def gaps(self) -> list[ServiceGroup]:
        return [g for g in self.groups if g.is_gap]


@dataclass(frozen=True)
class _Nearest:
    distance: dict[int, float]  # organisation id -> km
    site: dict[int, tuple[int, float, float, bool]]  # organisation id -> (location id, lon, lat, exact)


def district_sheet(
    district: ConsularDistrict, per_service: int = PER_SERVICE, choice: ServiceChoice = NO_CHOICE
) -> DistrictSheet:
    """The district's sheet for the chosen services (see DistrictSheet)."""
    chosen = set(choice.codes)
    terms = [t for t in vocabulary.SERVICE_CATEGORIES if not chosen or t.code in chosen]
    by_category = _serving_categories(district.id, choice.codes)
    nearest = _nearest_sites(district)
    # Nearest first, then by id; those without a site last (one key per organisation, not per category).
    keys = {i: (nearest.distance.get(i, float("inf")), i) for ids in by_category.values() for i in ids}
    order = keys.__getitem__

    if choice.needs_all:
        matching = set.intersection(*(set(by_category.get(code, ())) for code in choice.codes))
        shown_ids = sorted(matching, key=order)[:per_service]
        shortlisted = dict.fromkeys(shown_ids, frozenset(choice.codes))
        shown = {code: shown_ids for code in choice.codes}
    else:
        matching = {i for t in terms for i in by_category.get(t.code, ())}
        shown = {t.code: sorted(by_category.get(t.code, ()), key=order)[:per_service] for t in terms}
        lists: dict[int, set[str]] = {}
        for code, ids in shown.items():
            for i in ids:
                lists.setdefault(i, set()).add(code)
        shortlisted = {i: frozenset(codes) for i, codes in lists.items()}
    organisations, sites = load_cards(set(shortlisted), [nearest.site[i][0] for i in shortlisted if i in nearest.site])
    referrals = {i: _referral(organisations[i], shortlisted[i], nearest, sites) for i in shortlisted}
    groups = [
        ServiceGroup(t.code, t, len(by_category.get(t.code, ())), [referrals[i] for i in shown.get(t.code, ())])
        for t in terms
    ]
    return DistrictSheet(
        groups, [referrals[i] for i in sorted(referrals, key=order)], choice, len(matching), per_service
    )


def district_referrals(
    district: ConsularDistrict, per_service: int = PER_SERVICE, category: str | None = None
) -> list[ServiceGroup]:
    """Every service category (or only `category`), in vocabulary order, with the nearest
    `per_service` organisations serving the district that offer it."""
    return district_sheet(district, per_service, service_choice(category)).groups


# The sheet's statements, built once and run on the session's connection with the district as a parameter
# (as referrals.referral_cards does: the ORM's execution layer and the statements' cache keys cost a
# quarter of each query's time).
_SERVING = (DistrictCoverage.district_id == bindparam("district_id")) & (DistrictCoverage.status == Status.PUBLISHED)
_CATEGORIES = (
    select(Service.category_code, ids_of(DistrictCoverage.organisation_id))
    .join(Service, Service.organisation_id == DistrictCoverage.organisation_id)
    .where(_SERVING, Service.is_active.is_(True))
    .group_by(Service.category_code)
)
_CHOSEN_CATEGORIES = _CATEGORIES.where(Service.category_code.in_(bindparam("codes", expanding=True)))
# Each site of a serving organisation, with the organisation's country when it hides its location (NULL
# otherwise), so that the reader's rule (accounts.access) needs no second query. The few that hide are
# found in ix_organisation_hidden, whose predicate `hide_exact_location` the join repeats word for word:
# neither database matches the column as SQLAlchemy writes it (`= 1` on SQLite, `IS true`) to the index,
# and SQLite then read each site's whole organisation row.
_HIDING = Organisation.__table__.alias("hiding")
_SITES = (
    select(
        Location.organisation_id,
        Location.id,
        Location.lon,
        Location.lat,
        Location.public_lon,
        Location.public_lat,
        _HIDING.c.country_code,
    )
    .join(DistrictCoverage, DistrictCoverage.organisation_id == Location.organisation_id)
    .outerjoin(
        _HIDING, (_HIDING.c.id == Location.organisation_id) & literal_column(f"{_HIDING.name}.hide_exact_location")
    )
    .where(_SERVING)
)


def _serving_categories(district_id: int, categories: tuple[str, ...]) -> dict[str, list[int]]:
    """Category -> the published organisations serving the district that offer it (an active service of
    it), each once; of the given categories, when any (ix_service_sheet covers it). One row a category;
    an organisation with two services of a category is dropped here rather than by a DISTINCT (which costs
    SQLite a temporary B-tree)."""
    connection = db.session.connection()
    if categories:
        rows = connection.execute(_CHOSEN_CATEGORIES, {"district_id": district_id, "codes": list(categories)}).all()
    else:
        rows = connection.execute(_CATEGORIES, {"district_id": district_id}).all()
    return {code: list(dict.fromkeys(ids)) for code, ids in rows}


def _nearest_sites(district: ConsularDistrict) -> _Nearest:
    """Each serving organisation's nearest site to the consulate, as the reader may see it (the sites
    read in ix_location_sheet, those that hide their location in ix_organisation_hidden)."""
    rows = db.session.connection().execute(_SITES, {"district_id": district.id}).all()
    if not rows:
        return _Nearest({}, {})
    data = np.array([row[:6] for row in rows], dtype=float)  # (numpy reads a Row 5x slower than a tuple)
    hidden = _hidden_from_reader({(row[0], row[6]) for row in rows if row[6] is not None})
    exact = ~np.isin(data[:, 0], list(hidden)) if hidden else np.ones(len(data), dtype=bool)
    lons = np.where(exact, data[:, 2], data[:, 4])
    lats = np.where(exact, data[:, 3], data[:, 5])
    km = geodesic_km(district.consulate.lon, district.consulate.lat, lons, lats)
    order = np.lexsort((data[:, 1], km, data[:, 0]))  # by organisation, then distance, then site id
    first = order[np.r_[True, data[order[1:], 0] != data[order[:-1], 0]]]  # each organisation's nearest site
    org_ids = data[first, 0].astype(int).tolist()
    distance = dict(zip(org_ids, km[first].tolist(), strict=True))
    site = dict(
        zip(
            org_ids,
            zip(
                data[first, 1].astype(int).tolist(),
                lons[first].tolist(),
                lats[first].tolist(),
                exact[first].tolist(),
                strict=True,
            ),
            strict=True,
        )
    )
    return _Nearest(distance, site)


def _hidden_from_reader(hiding: set[tuple[int, str]]) -> set[int]:
    """Of the serving organisations that hide their location, (id, country) each, those whose exact sites
    the reader may not see (accounts.access): all of them but for the readers who see them."""
    if not hiding or sees_all_exact_locations():
        return set()
    rule = exact_location_rule()
    return {org_id for org_id, country in hiding if not rule(True, country)}


def _referral(
    org: OrganisationCard, shortlisted: frozenset[str], nearest: _Nearest, sites: dict[int, SiteLine]
) -> Referral:
    if org.id not in nearest.site:
        return Referral(org, None, None, None, False, None, shortlisted)
    location_id, lon, lat, is_exact = nearest.site[org.id]
    return Referral(org, sites.get(location_id), lon, lat, is_exact, nearest.distance[org.id], shortlisted)
