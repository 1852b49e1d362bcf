"""Snapshots of organisations and the differences between two of them.

A snapshot is the organisation in the `organisations.services.create_organisation` data format,
plain JSON: what a proposal carries, what a revision keeps and what a restore applies again.
"""

from __future__ import annotations

import json
from typing import Any

import shapely
from flask_babel import gettext as _

from directory_app.errors import ValidationError
from directory_app.extra_fields.services import snapshot_values
from directory_app.i18n import format_number
from directory_app.organisations.models import CoverageKind, CoveragePart, Organisation
from directory_app.organisations.translations import other_language_texts

ENTRY_LANGUAGES = ("es", "en", "fr")  # as organisations.translations.ENTRY_LANGUAGES

# Top-level groups of a snapshot, in the order pages show them; the merge form chooses per group.
SCALAR_FIELDS = (
    "name",
    "alternate_name",
    "description",
    "kind",
    "website",
    "email",
    "country_code",
    "status",
    "hide_exact_location",
    "last_verified",
    "external_id",
    "networks",
    "original_language",
    "translations",
)
LIST_FIELDS = ("services", "locations", "contacts", "phones", "coverage")
# Additional information (extra_fields): {code: stored text, "" for none} of every active field. A
# snapshot without the key (older ones), or without a code, leaves those values as they are.
EXTRA = "extra"
# Every item of a list carries its row's uuid as "id": saving a snapshot keeps the rows it names
# (organisations.services), so an item is the same item from one version to the next.
ITEM_ID = "id"
FIELDS = SCALAR_FIELDS + LIST_FIELDS + (EXTRA,)


def snapshot_of(org: Organisation) -> dict[str, Any]:
    """The whole organisation as plain JSON data (create_organisation format)."""
    contact_index = {contact.id: i for i, contact in enumerate(org.contacts)}
    return {
        "name": org.name,
        "alternate_name": org.alternate_name or "",
        "description": org.description or "",
        "kind": org.kind,
        "website": org.website or "",
        "email": org.email or "",
        "country_code": org.country_code,
        "status": str(org.status),
        "hide_exact_location": bool(org.hide_exact_location),
        "last_verified": org.last_verified.isoformat() if org.last_verified else None,
        "external_id": org.external_id or "",
        "networks": [n.code for n in org.networks],
        "original_language": org.original_language or "es",
        "translations": other_language_texts(org),
        "services": [_service(s) for s in org.services],
        "locations": [_location(loc) for loc in org.locations],
        "contacts": [
            {
                "id": c.uuid,
                "name": c.name,
                "title": c.title or "",
                "department": c.department or "",
                "email": c.email or "",
            }
            for c in org.contacts
        ],
        "phones": [
            {
                "id": p.uuid,
                "number": p.number,
                "type": str(p.type),
                "extension": p.extension or "",
                "description": p.description or "",
                "contact": contact_index.get(p.contact_id) if p.contact_id else None,
            }
            for p in org.phones
        ],
        "coverage": [_coverage(part, org) for part in org.coverage_parts],
        EXTRA: snapshot_values(org),
    }


def _service(service) -> dict[str, Any]:
    return {
        "id": service.uuid,
        "category": service.category_code,
        "name": service.name,
        "description": service.description or "",
        "eligibility": service.eligibility or "",
        "fees": service.fees or "",
        "schedule": service.schedule or "",
        "populations": sorted(p.code for p in service.populations),
        "languages": sorted(lang.code for lang in service.languages),
        "translations": other_language_texts(service),
    }


def _location(location) -> dict[str, Any]:
    return {
        "id": location.uuid,
        "name": location.name or "",
        "address": location.address or "",
        "city": location.city or "",
        "region": location.region or "",
        "postal_code": location.postal_code or "",
        "country_code": location.country_code,
        "lon": location.lon,
        "lat": location.lat,
    }


