"""HSDS 3.0 documents built from loaded ORM objects (no queries, no Flask): organization, service,
location, service_area, contact, phone, language, attribute and metadata objects that validate
against the compiled schemas of Open Referral HSDS 3.0.

Privacy: for an organisation whose exact location the reader may not see (`Reader.exact` says so,
from accounts.access.exact_location_rule), locations carry the approximate public position, no
street address and no postal code, and radius and drawn service areas are described in words (a
circle would give its centre away, a drawn area its surroundings)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import shapely

from directory_app import vocabulary
from directory_app.api.hsds_taxonomy import POPULATION, SERVICE_CATEGORY, derived_uuid, term_document
from directory_app.api.params import iso_datetime
from directory_app.organisations.display import website_href
from directory_app.organisations.models import CoverageKind, Location, Organisation, Phone, Service
from geo.simplify import display_geometry

PRECISION_LINK_TYPE = "location_precision"  # the attribute of a location that says how exact it is

HSDS_VERSION = "3.0"
PUBLISHER = "CAMMINA Directory"
_CATEGORY_TERMS = {term.code: term for term in vocabulary.SERVICE_CATEGORIES}
_POPULATION_TERMS = {term.code: term for term in vocabulary.POPULATIONS}


@dataclass(frozen=True)
class Reader:
    """What the documents depend on besides the data: who reads (exact positions) and our URLs."""

    exact: Callable[[bool, str], bool]  # (hide_exact_location, country_code) -> may see exact position
    organisation_url: Callable[[str], str]  # uuid -> the public page of the organisation


def _clean(document: dict) -> dict:
    """Without None values and empty optional strings (HSDS formats such as email refuse '')."""
    return {key: value for key, value in document.items() if value is not None and value != ""}


def organization_summary(org: Organisation, reader: Reader) -> dict:
    """The one-to-one fields of an organization (organization_list.json)."""
    document = _clean(
        {
            "id": org.uuid,
            "name": org.name,
            "alternate_name": org.alternate_name,
            "email": org.email if org.email and "@" in org.email else None,
            "website": website_href(org.website),
            "uri": reader.organisation_url(org.uuid),
        }
    )
    document["description"] = org.description or ""
    return document


def organization_document(org: Organisation, reader: Reader, *, services: str | None = "full") -> dict:
    """A fully nested organization (compiled/organization.json); its services nested in full
    (services="full"), as their one-to-one fields ("summary") or left out (None)."""
    document = organization_summary(org, reader)
    exact = reader.exact(org.hide_exact_location, org.country_code)
    document["contacts"] = [contact_document(contact, org) for contact in org.contacts]
    document["phones"] = [phone_document(phone, org.uuid) for phone in org.phones if phone.contact_id is None]
    document["locations"] = [location_document(location, org, exact) for location in org.locations]
    document["metadata"] = [metadata_document(org.uuid, "organization", org.updated_at)]
    if services == "full":
        document["services"] = [service_document(service, org, reader) for service in org.services]
    elif services == "summary":
        document["services"] = [service_summary(service, org) for service in org.services]
    return document


def service_summary(service: Service, org: Organisation) -> dict:
    """The one-to-one fields of a service (service_list.json)."""
    return _clean(
        {
            "id": service.uuid,
            "organization_id": org.uuid,
            "name": service.name,
            "description": service.description,
            "status": "active" if service.is_active else "inactive",
            "eligibility_description": service.eligibility,
            "fees_description": service.fees,
            "assured_date": org.last_verified.isoformat() if org.last_verified else None,
            "last_modified": iso_datetime(service.updated_at),
        }
    )


def service_document(service: Service, org: Organisation, reader: Reader, *, with_organization: bool = False) -> dict:
    """A fully nested service (compiled/service.json): languages, service areas (the
    organisation's coverage parts), service at locations, schedule, taxonomy attributes."""
    exact = reader.exact(org.hide_exact_location, org.country_code)
    document = service_summary(service, org)
    document["languages"] = [
        {"id": derived_uuid("language", service.uuid, lang.code), "service_id": service.uuid, "code": lang.code}
        for lang in service.languages
    ]
    document["service_areas"] = [_service_area(service, part, exact) for part in org.coverage_parts]
    document["service_at_locations"] = [
        {
            "id": derived_uuid("service_at_location", service.uuid, location.uuid),
            "service_id": service.uuid,
            "location_id": location.uuid,
            "location": location_document(location, org, exact),
        }
        for location in service.locations
    ]
    if service.schedule:
        document["schedules"] = [
            {"id": derived_uuid("schedule", service.uuid), "service_id": service.uuid, "description": service.schedule}
        ]
    document["attributes"] = _attributes(service)
    document["metadata"] = [metadata_document(service.uuid, "service", service.updated_at)]
    if with_organization:
        document["organization"] = organization_document(org, reader, services=None)
    return document


def service_minimal(service: Service) -> dict:
    """A service as `minimal=true` lists it (schema/openapi.json: just 'id' and 'modified_date')."""
    return {"id": service.uuid, "modified_date": iso_datetime(service.updated_at)}


def service_at_location_summary(sal_id: str, service: Service, location: Location, reader: Reader) -> dict:
    """A service at a site with one-to-one fields (compiled/service_at_location_list.json): the site
    without its addresses (with the mark of how exact its position is), the service's summary."""
    org = service.organisation
    site = location_document(location, org, reader.exact(org.hide_exact_location, org.country_code))
    del site["addresses"]
    return {
        "id": sal_id,
        "service_id": service.uuid,
        "location_id": location.uuid,
        "location": site,
        "service": service_summary(service, org),
    }


def service_at_location_document(sal_id: str, service: Service, location: Location, reader: Reader) -> dict:
    """A fully nested service at a site (compiled/service_at_location.json): the site with its
    address, the full service with its organisation."""
    org = service.organisation
    nested = service_document(service, org, reader, with_organization=True)
    del nested["service_at_locations"]  # this one is the document itself
    return {
        "id": sal_id,
        "service_id": service.uuid,
        "location_id": location.uuid,
        "location": location_document(location, org, reader.exact(org.hide_exact_location, org.country_code)),
        "service": nested,
    }


def _attributes(service: Service) -> list[dict]:
    links = [(SERVICE_CATEGORY, _CATEGORY_TERMS.get(service.category_code))]
    links += [(POPULATION, _POPULATION_TERMS.get(p.code)) for p in service.populations]
    return [
        {
            "id": derived_uuid("attribute", service.uuid, taxonomy.key, term.code),
            "link_id": service.uuid,
            "link_type": taxonomy.key,
            "link_entity": "service",
            "taxonomy_term_id": taxonomy.term_id(term.code),
            "value": term.code,
            "taxonomy_term": term_document(taxonomy, term),
        }
        for taxonomy, term in links
        if term is not None
    ]


def _service_area(service: Service, part, exact: bool) -> dict:
    document = {
        "id": derived_uuid("service_area", service.uuid, part.uuid),
        "service_id": service.uuid,
        "name": part.label or part.kind.value,
    }
    if part.kind == CoverageKind.COUNTRY:
        document.update(extent_type="text", extent=f"ISO 3166-1 {part.country_code}", description="country")
    elif part.kind == CoverageKind.ADMIN_UNIT and part.admin_unit is not None:
        document.update(extent_type="text", extent=f"ISO 3166-2 {part.admin_unit.code}", description="admin unit")
    elif part.kind == CoverageKind.RADIUS and not exact:
        document.update(extent_type="text", extent=f"{part.radius_km or 0:g} km around a site", description="radius")
    elif not exact:  # a drawn area could give the hidden site away
        document.update(extent_type="text", extent="drawn area (not published)", description=part.kind.value)
    elif part.geom_wkb:
        geometry = display_geometry(shapely.from_wkb(part.geom_wkb), tolerance=0.001, grid=0.0001)  # valid
        document.update(extent_type="geojson", extent=shapely.to_geojson(geometry), description=part.kind.value)
    return document


def location_document(location: Location, org: Organisation, exact: bool) -> dict:
    """A physical location; approximate (public position, no street address) when not `exact`."""
    lon, lat = (location.lon, location.lat) if exact else (location.public_lon, location.public_lat)
    document = _clean(
        {
            "id": location.uuid,
            "location_type": "physical",
            "organization_id": org.uuid,
            "name": location.name,
            "description": None if exact else "Approximate position: the organisation does not publish its address.",
            "latitude": round(lat, 5),
            "longitude": round(lon, 5),
        }
    )
    document["addresses"] = [
        {
            "id": derived_uuid("address", location.uuid),
            "location_id": location.uuid,
            "address_1": location.address if exact else "",
            "city": location.city,
            "state_province": location.region,
            "postal_code": location.postal_code if exact else "",
            "country": location.country_code,
            "address_type": "physical",
        }
    ]
    # HSDS has no field for how exact a position is: an attribute says it, so that no reader (nor a
    # re-import) takes a hidden site's public approximation for its place.
    document["attributes"] = [
        {
            "id": derived_uuid("attribute", location.uuid, PRECISION_LINK_TYPE),
            "link_id": location.uuid,
            "link_type": PRECISION_LINK_TYPE,
            "link_entity": "location",
            "value": "exact" if exact else "approximate",
        }
    ]
    return document


def contact_document(contact, org: Organisation) -> dict:
    document = _clean(
        {
            "id": contact.uuid,
            "organization_id": org.uuid,
            "name": contact.name,
            "title": contact.title,
            "department": contact.department,
            "email": contact.email if contact.email and "@" in contact.email else None,
        }
    )
    document["phones"] = [phone_document(phone, org.uuid) for phone in contact.phones]
    return document


def phone_document(phone: Phone, org_uuid: str) -> dict:
    """A phone; HSDS wants the extension as a number, so one with other characters goes to the
    description."""
    extension = phone.extension or ""
    description = phone.description
    if extension and not extension.isdigit():
        description = f"{description} (ext. {extension})".strip()
    return _clean(
        {
            "id": phone.uuid,
            "organization_id": org_uuid,
            "contact_id": phone.contact.uuid if phone.contact_id and phone.contact else None,
            "number": phone.number,
            "extension": int(extension) if extension.isdigit() else None,
            "type": phone.type.value,
            "description": description,
        }
    )


def metadata_document(resource_id: str, resource_type: str, updated_at) -> dict:
    """The last change of a resource as HSDS metadata (field-level history is not published)."""
    return {
        "id": derived_uuid("metadata", resource_id, iso_datetime(updated_at) or ""),
        "resource_id": resource_id,
        "resource_type": resource_type,
        "last_action_date": iso_datetime(updated_at) or "",
        "last_action_type": "update",
        "field_name": "",
        "previous_value": "",
        "replacement_value": "",
        "updated_by": PUBLISHER,
    }
