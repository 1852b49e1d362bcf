"""What an import row says, laid over what is stored: an import changes only what a row says.

A row's data (transfer.mapping.organisation_data, or an HSDS record) holds only what the file says:
read as an organisations.entry_data.EntryData with `partial=True`, every field the row does not say
is ABSENT. `for_create` gives it for a new organisation (ABSENT: the defaults); `for_update` lays it
over the stored organisation (organisations.entry_of.snapshot_of, with every item's id: ABSENT fields
keep the stored value), so that a file without `hide_exact_location`, services or contacts leaves them
as they are:

- a said field or JSON list replaces the stored one; list items without an "id" take the id of the
  stored item at the same place (so that items keep their ids, which other systems hold on to);
- the convenience columns change part of a list: the site columns the first site, a phone number
  that is not yet among the phones the first phone of the organisation, service categories the
  services (a stored service of a listed category stays as it is, others go; languages and
  populations, when said, apply to every service);
- a position marked approximate (a site's "precision", or the row's `location_precision`: what our
  public exports write for an organisation that hides its location) never replaces a stored
  position nor its street and postal code: the site keeps the stored ones (of the site with its id,
  else of the stored site at its place);
- phones of contacts and radius coverage refer to contacts and sites by their place in the lists:
  when a row gives new contacts or sites but not the phones or coverage, those references follow
  the ids (a phone of a contact the row removes goes with it).
"""

from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext as _

from directory_app.errors import ValidationError
from directory_app.extra_fields.services import MAX_TEXT, values_of
from directory_app.organisations.entry_data import ABSENT, EntryData
from directory_app.organisations.entry_of import snapshot_of
from directory_app.organisations.models import Organisation
from directory_app.transfer import hsds_extra
from directory_app.transfer.mapping import (
    APPROXIMATE,
    CREATE_DEFAULTS,
    LOCATION_PRECISION,
    ORGANISATION_ID,
    PHONE,
    SERVICE_CATEGORIES,
    SERVICE_LANGUAGES,
    SERVICE_POPULATIONS,
    SITE,
    SOURCE_MODIFIED,
    precision,
)
from directory_app.transfer.merge_by_id import MERGE_BY_ID, ListMerge, merge_lines, merge_lists

ROW_KEYS = (
    SITE,
    PHONE,
    SERVICE_CATEGORIES,
    SERVICE_LANGUAGES,
    SERVICE_POPULATIONS,
    LOCATION_PRECISION,
    CREATE_DEFAULTS,
    MERGE_BY_ID,
)
"""Keys of a row's data that for_create/for_update turn into create_organisation data."""
LISTS = {
    "contacts": "contacts",
    "phones": "phones",
    "locations": "locations",
    "services": "services",
    "coverage": "coverage_parts",
}
_EXACT_ONLY = ("lon", "lat", "address", "postal_code")
"""What an approximate position leaves as it is stored."""


def for_create(record: dict) -> dict:
    """The create_organisation data of a row that makes a new organisation (what it does not say
    is ABSENT: the new organisation's default)."""
    said = EntryData.from_json({**record.get(CREATE_DEFAULTS, {}), **_said(record)}, partial=True)
    data = _with_source(said.to_json(), record)
    site = record.get(SITE)
    if "locations" not in data and site and ("lon" in site or "lat" in site):
        data["locations"] = [site]
    if "phones" not in data and record.get(PHONE):
        data["phones"] = [{"number": record[PHONE]}]
    if "services" not in data and record.get(SERVICE_CATEGORIES):
        data["services"] = _services([], record)
    data["locations"] = [_without_precision(item) for item in data.get("locations") or []]
    return data


def for_update(record: dict, org: Organisation, merges: list[ListMerge] | None = None) -> dict:
    """The complete data of a stored organisation after the row: the stored data (every item with
    its id) overlaid with what the row says; what it does not say (ABSENT) stays. A record that says
    MERGE_BY_ID gives part of each list (transfer.merge_by_id): what each merge does is added to
    `merges`."""
    stored = snapshot_of(org)
    said = EntryData.from_json(_said(record), partial=True)
    entry = replace(EntryData.from_json(stored), extra=ABSENT).overlay(said)
    data = _with_source(replace(entry, id=org.uuid).to_json(), record)
    if record.get(MERGE_BY_ID):
        lists, report = merge_lists(_said(record), stored)
        data.update(lists)
        if isinstance(data.get("extra"), dict):
            data["extra"] = merge_lines(data["extra"], values_of(org), hsds_extra.LABELS, MAX_TEXT)
        if merges is not None:
            merges.extend(report)
        data["locations"] = _exact_positions_kept(data["locations"], stored["locations"], record)
        return data
    for name in LISTS:
        if getattr(said, name) is not ABSENT:
            data[name] = _with_stored_ids([item.to_json() for item in getattr(said, name)], stored[name])
    if said.contacts is not ABSENT and said.phones is ABSENT:
        data["phones"] = _phones_following_contacts(data["phones"], stored["contacts"], data["contacts"])
    _apply_conveniences(data, record)
    data["locations"] = _exact_positions_kept(data["locations"], stored["locations"], record)
    if said.locations is not ABSENT and said.coverage is ABSENT:
        data["coverage"] = _coverage_following_sites(data["coverage"], stored["locations"], data["locations"])
    return data


