"""What the organisation page shows: the organisation with everything a referral needs, its sites
as the current reader may see them, and the consular districts it serves."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory_app.accounts.access import signed_in_role, site_position
from directory_app.accounts.models import Role
from directory_app.extensions import db
from directory_app.geography.consulate_names import consulate_name
from directory_app.geography.models import ConsularDistrict, Consulate
from directory_app.organisations.display import reader_language
from directory_app.organisations.models import DistrictCoverage, Organisation, Phone, Service, Status


def may_see_unpublished() -> bool:
    """Only the Technical Secretariat sees entries that are not published."""
    return signed_in_role() == Role.TS_ADMIN


def find_organisation(organisation_uuid: str) -> Organisation | None:
    """The organisation with this public id, with its services, contacts, phones, sites and
    networks loaded; None when unknown or when the reader may not see it (not published)."""
    org = db.session.scalar(
        select(Organisation)
        .where(Organisation.uuid == organisation_uuid)
        .options(
            selectinload(Organisation.services).selectinload(Service.populations),
            selectinload(Organisation.services).selectinload(Service.languages),
            selectinload(Organisation.contacts),
            selectinload(Organisation.phones),
            selectinload(Organisation.locations),
            selectinload(Organisation.networks),
            selectinload(Organisation.country),
        )
    )
    if org is None or (org.status != Status.PUBLISHED and not may_see_unpublished()):
        return None
    return org


def phones_by_contact(org: Organisation) -> dict[int | None, list[Phone]]:
    """The organisation's phones grouped by contact id (None: the organisation's own lines), from
    the one loaded list of phones."""
    grouped: dict[int | None, list[Phone]] = {}
    for phone in org.phones:
        grouped.setdefault(phone.contact_id, []).append(phone)
    return grouped


@dataclass(frozen=True)
class SiteView:
    """A site as the current reader may see it: street address, postal code and exact position
    only when allowed (access.site_position); otherwise city and region with the approximate
    public position."""

    name: str
    address: str
    postal_code: str
    city: str
    region: str
    country_code: str
    lon: float
    lat: float
    is_exact: bool


def visible_sites(org: Organisation) -> list[SiteView]:
    """The organisation's sites for the current reader."""
    sites = []
    for location in org.locations:
        lon, lat, is_exact = site_position(location, org)
        sites.append(
            SiteView(
                name=location.name,
                address=location.address if is_exact else "",
                postal_code=location.postal_code if is_exact else "",
                city=location.city,
                region=location.region,
                country_code=location.country_code,
                lon=round(lon, 5),
                lat=round(lat, 5),
                is_exact=is_exact,
            )
        )
    return sites


@dataclass(frozen=True)
class ServedDistrict:
    code: str
    consulate: str
    city: str
    sending_country_code: str
    share: float  # of the district's area, 0..1
    is_approximate: bool


def districts_served(org: Organisation) -> list[ServedDistrict]:
    """The consular districts the organisation serves, largest share first (one query)."""
    rows = db.session.execute(
        select(
            ConsularDistrict.code,
            Consulate.name_es,
            Consulate.name_en,
            Consulate.city,
            ConsularDistrict.sending_country_code,
            DistrictCoverage.share,
            ConsularDistrict.is_approximate,
        )
        .join(ConsularDistrict, ConsularDistrict.id == DistrictCoverage.district_id)
        .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
        .where(DistrictCoverage.organisation_id == org.id)
        .order_by(DistrictCoverage.share.desc(), ConsularDistrict.code)
    ).all()
    lang = reader_language()
    return [ServedDistrict(code, consulate_name(es, en, lang), *rest) for code, es, en, *rest in rows]