def _coverage(part: CoveragePart, org: Organisation) -> dict[str, Any]:
    data: dict[str, Any] = {"id": part.uuid, "kind": str(part.kind), "label": part.label or ""}
    if part.kind is CoverageKind.COUNTRY:
        data["country"] = part.country_code
    elif part.kind is CoverageKind.ADMIN_UNIT:
        data["unit"] = part.admin_unit.code
    elif part.kind is CoverageKind.RADIUS:
        data["location"] = next((i for i, loc in enumerate(org.locations) if loc is part.location), 0)
        data["radius_km"] = part.radius_km
    else:
        geometry = part.geometry
        data["geometry"] = json.loads(shapely.to_geojson(geometry)) if geometry is not None else None
    return data


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dict, list)):
        if all(not isinstance(v, (dict, list)) for v in value) and isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def flatten(snapshot: dict[str, Any]) -> dict[str, str]:
    """field path -> text: "name", "services[0].fees", "coverage[1].geometry"... Lists of plain
    values (networks, populations, languages) stay one field. The items' ids (ITEM_ID) are no
    field: they say which item is which (review.merge), nobody edits them."""
    flat: dict[str, str] = {}
    for field in FIELDS:
        value = snapshot.get(field)
        if field in LIST_FIELDS:
            for i, item in enumerate(value or []):
                for key, sub in item.items():
                    if key != ITEM_ID:
                        _put(flat, f"{field}[{i}].{key}", sub)
        elif field == EXTRA:
            for code, text in (value or {}).items():
                flat[f"{EXTRA}.{code}"] = _text(text)
        else:
            _put(flat, field, value)
    return flat


def _put(flat: dict[str, str], path: str, value: Any) -> None:
    """Texts by language ({field: {language: text}}) become one path each: translations.description.fr."""
    if path.endswith("translations") and isinstance(value, dict):
        for field, texts in value.items():
            for language, text in (texts or {}).items():
                flat[f"{path}.{field}.{language}"] = _text(text)
    else:
        flat[path] = _text(value)


def _order(path: str) -> tuple:
    group = path.split("[", 1)[0].split(".", 1)[0]
    index = int(path.split("[", 1)[1].split("]", 1)[0]) if "[" in path else -1
    return (FIELDS.index(group) if group in FIELDS else len(FIELDS), index, path)


def diff_snapshots(before: dict[str, Any] | None, after: dict[str, Any]) -> list[dict[str, str]]:
    """The changed fields, as HSDS metadata-like dicts {field_name, previous_value,
    replacement_value}; everything counts as new when there is no `before`. Additional information
    is named readably ("Additional information: <label>")."""
    return _readable(_changes(before, after))