def _with_source(data: dict, record: dict) -> dict:
    """The data with the source's date of its last change (for the import's revision comment)."""
    if record.get(SOURCE_MODIFIED):
        data[SOURCE_MODIFIED] = record[SOURCE_MODIFIED]
    return data


def reveals_location(data: dict, org: Organisation | None) -> bool:
    """True when the data would show the exact location of an organisation that hides it."""
    return org is not None and bool(org.hide_exact_location) and data.get("hide_exact_location") is False


def clean(data: dict) -> dict:
    """The data without the keys that are about the import (the organisation's id, the source date)."""
    return {key: value for key, value in data.items() if key not in (ORGANISATION_ID, SOURCE_MODIFIED)}


def _said(record: dict) -> dict:
    return {key: value for key, value in record.items() if key not in ROW_KEYS}


def _with_stored_ids(items: list[dict], stored: list[dict]) -> list[dict]:
    claimed = {str(item.get("id")) for item in items if isinstance(item, dict) and item.get("id")}
    result = []
    for index, item in enumerate(items):
        item = dict(item) if isinstance(item, dict) else item
        if isinstance(item, dict) and not item.get("id") and index < len(stored):
            if stored[index]["id"] not in claimed:
                item["id"] = stored[index]["id"]
                claimed.add(item["id"])
        result.append(item)
    return result


def _apply_conveniences(data: dict, record: dict) -> None:
    site = record.get(SITE)
    if site and "locations" not in record:
        locations = [dict(item) for item in data["locations"]]
        if locations:
            approximate = record.get(LOCATION_PRECISION) == APPROXIMATE
            locations[0].update({k: v for k, v in site.items() if not (approximate and k in _EXACT_ONLY)})
        elif "lon" in site or "lat" in site:
            locations = [site]
        data["locations"] = locations
    if record.get(PHONE) and "phones" not in record:
        phones = [dict(item) for item in data["phones"]]
        if record[PHONE] not in [p.get("number") for p in phones]:
            own = next((p for p in phones if p.get("contact") is None), None)
            if own is not None:
                own["number"] = record[PHONE]
            else:
                phones.append({"number": record[PHONE]})
        data["phones"] = phones
    said_services = (SERVICE_CATEGORIES, SERVICE_LANGUAGES, SERVICE_POPULATIONS)
    if "services" not in record and any(key in record for key in said_services):
        data["services"] = _services(data["services"], record)


def _services(stored: list[dict], record: dict) -> list[dict]:
    services = [dict(item) for item in stored]
    if record.get(SERVICE_CATEGORIES):
        pool, listed = list(services), []
        for code in dict.fromkeys(record[SERVICE_CATEGORIES]):
            match = next((s for s in pool if s.get("category") == code), None)
            if match is not None:
                pool.remove(match)
            listed.append(match or {"category": code, "languages": [], "populations": []})
        services = listed
    for key, said in (("languages", SERVICE_LANGUAGES), ("populations", SERVICE_POPULATIONS)):
        if record.get(said):
            for service in services:
                service[key] = list(record[said])
    return services


def _exact_positions_kept(locations: list, stored: list[dict], record: dict) -> list:
    """Sites whose position is approximate keep the stored position, street and postal code."""
    by_id = {item["id"]: item for item in stored}
    named = {str(item.get("id")) for item in locations if isinstance(item, dict)}
    result = []
    for index, item in enumerate(locations):
        if not isinstance(item, dict):
            result.append(item)
            continue
        said = item.get("precision") or record.get(LOCATION_PRECISION)
        approximate = said is not None and precision(said, f"locations[{index}].precision") == APPROXIMATE
        item = _without_precision(item)
        counterpart = by_id.get(str(item.get("id") or ""))
        if counterpart is None and index < len(stored) and stored[index]["id"] not in named:
            counterpart = stored[index]  # a site under an id of another directory: the one at its place
        if approximate and counterpart is not None:
            item.update({key: counterpart[key] for key in _EXACT_ONLY})
        result.append(item)
    return result


def _without_precision(item):
    return {k: v for k, v in item.items() if k != "precision"} if isinstance(item, dict) else item


def _phones_following_contacts(phones: list[dict], stored: list[dict], contacts: list) -> list[dict]:
    place = {str(c.get("id")): i for i, c in enumerate(contacts) if isinstance(c, dict) and c.get("id")}
    kept = []
    for phone in phones:
        index = phone.get("contact")
        if index is None:
            kept.append(phone)
        elif isinstance(index, int) and 0 <= index < len(stored) and stored[index]["id"] in place:
            kept.append({**phone, "contact": place[stored[index]["id"]]})
    return kept


def _coverage_following_sites(coverage: list[dict], stored: list[dict], locations: list) -> list[dict]:
    place = {str(s.get("id")): i for i, s in enumerate(locations) if isinstance(s, dict) and s.get("id")}
    parts = []
    for number, part in enumerate(coverage):
        index = part.get("location")
        if part.get("kind") == "radius" and isinstance(index, int) and 0 <= index < len(stored):
            site = stored[index]["id"]
            if site not in place:
                raise ValidationError(
                    _("coverage %(n)d is a radius around a site this row removes: give the coverage too", n=number + 1),
                    field="locations_json",
                )
            part = {**part, "location": place[site]}
        parts.append(part)
    return parts
