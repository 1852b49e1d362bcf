"""Nearest partners: where to search from (a consulate, a place, or a point), and the nearest
published organisations with their distances.

Reading a request's arguments gives a NearestQuery or the messages that say what is wrong;
the views only show them. Positions and distances are those the reader may see: the public
searches the public positions (hidden sites at their approximate point); consular users and the
TS search exact positions (accounts.access.sees_all_exact_locations). A point given without a label
(a map click) is named by geography.place_names ("Tapachula, Chiapas, Mexico")."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory_app.accounts.access import sees_all_exact_locations
from directory_app.extensions import db
from directory_app.geography.models import Consulate
from directory_app.geography.place_names import describe_point
from directory_app.geography.places import Match, current_gazetteer, is_ambiguous
from directory_app.i18n import current_language
from directory_app.organisations.models import Location, Organisation
from directory_app.organisations.queries import nearest_organisations
from directory_app.organisations.service_choice import NO_CHOICE, ServiceChoice, read_service_choice
from directory_app.request_params import whole_number

DEFAULT_K = 10
MAX_K = 50


@dataclass
class NearestQuery:
    """A search: its origin (lon, lat) and a label for it, or place choices to pick from."""

    k: int = DEFAULT_K
    services: ServiceChoice = NO_CHOICE  # ?service=a&service=b[&match=all]: offering any (all) of them
    origin: tuple[float, float] | None = None
    origin_label: str = ""
    consulate: Consulate | None = None
    choices: list[Match] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NearestResult:
    """An organisation found, its nearest site as the reader may see it, and the distance."""

    organisation: Organisation
    site: Location | None
    lon: float
    lat: float
    distance_km: float

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def country_code(self) -> str:
        """The country of the site found (results cross borders), else the organisation's."""
        return self.site.country_code if self.site is not None else self.organisation.country_code


def read_nearest_query(args: Mapping[str, str]) -> NearestQuery:
    """Read k, the services (repeatable, with match=any|all), and the origin: lat/lon first, else a
    consulate code, else a place name."""
    query = NearestQuery()
    raw_k = (args.get("k") or "").strip()
    if raw_k:
        k = whole_number(raw_k, 1, MAX_K)
        if k is not None:
            query.k = k
        else:
            query.errors.append(_("The number of results must be a whole number from 1 to %(max)d.", max=MAX_K))
    query.services, problems = read_service_choice(args)
    if problems:
        query.errors.append(_("Unknown service. Choose a service from the list."))
    if (args.get("lat") or "").strip() or (args.get("lon") or "").strip():
        _read_point(args, query)
    elif (args.get("consulate") or "").strip():
        _read_consulate(args["consulate"].strip(), query)
    elif (args.get("place") or "").strip():
        _read_place(args["place"].strip(), query)
    return query


def _read_point(args: Mapping[str, str], query: NearestQuery) -> None:
    try:
        lat, lon = float(args.get("lat", "")), float(args.get("lon", ""))
    except ValueError:
        query.errors.append(_("Latitude and longitude must both be numbers in degrees."))
        return
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        query.errors.append(_("Latitude must lie between -90 and 90 and longitude between -180 and 180."))
        return
    query.origin = (lon, lat)
    label = (args.get("label") or "").strip()[:120]
    query.origin_label = label or describe_point(lon, lat, current_language()) or f"{lat:.4f}, {lon:.4f}"


def _read_consulate(code: str, query: NearestQuery) -> None:
    consulate = db.session.scalar(select(Consulate).where(Consulate.code == code[:60]))
    if consulate is None:
        query.errors.append(_("Unknown consulate. Choose a consulate from the list."))
        return
    query.consulate = consulate
    query.origin = (consulate.lon, consulate.lat)
    query.origin_label = consulate.name_es


def _read_place(text: str, query: NearestQuery) -> None:
    gazetteer = current_gazetteer()
    matches = gazetteer.search(text[:100], limit=10)
    if not matches:
        message = _("No place called “%(place)s” was found. Try another spelling or a nearby city.", place=text[:100])
        query.errors.append(message)
    elif is_ambiguous(matches):
        query.choices = matches
    else:
        place = matches[0].place
        query.origin = (place.lon, place.lat)
        query.origin_label = f"{place.name}, {gazetteer.detail(place, current_language())}"


def find_nearest(query: NearestQuery) -> list[NearestResult]:
    """The nearest published organisations to the query's origin, nearest first."""
    if query.origin is None or query.errors:
        return []
    lon, lat = query.origin
    found = nearest_organisations(lon, lat, k=query.k, category=query.services, exact=sees_all_exact_locations())
    organisations = {
        org.id: org
        for org in db.session.scalars(
            select(Organisation)
            .where(Organisation.id.in_([n.organisation_id for n in found]))
            .options(
                selectinload(Organisation.services),
                selectinload(Organisation.locations),
                selectinload(Organisation.phones),
            )
        )
    }
    results = []
    for n in found:
        org = organisations[n.organisation_id]
        results.append(NearestResult(org, _site_at(org, n.lon, n.lat), n.lon, n.lat, n.distance_km))
    return results


def _site_at(org: Organisation, lon: float, lat: float) -> Location | None:
    """The site found at (lon, lat): matched on the exact or the public position."""
    for loc in org.locations:
        if (loc.lon, loc.lat) == (lon, lat) or (loc.public_lon, loc.public_lat) == (lon, lat):
            return loc
    return None
