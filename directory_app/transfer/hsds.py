"""Reading HSDS 3.0 organization documents back into organisation data.

Our own exports carry the complete record in an attribute (exports.HSDS_RECORD) and re-import
exactly, ids included. Other publishers' documents are mapped field by field: names, description,
email, website, contacts, phones, locations with their first address, services with their taxonomy
attributes (service_category, population), languages, eligibility, fees and schedule; the
country comes from the first address; a new organisation's kind is 'ngo' and its status 'draft'.
What a document leaves out says nothing (an existing organisation keeps it). The ids of the
organization, its contacts, phones, locations and services are kept when they are UUIDs, a
location's "location_precision" attribute "approximate" marks a public approximate position, and
the organization's newest metadata last_action_date is the source's date of its last change.
"""

from __future__ import annotations

import json
from uuid import UUID

from flask_babel import gettext as _

from directory_app.api.hsds_attributes import EXTRA_LINK_TYPE
from directory_app.errors import ValidationError
from directory_app.transfer.mapping import CREATE_DEFAULTS, ORGANISATION_ID, SOURCE_MODIFIED, source_date

HSDS_RECORD = "cammina_record"


def organisation_data_from_hsds(document: dict) -> dict | ValidationError:
    """The create_organisation data of one HSDS organization, or the error that prevents it."""
    return _with_source(document, _record(document) or _mapped(document))


def _record(document: dict) -> dict | ValidationError | None:
    for attribute in document.get("attributes") or []:
        if isinstance(attribute, dict) and attribute.get("link_type") == HSDS_RECORD:
            try:
                record = json.loads(attribute.get("value") or "")
            except ValueError:
                return ValidationError(_("the CAMMINA record attribute is not valid JSON"), field="attributes")
            if isinstance(record, dict):
                return record
    return None


def _with_source(document: dict, data: dict | ValidationError) -> dict | ValidationError:
    """The data with the organization's id (when the data has none) and the source's date."""
    if isinstance(data, ValidationError):
        return data
    data = dict(data)
    if not data.get(ORGANISATION_ID) and _uuid(document.get("id")):
        data[ORGANISATION_ID] = _uuid(document.get("id"))
    dates = []
    for item in document.get("metadata") or []:
        if isinstance(item, dict) and item.get("last_action_date"):
            try:
                dates.append(source_date(item["last_action_date"], "metadata"))
            except ValidationError:
                continue
    if dates:
        data[SOURCE_MODIFIED] = max(dates)
    return data


def _uuid(value) -> str:
    try:
        return str(UUID(str(value)))
    except ValueError:
        return ""


def _with_id(item: dict, document: dict) -> dict:
    return {"id": _uuid(document.get("id")), **item} if _uuid(document.get("id")) else item


def _mapped(document: dict) -> dict:
    locations = [_location(loc) for loc in document.get("locations") or [] if isinstance(loc, dict)]
    countries = [loc["country_code"] for loc in locations if loc.get("country_code")]
    identifiers = [i.get("identifier") for i in document.get("organization_identifiers") or [] if isinstance(i, dict)]
    said = {
        "alternate_name": document.get("alternate_name") or "",
        "description": document.get("description") or "",
        "website": document.get("website") or "",
        "email": document.get("email") or "",
        "contacts": [
            _with_id({k: c.get(k) or "" for k in ("name", "title", "department", "email")}, c)
            for c in document.get("contacts") or []
            if isinstance(c, dict)
        ],
        "phones": [_phone(p) for p in document.get("phones") or [] if isinstance(p, dict)],
        "locations": [loc for loc in locations if loc.get("lon") is not None],
        "services": [_service(s) for s in document.get("services") or [] if isinstance(s, dict)],
    }
    data = {key: value for key, value in said.items() if key in document}
    data.update(
        external_id=identifiers[0] if identifiers else (document.get("id") or ""),
        name=document.get("name") or "",
        **{CREATE_DEFAULTS: {"kind": "ngo", "status": "draft"}},
    )
    if countries:
        data["country_code"] = countries[0]
    return data | _extra(document)


def _extra(document: dict) -> dict:
    """{"extra": {code: value}} from the organization's additional-information attributes (if any)."""
    extra = {}
    for attribute in document.get("attributes") or []:
        if isinstance(attribute, dict) and attribute.get("link_type") == EXTRA_LINK_TYPE:
            term = attribute.get("taxonomy_term") if isinstance(attribute.get("taxonomy_term"), dict) else {}
            if term.get("code"):
                extra[str(term["code"])] = str(attribute.get("value") or "")
    return {"extra": extra} if extra else {}


def _location(location: dict) -> dict:
    address = (location.get("addresses") or [{}])[0] or {}
    precisions = [
        a.get("value")
        for a in location.get("attributes") or []
        if isinstance(a, dict) and a.get("link_type") == "location_precision"
    ]
    item = {
        "name": location.get("name") or "",
        "address": address.get("address_1") or "",
        "city": address.get("city") or "",
        "region": address.get("state_province") or "",
        "postal_code": address.get("postal_code") or "",
        "country_code": address.get("country") or "",
        "lon": location.get("longitude"),
        "lat": location.get("latitude"),
    }
    if precisions and precisions[0] in ("approximate", "exact"):
        item["precision"] = precisions[0]
    return _with_id(item, location)


def _phone(phone: dict) -> dict:
    extension = phone.get("extension")
    return _with_id(
        {
            "number": phone.get("number") or "",
            "type": phone.get("type") or "voice",
            "extension": "" if extension is None else str(extension),
            "description": phone.get("description") or "",
        },
        phone,
    )


def _service(service: dict) -> dict:
    terms = [a for a in service.get("attributes") or [] if isinstance(a, dict)]
    categories = [a.get("value") for a in terms if a.get("link_type") == "service_category"]
    populations = [a.get("value") for a in terms if a.get("link_type") == "population"]
    schedules = [s.get("description") for s in service.get("schedules") or [] if isinstance(s, dict)]
    return _with_id(
        {
            "category": categories[0] if categories else "",
            "name": service.get("name") or "",
            "description": service.get("description") or "",
            "eligibility": service.get("eligibility_description") or "",
            "fees": service.get("fees_description") or "",
            "schedule": "; ".join(s for s in schedules if s),
            "populations": [p for p in populations if p],
            "languages": [
                lang.get("code")
                for lang in service.get("languages") or []
                if isinstance(lang, dict) and lang.get("code")
            ],
        },
        service,
    )
