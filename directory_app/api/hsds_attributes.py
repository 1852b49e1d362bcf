"""Additional information (extra_fields) in HSDS: each value is an attribute of the organization whose
taxonomy term is the field (one term per field of the "CAMMINA additional information" taxonomy). Used
by the HSDS API and by the HSDS exports and imports (transfer)."""

from __future__ import annotations

from directory_app.api.hsds_taxonomy import derived_uuid

# Additional information (extra_fields): each value is an attribute of the organization with this
# link_type, pointing at a term of one taxonomy whose term codes are the fields' codes.
EXTRA_LINK_TYPE = "additional_information"
EXTRA_TAXONOMY = "CAMMINA additional information"


def extra_taxonomy_term(field) -> dict:
    """The HSDS taxonomy_term of an additional field: its code, English label as name, the Spanish and
    French labels and the type in the description; UUIDs derived from the code."""
    return {
        "id": derived_uuid("taxonomy", EXTRA_LINK_TYPE, field.code),
        "code": field.code,
        "name": field.label_en,
        "description": f"es: {field.label_es}; fr: {field.label_fr}; type: {field.field_type}",
        "taxonomy": EXTRA_TAXONOMY,
        "taxonomy_id": derived_uuid("taxonomy", EXTRA_LINK_TYPE),
        "language": "en",
    }


def extra_attribute(org_uuid: str, field, value: str) -> dict:
    """One additional-information value as an HSDS attribute of the organization: a term of the
    "CAMMINA additional information" taxonomy (one term per field) with the value as text."""
    term = extra_taxonomy_term(field)
    return {
        "id": derived_uuid("attribute", org_uuid, EXTRA_LINK_TYPE, field.code),
        "link_id": org_uuid,
        "link_type": EXTRA_LINK_TYPE,
        "link_entity": "organization",
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
        "value": value,
    }


def extra_attributes(organisations) -> dict[int, list[dict]]:
    """{organisation id: its additional-information attributes} for these organisations (one query)."""
    from directory_app.extra_fields.services import definitions, values_for_export

    codes, values = values_for_export([org.id for org in organisations])
    fields = {field.code: field for field in definitions()}
    return {
        org.id: [
            extra_attribute(org.uuid, fields[code], values[org.id][code])
            for code in codes
            if values.get(org.id, {}).get(code)
        ]
        for org in organisations
    }
