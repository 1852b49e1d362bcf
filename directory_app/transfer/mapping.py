"""Column mapping: which column of a file feeds which field of an organisation, and how a mapped row
becomes the `data` dict of organisations.services.create_organisation.

Two kinds of target fields:
- plain fields and convenient single-site columns (lon/lat, city, service categories separated by
  ';', admin unit codes covered...), for lists people keep in spreadsheets;
- complete JSON columns (phones_json, contacts_json, locations_json, services_json, coverage_json),
  which the exports write so that an exported file re-imports to the same organisations. When a
  JSON column is mapped and filled, the convenience columns of the same part are ignored.
A GIS row's geometry gives the site (a point) or a coverage polygon (a polygon).

Additional information (extra_fields): a column "extra_<code>" (as the exports write them) maps to
the target of the same name and gives `data["extra"] = {code: stored text}`; an empty cell means no
value. A code that is not an active additional field, or a bad value (a date that is not a date, an
option not in the list), is a row error naming the column. `importable_fields()` lists the targets
with the active additional fields.

A row's data holds only what the row says (transfer.partial lays it over the stored organisation):
- a column the file does not have, or that is not mapped, says nothing: the field stays as it is;
- an empty cell clears a field that may be empty (alternate name, description, website, email, last
  verified, networks, translations, a JSON list column, additional information), and says nothing
  for the others: name, kind, country, status, external_id, hide_exact_location (un-hiding needs an
  explicit "no"), and the convenience columns of a single phone, the first site and the services;
- convenience columns give what they say under their own keys (SITE, PHONE, SERVICE_*), for
  partial.py to apply to the first site, the phones and the services;
- `location_precision` "approximate" marks the row's positions as the public approximation of a
  hidden site (our public exports write it): they never replace a stored exact position or street;
- `organisation_id` (the directory's own UUID, as exports write it) goes under "id", and the JSON
  list items keep their "id": an import keeps these ids when they are free (partial.py, importer.py);
- `last_modified` (when the source last changed the entry) goes to the import's revision comment.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from uuid import UUID

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from directory_app.errors import ValidationError
from directory_app.organisations import entry_data
from directory_app.transfer.cell_labels import with_codes

FIELDS: dict[str, object] = {
    "external_id": _l("Stable identifier of the organisation in your list (used to match on re-import)"),
    "organisation_id": _l("Directory id of the organisation (UUID, written by the exports)"),
    "name": _l("Name"),
    "alternate_name": _l("Acronym or other name"),
    "description": _l("Description"),
    "kind": _l("Kind (ngo, shelter, legal_clinic, community, academic, network, international)"),
    "website": _l("Website (http/https)"),
    "email": _l("Email"),
    "country_code": _l("Member country (ISO code, e.g. MX)"),
    "status": _l("Status (draft, published, archived)"),
    "hide_exact_location": _l("Hide the exact location (yes/no)"),
    "last_verified": _l("Last verified (YYYY-MM-DD)"),
    "networks": _l("Network codes, separated by ;"),
    "phone": _l("Phone number"),
    "site_name": _l("Site name"),
    "address": _l("Address"),
    "city": _l("City"),
    "region": _l("State or province"),
    "postal_code": _l("Postal code"),
    "lon": _l("Longitude"),
    "lat": _l("Latitude"),
    "location_precision": _l("Precision of the positions (exact, or approximate for hidden sites)"),
    "last_modified": _l("Date the source last changed the entry (kept in the history)"),
    "service_categories": _l("Service category codes, separated by ;"),
    "languages": _l("Language codes of the services, separated by ;"),
    "populations": _l("Population codes of the services, separated by ;"),
    "coverage_units": _l("Admin unit codes covered, separated by ;"),
    "coverage_countries": _l("Member countries covered entirely, separated by ;"),
    "original_language": _l("Language the entry is written in (es, en, fr)"),
    "translations_json": _l('Texts in other languages (JSON {"description": {"fr": "..."}})'),
    "phones_json": _l("Phones (JSON list)"),
    "contacts_json": _l("Contacts (JSON list)"),
    "locations_json": _l("Sites (JSON list)"),
    "services_json": _l("Services (JSON list)"),
    "coverage_json": _l("Coverage (JSON list)"),
    "example": _l("Example row marker (the template's): a row with this cell filled is skipped"),
}
PLAIN = (
    "external_id",
    "name",
    "alternate_name",
    "description",
    "kind",
    "website",
    "email",
    "country_code",
    "status",
    "last_verified",
    "original_language",
)
CLEARABLE = tuple(key for key in PLAIN if key in entry_data.CLEARABLE)
"""Plain fields an empty cell clears (the entry's definition says which may be empty); an empty cell
in any other plain field says nothing."""
EXTRA_PREFIX = "extra_"
# Keys of a row's data besides the create_organisation ones (see the module docstring).
ORGANISATION_ID = "id"
SITE = "site"
PHONE = "phone"
SERVICE_CATEGORIES = "service_categories"
SERVICE_LANGUAGES = "service_languages"
SERVICE_POPULATIONS = "service_populations"
LOCATION_PRECISION = "location_precision"
SOURCE_MODIFIED = "source_modified"
CREATE_DEFAULTS = "create_defaults"
APPROXIMATE, EXACT = "approximate", "exact"
_PRECISIONS = {
    "approximate": APPROXIMATE,
    "aproximada": APPROXIMATE,
    "aproximado": APPROXIMATE,
    "approximative": APPROXIMATE,
    "approchee": APPROXIMATE,
    "exact": EXACT,
    "exacta": EXACT,
    "exacto": EXACT,
    "exacte": EXACT,
}


def _normalise(header: str) -> str:
    folded = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", folded).strip("_")


def suggest_mapping(columns: list[str]) -> dict[str, str]:
    """{column: field} guessed from the column names: the field's own name or a header of the table
    of English, Spanish and French headers (transfer.headers), additional information by its code
    or its labels; nothing ambiguous is guessed, and each field goes to one column at most."""
    from flask import has_app_context

    from directory_app.transfer.headers import extra_headers, suggest_targets

    extra = {}
    if has_app_context():
        from directory_app.extra_fields.services import definitions

        extra = {
            f"{EXTRA_PREFIX}{f.code}": extra_headers(f.code, (f.label_en, f.label_es, f.label_fr))
            for f in definitions()
        }
    return suggest_targets(columns, extra)


def check_mapping(mapping: dict[str, str], columns: list[str]) -> dict[str, str]:
    """The mapping without empty choices, or ValidationError for an unknown column or field, or a
    field chosen twice."""
    clean = {c: f for c, f in mapping.items() if f}
    for column, target in clean.items():
        if column not in columns:
            raise ValidationError(_("The file has no column '%(column)s'.", column=column))
        if target not in FIELDS and not target.startswith(EXTRA_PREFIX):
            raise ValidationError(_("'%(field)s' is not a field that can be imported.", field=target))
    seen: set[str] = set()
    for target in clean.values():
        if target in seen:
            raise ValidationError(_("The field '%(field)s' is chosen for two columns.", field=target))
        seen.add(target)
    return clean


def mapped_values(row: dict, mapping: dict[str, str]) -> dict[str, str]:
    """{field: text} of one row; the row's geometry stays under 'geometry'."""
    values = {target: str(row.get(column) or "").strip() for column, target in mapping.items()}
    if row.get("geometry") is not None:
        values["geometry"] = row["geometry"]
    return values


def organisation_data(values: dict) -> dict:
    """What one mapped row says, in create_organisation terms (see the module docstring);
    ValidationError names the field. List columns may give labels (transfer.cell_labels)."""
    values = with_codes(values)
    data: dict = {key: values[key] for key in PLAIN if values.get(key) or (key in CLEARABLE and key in values)}
    if values.get("organisation_id"):
        data[ORGANISATION_ID] = uuid_text(values["organisation_id"], "organisation_id")
    if values.get("hide_exact_location"):
        data["hide_exact_location"] = _yes(values["hide_exact_location"], "hide_exact_location")
    if values.get("location_precision"):
        data[LOCATION_PRECISION] = precision(values["location_precision"], "location_precision")
    if values.get("last_modified"):
        data[SOURCE_MODIFIED] = source_date(values["last_modified"], "last_modified")
    if "networks" in values:
        data["networks"] = _codes(values.get("networks"))
    if "translations_json" in values:
        data["translations"] = _json_object(values, "translations_json")
    conveniences = {
        "contacts": {},
        "phones": {PHONE: values["phone"]} if values.get("phone") else {},
        "locations": {SITE: site} if (site := _site(values)) else {},
        "services": _services(values),
        "coverage": {"coverage": parts} if (parts := _coverage(values)) else {},
    }
    for part, convenience in conveniences.items():
        items = _json_list(values, f"{part}_json")
        if items is not None:
            data[part] = items
        elif convenience:
            data.update(convenience)
        elif f"{part}_json" in values:
            data[part] = []  # the JSON column is there and empty: no items
    extra = {key[len(EXTRA_PREFIX) :]: text for key, text in values.items() if key.startswith(EXTRA_PREFIX)}
    if extra:
        data["extra"] = _extra_values(extra)
    return data


def uuid_text(value, field: str) -> str:
    """A UUID in its canonical text form, or ValidationError naming the field."""
    try:
        return str(UUID(str(value).strip()))
    except ValueError:
        raise ValidationError(_("'%(value)s' is not a UUID.", value=str(value)[:60]), field=field) from None


def precision(value, field: str) -> str:
    """APPROXIMATE or EXACT from what a file says (in English, Spanish or French)."""
    found = _PRECISIONS.get(_normalise(str(value)))
    if found is None:
        raise ValidationError(_("'%(value)s' is neither exact nor approximate.", value=str(value)[:60]), field=field)
    return found


def source_date(value, field: str) -> str:
    """A date or date and time in ISO 8601 as the source wrote it, or ValidationError."""
    text = str(value).strip()
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(_("'%(value)s' is not a date (YYYY-MM-DD).", value=text[:60]), field=field) from None
    return text


def importable_fields() -> dict[str, object]:
    """FIELDS and "extra_<code>" of each active additional field (label in the reader's language),
    for the mapping page. The labels of additional fields are people's text: they are put in the
    translated sentence by gettext, which gives a plain str that the page escapes. (A lazy_gettext
    string with the label in it passes for markup, and the page would print it as HTML.)"""
    from directory_app.extra_fields.services import definitions
    from directory_app.organisations.display import reader_language

    language = reader_language()
    extra = {
        f"{EXTRA_PREFIX}{field.code}": _("Additional information: %(label)s", label=field.label(language))
        for field in definitions()
    }
    return {**FIELDS, **extra}


def _extra_values(extra: dict[str, str]) -> dict[str, str]:
    """{code: stored text} of a row's additional information; ValidationError names the column."""
    from directory_app.extra_fields.services import normalise_value

    fields = _active_extra_fields()
    clean = {}
    for code, text in extra.items():
        column = EXTRA_PREFIX + code
        if code not in fields:
            raise ValidationError(
                _("'%(column)s' is not an additional field of the directory.", column=column), field=column
            )
        try:
            clean[code] = normalise_value(fields[code], text)
        except ValidationError as exc:
            raise ValidationError(exc.message, field=column) from None
    return clean


def _active_extra_fields() -> dict:
    """{code: ExtraField} of the active additional fields, read once per request (or command)."""
    from flask import g

    from directory_app.extra_fields.services import definitions

    if "_active_extra_fields" not in g:
        g._active_extra_fields = {field.code: field for field in definitions()}
    return g._active_extra_fields


def _json_object(values: dict, key: str) -> dict:
    text = values.get(key)
    if not text:
        return {}
    try:
        item = json.loads(text)
    except ValueError as exc:
        raise ValidationError(_("Not valid JSON: %(error)s", error=str(exc)), field=key) from None
    if not isinstance(item, dict):
        raise ValidationError(str(_l("Give a JSON object.")), field=key)
    return item


def _yes(value: str, field: str) -> bool:
    folded = _normalise(value)
    if folded in ("", "0", "no", "false", "falso", "non", "n"):
        return False
    if folded in ("1", "yes", "si", "true", "verdadero", "oui", "y", "s"):
        return True
    raise ValidationError(_("'%(value)s' is not yes or no.", value=value), field=field)


def _codes(value: str | None) -> list[str]:
    return [c.strip() for c in re.split(r"[;,|]", value or "") if c.strip()]


def _json_list(values: dict, key: str) -> list | None:
    text = values.get(key)
    if not text:
        return None
    try:
        items = json.loads(text)
    except ValueError as exc:
        raise ValidationError(_("Not valid JSON: %(error)s", error=str(exc)), field=key) from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValidationError(str(_l("Give a JSON list of objects.")), field=key)
    return items


def _site(values: dict) -> dict:
    """What the convenience columns say about the first site (non-empty cells only)."""
    site = {key: values[key] for key in ("address", "city", "region", "postal_code") if values.get(key)}
    if values.get("site_name"):
        site["name"] = values["site_name"]
    geometry = values.get("geometry")
    if geometry is not None and geometry.geom_type == "Point" and not geometry.is_empty:
        site.update(lon=geometry.x, lat=geometry.y)
    elif values.get("lon") or values.get("lat"):
        site.update(lon=values.get("lon", ""), lat=values.get("lat", ""))
    return site


def _services(values: dict) -> dict:
    said = {
        SERVICE_CATEGORIES: _codes(values.get("service_categories")),
        SERVICE_LANGUAGES: _codes(values.get("languages")),
        SERVICE_POPULATIONS: _codes(values.get("populations")),
    }
    return {key: codes for key, codes in said.items() if codes}


def _coverage(values: dict) -> list[dict]:
    parts = [{"kind": "admin_unit", "unit": code} for code in _codes(values.get("coverage_units"))]
    parts += [{"kind": "country", "country": code} for code in _codes(values.get("coverage_countries"))]
    geometry = values.get("geometry")
    if geometry is not None and geometry.geom_type in ("Polygon", "MultiPolygon"):
        parts.append({"kind": "polygon", "geometry": geometry})
    return parts