def diff_by_group(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """The changes of diff_snapshots by top-level group (the conflict page's parts)."""
    groups: dict[str, list[dict[str, str]]] = {}
    for change in _changes(before, after):
        groups.setdefault(group_of(change["field_name"]), []).append(change)
    return {group: _readable(changes) for group, changes in groups.items()}


def group_of(path: str) -> str:
    """The top-level group of a field path: "services[0].fees" -> "services"."""
    return path.split("[", 1)[0].split(".", 1)[0]


def _changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[dict[str, str]]:
    old, new = flatten(before or {}), flatten(after)
    # Only the additional fields `after` names change (see EXTRA).
    named = {f"{EXTRA}.{code}" for code in _extra(after)}
    old = {path: text for path, text in old.items() if not path.startswith(f"{EXTRA}.") or path in named}
    changes = []
    for path in sorted(set(old) | set(new), key=_order):
        previous, replacement = old.get(path, ""), new.get(path, "")
        if previous != replacement:
            changes.append({"field_name": path, "previous_value": previous, "replacement_value": replacement})
    return changes


def _extra(snapshot: dict[str, Any] | None) -> dict:
    value = (snapshot or {}).get(EXTRA)
    return value if isinstance(value, dict) else {}


def _readable(changes: list[dict[str, str]]) -> list[dict[str, str]]:
    """The changes with "extra.<code>" named "Additional information: <label>" (reader's language);
    those keep the code path as "path"."""
    prefix = f"{EXTRA}."
    if not any(change["field_name"].startswith(prefix) for change in changes):
        return changes
    from directory_app.extra_fields.services import definitions

    labels = {field.code: field.label(_language()) for field in definitions(active_only=False)}
    readable = []
    for change in changes:
        if change["field_name"].startswith(prefix):
            code = change["field_name"][len(prefix) :]
            label = _("Additional information: %(label)s", label=labels.get(code, code))
            change = dict(change, field_name=label, path=change["field_name"])  # path: for the TS
        readable.append(change)
    return readable


def _language() -> str:
    try:
        from directory_app.organisations.display import reader_language

        return reader_language()
    except Exception:  # outside a request (command line): English labels
        return "en"


def changed_groups(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The top-level fields (SCALAR_FIELDS, LIST_FIELDS, EXTRA) whose content differs; additional
    information only in the codes `after` names."""
    groups = [f for f in SCALAR_FIELDS + LIST_FIELDS if _canonical(before.get(f)) != _canonical(after.get(f))]
    old, new = _extra(before), _extra(after)
    if any(str(old.get(code) or "") != str(value or "") for code, value in new.items()):
        groups.append(EXTRA)
    return groups


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def merge_snapshots(theirs: dict[str, Any], yours: dict[str, Any], take_yours: set[str]) -> dict[str, Any]:
    """`theirs` with the top-level fields in `take_yours` replaced by yours. Phones refer to
    contacts by index, so phones and contacts travel together."""
    if "phones" in take_yours or "contacts" in take_yours:
        take_yours = take_yours | {"phones", "contacts"}
    if "locations" in take_yours and any(p.get("kind") == "radius" for p in theirs.get("coverage") or []):
        take_yours = take_yours | {"coverage"}  # radius parts refer to sites by index
    merged = dict(theirs)
    for field in take_yours & set(FIELDS):
        merged[field] = {**_extra(theirs), **_extra(yours)} if field == EXTRA else yours.get(field)
    return merged


def apply_translations(org: Organisation, data: dict[str, Any]) -> None:
    """Give the organisation and its services (in the order of data["services"]) the snapshot's texts
    in other languages; keeps the original language when the snapshot has none. Bad languages or
    fields raise ValidationError naming the field."""
    from directory_app.organisations.translations import OrganisationTranslation, ServiceTranslation

    language = str(data.get("original_language") or org.original_language or "es")
    if language not in ENTRY_LANGUAGES:
        languages = ", ".join(ENTRY_LANGUAGES)
        message = _("'%(value)s' is not one of %(languages)s.", value=language, languages=languages)
        raise ValidationError(message, field="original_language")
    org.original_language = language
    org.translations = _rows(OrganisationTranslation, data.get("translations"), ("description",), language, "")
    fields = ("description", "eligibility", "schedule")
    for i, (service, item) in enumerate(zip(org.services, data.get("services") or [])):
        service.translations = _rows(ServiceTranslation, item.get("translations"), fields, language, f"services[{i}].")


def _rows(row_type, texts: Any, fields: tuple[str, ...], original: str, prefix: str) -> list:
    if texts in (None, {}):
        return []
    if not isinstance(texts, dict):
        raise ValidationError(
            _("Translations must be an object {field: {language: text}}."), field=f"{prefix}translations"
        )
    rows = []
    for field, by_language in texts.items():
        where = f"{prefix}translations.{field}"
        if field not in fields or not isinstance(by_language, dict):
            message = _(
                "'%(field)s' cannot be translated; translatable: %(fields)s.", field=field, fields=", ".join(fields)
            )
            raise ValidationError(message, field=where)
        for language, text in by_language.items():
            text = str(text or "").strip()
            if language not in ENTRY_LANGUAGES or language == original:
                message = _("'%(value)s' is not a translation language here.", value=language)
                raise ValidationError(message, field=f"{where}.{language}")
            if len(text) > 10_000:
                message = _("A translation is longer than %(n)s characters.", n=format_number(10_000))
                raise ValidationError(message, field=f"{where}.{language}")
            if text:
                rows.append(row_type(field=field, language=language, text=text))
    return rows


_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> bool:
    """A scalar, a list of scalars, or a dict of such (GeoJSON, texts by language)."""
    if isinstance(value, _SCALARS):
        return True
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def has_snapshot_shape(snapshot: Any) -> bool:
    """True when `snapshot` (from a browser: the conflict page's "yours") is shaped like a snapshot,
    so that only the services' validation messages, never a crash, can follow."""
    if not isinstance(snapshot, dict):
        return False
    for field in SCALAR_FIELDS:
        value = snapshot.get(field)
        if field == "networks":
            if not (value is None or (isinstance(value, list) and all(isinstance(v, str) for v in value))):
                return False
        elif field == "translations":
            if not (value is None or (isinstance(value, dict) and _plain(value))):
                return False
        elif not isinstance(value, _SCALARS):
            return False
    extra = snapshot.get(EXTRA)
    if not (extra is None or (isinstance(extra, dict) and all(isinstance(v, _SCALARS) for v in extra.values()))):
        return False
    for field in LIST_FIELDS:
        items = snapshot.get(field)
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(i, dict) and _plain(i) for i in items):
            return False
        for item in items:
            for key in ("populations", "languages"):
                if key in item and not (isinstance(item[key], list) and all(isinstance(v, str) for v in item[key])):
                    return False
    return True
