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
"""

from __future__ import annotations

import json
import re
import unicodedata

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from directory_app.errors import ValidationError

FIELDS: dict[str, object] = {
    "external_id": _l("Stable identifier of the organisation in your list (used to match on re-import)"),
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
)
EXTRA_PREFIX = "extra_"
_SYNONYMS = {
    "external_id": ("id", "external_id", "externalid", "codigo", "code", "clave", "identifier", "ref"),
    "name": ("name", "nombre", "organisation", "organization", "organizacion", "nom"),
    "alternate_name": ("alternate_name", "acronym", "siglas", "acronimo", "sigla"),
    "description": ("description", "descripcion"),
    "kind": ("kind", "type", "tipo"),
    "website": ("website", "web", "url", "sitio_web", "pagina_web", "site_web"),
    "email": ("email", "correo", "e_mail", "mail", "correo_electronico", "courriel"),
    "country_code": ("country_code", "country", "pais", "pays", "iso"),
    "status": ("status", "estado_publicacion"),
    "hide_exact_location": ("hide_exact_location", "ocultar_ubicacion", "hidden"),
    "last_verified": ("last_verified", "verified", "verificado", "fecha_verificacion"),
    "networks": ("networks", "redes", "network", "red"),
    "phone": ("phone", "telefono", "tel", "telephone"),
    "site_name": ("site_name", "sede"),
    "address": ("address", "direccion", "domicilio", "adresse"),
    "city": ("city", "ciudad", "municipio", "ville"),
    "region": ("region", "state", "estado", "provincia", "departamento", "province"),
    "postal_code": ("postal_code", "codigo_postal", "cp", "zip"),
    "lon": ("lon", "lng", "long", "longitude", "longitud", "x"),
    "lat": ("lat", "latitude", "latitud", "y"),
    "service_categories": ("service_categories", "services", "servicios", "categorias"),
    "languages": ("languages", "idiomas", "langues"),
    "populations": ("populations", "poblaciones", "poblacion"),
    "coverage_units": ("coverage_units", "cobertura", "coverage"),
    "coverage_countries": ("coverage_countries", "paises_cubiertos"),
}


def _normalise(header: str) -> str:
    folded = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", folded).strip("_")


def suggest_mapping(columns: list[str]) -> dict[str, str]:
    """{column: field} guessed from the column names (exact field names first, then synonyms in
    English, Spanish and French); each field is given to one column at most."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    lookup = {_normalise(s): name for name, synonyms in _SYNONYMS.items() for s in synonyms}
    lookup.update({name: name for name in FIELDS})
    for column in columns:
        target = lookup.get(_normalise(column))
        if target is None and _normalise(column).startswith(EXTRA_PREFIX):
            target = _normalise(column)
        if target and target not in taken:
            mapping[column] = target
            taken.add(target)
    return mapping


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
    """The create_organisation data of one mapped row; ValidationError names the field."""
    data: dict = {key: values[key] for key in PLAIN if values.get(key)}
    data["hide_exact_location"] = _yes(values.get("hide_exact_location", ""), "hide_exact_location")
    data["networks"] = _codes(values.get("networks"))
    data["phones"] = _json_list(values, "phones_json") or ([{"number": values["phone"]}] if values.get("phone") else [])
    data["contacts"] = _json_list(values, "contacts_json") or []
    data["locations"] = _json_list(values, "locations_json") or _site(values)
    data["services"] = _json_list(values, "services_json") or _services(values)
    data["coverage"] = _json_list(values, "coverage_json") or _coverage(values)
    data["translations"] = _json_object(values, "translations_json")
    extra = {key[len(EXTRA_PREFIX) :]: text for key, text in values.items() if key.startswith(EXTRA_PREFIX)}
    if extra:
        data["extra"] = _extra_values(extra)
    return data


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


def _site(values: dict) -> list[dict]:
    geometry = values.get("geometry")
    lon, lat = values.get("lon"), values.get("lat")
    if geometry is not None and geometry.geom_type == "Point" and not geometry.is_empty:
        lon, lat = geometry.x, geometry.y
    if not lon and not lat:
        return []
    keys = ("address", "city", "region", "postal_code")
    site = {key: values.get(key, "") for key in keys}
    site.update(name=values.get("site_name", ""), lon=lon, lat=lat)
    return [site]


def _services(values: dict) -> list[dict]:
    languages, populations = _codes(values.get("languages")), _codes(values.get("populations"))
    return [
        {"category": code, "languages": languages, "populations": populations}
        for code in _codes(values.get("service_categories"))
    ]


def _coverage(values: dict) -> list[dict]:
    parts = [{"kind": "admin_unit", "unit": code} for code in _codes(values.get("coverage_units"))]
    parts += [{"kind": "country", "country": code} for code in _codes(values.get("coverage_countries"))]
    geometry = values.get("geometry")
    if geometry is not None and geometry.geom_type in ("Polygon", "MultiPolygon"):
        parts.append({"kind": "polygon", "geometry": geometry})
    return parts
