"""The tables of an HSDS 3.0 CSV package (the "tabular" form of HSDS): one CSV file per object type,
named and ordered as the HSDS 3.0 schemas say (their "name", "path" and datapackage order), with the
columns of each object's plain fields; nested objects are linked by ids (organization_id, service_id,
location_id, link_id of attributes...).

Spreadsheet programs run a cell that starts with = + - or @ as a formula: cells that would be a formula
(and are neither a number nor a phone number) are written with a leading apostrophe, which the
package reader removes again.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import NamedTuple

DATAPACKAGE = "datapackage.json"


class Resource(NamedTuple):
    name: str  # the HSDS object ("organization"), the datapackage resource's name
    path: str  # its file in the package ("organizations.csv")
    columns: tuple[str, ...]


RESOURCES: tuple[Resource, ...] = (
    Resource(
        "organization",
        "organizations.csv",
        (
            "id",
            "name",
            "alternate_name",
            "description",
            "email",
            "website",
            "tax_status",
            "tax_id",
            "year_incorporated",
            "legal_status",
            "logo",
            "uri",
            "parent_organization_id",
        ),
    ),
    Resource("program", "programs.csv", ("id", "organization_id", "name", "alternate_name", "description")),
    Resource(
        "service",
        "services.csv",
        (
            "id",
            "organization_id",
            "program_id",
            "name",
            "alternate_name",
            "description",
            "url",
            "email",
            "status",
            "interpretation_services",
            "application_process",
            "fees_description",
            "wait_time",
            "fees",
            "accreditations",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "assured_date",
            "assurer_email",
            "licenses",
            "alert",
            "last_modified",
        ),
    ),
    Resource("attribute", "attributes.csv", ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value")),
    Resource("service_at_location", "service_at_location.csv", ("id", "service_id", "location_id", "description")),
    Resource(
        "location",
        "locations.csv",
        (
            "id",
            "location_type",
            "url",
            "organization_id",
            "name",
            "alternate_name",
            "description",
            "transportation",
            "latitude",
            "longitude",
            "external_identifier",
            "external_identifier_type",
        ),
    ),
    Resource(
        "phone",
        "phones.csv",
        (
            "id",
            "location_id",
            "service_id",
            "organization_id",
            "contact_id",
            "service_at_location_id",
            "number",
            "extension",
            "type",
            "description",
        ),
    ),
    Resource(
        "contact",
        "contacts.csv",
        (
            "id",
            "organization_id",
            "service_id",
            "service_at_location_id",
            "location_id",
            "name",
            "title",
            "department",
            "email",
        ),
    ),
    Resource(
        "address",
        "addresses.csv",
        (
            "id",
            "location_id",
            "attention",
            "address_1",
            "address_2",
            "city",
            "region",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ),
    ),
    Resource(
        "schedule",
        "schedules.csv",
        (
            "id",
            "service_id",
            "location_id",
            "service_at_location_id",
            "valid_from",
            "valid_to",
            "dtstart",
            "timezone",
            "until",
            "count",
            "wkst",
            "freq",
            "interval",
            "byday",
            "byweekno",
            "bymonthday",
            "byyearday",
            "description",
            "opens_at",
            "closes_at",
            "schedule_link",
            "attending_type",
            "notes",
        ),
    ),
    Resource("funding", "funding.csv", ("id", "organization_id", "service_id", "source")),
    Resource(
        "service_area", "service_areas.csv", ("id", "service_id", "name", "description", "extent", "extent_type", "uri")
    ),
    Resource("required_document", "required_documents.csv", ("id", "service_id", "document", "uri")),
    Resource("language", "languages.csv", ("id", "service_id", "location_id", "phone_id", "name", "code", "note")),
    Resource("accessibility", "accessibility.csv", ("id", "location_id", "description", "details", "url")),
    Resource(
        "taxonomy_term",
        "taxonomy_terms.csv",
        ("id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id", "term_uri"),
    ),
    Resource(
        "metadata",
        "metadata.csv",
        (
            "id",
            "resource_id",
            "resource_type",
            "last_action_date",
            "last_action_type",
            "field_name",
            "previous_value",
            "replacement_value",
            "updated_by",
        ),
    ),
    Resource("meta_table_description", "meta_table_descriptions.csv", ("id", "name", "language", "character_set")),
    Resource(
        "cost_option",
        "cost_options.csv",
        ("id", "service_id", "valid_from", "valid_to", "option", "currency", "amount", "amount_description"),
    ),
    Resource(
        "organization_identifier",
        "organization_identifiers.csv",
        ("id", "organization_id", "identifier_scheme", "identifier_type", "identifier"),
    ),
    Resource("taxonomy", "taxonomies.csv", ("id", "name", "description", "uri", "version")),
)
BY_NAME = {resource.name: resource for resource in RESOURCES}
NUMBER_COLUMNS = {
    "latitude",
    "longitude",
    "year_incorporated",
    "minimum_age",
    "maximum_age",
    "extension",
    "amount",
    "timezone",
    "count",
    "interval",
}
LIST_RESOURCES = {  # a document's list field -> the resource of its items
    "programs": "program",
    "services": "service",
    "attributes": "attribute",
    "service_at_locations": "service_at_location",
    "locations": "location",
    "phones": "phone",
    "contacts": "contact",
    "addresses": "address",
    "schedules": "schedule",
    "funding": "funding",
    "service_areas": "service_area",
    "required_documents": "required_document",
    "languages": "language",
    "accessibility": "accessibility",
    "metadata": "metadata",
    "cost_options": "cost_option",
    "organization_identifiers": "organization_identifier",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HARMLESS = re.compile(r"^[+-]?[0-9 ().,/+-]*$")  # numbers and phone numbers


def is_package(names: list[str]) -> bool:
    """True for a zip whose entries hold a datapackage.json (an HSDS CSV package)."""
    return any(PurePosixPath(name.replace("\\", "/")).name.lower() == DATAPACKAGE for name in names)


def resource_of(file_name: str) -> Resource | None:
    """The resource a CSV file of a package holds, by its file name: the official path
    ("organizations.csv") or the resource's name ("organization.csv")."""
    stem = file_name.lower().rsplit("/", 1)[-1].removesuffix(".csv")
    for resource in RESOURCES:
        if stem in (resource.name, resource.path.removesuffix(".csv")):
            return resource
    return None


def neutralise(value: str) -> str:
    """A cell no spreadsheet program runs as a formula; numbers and phone numbers stay as they are."""
    if value.startswith(_FORMULA_START) and not _HARMLESS.match(value):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    if value.startswith("'") and value[1:2] and value[1:2] in _FORMULA_START:
        return value[1:]
    return value
