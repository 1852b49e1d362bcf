"""The shapes an HSDS JSON file comes in, as organization documents.

Accepted: one organization (organization_full.json), a list of them, our own {"organizations": [...]},
a page of the HSDS API ({"contents": [...], "total_items": ..., "page_number": ...}), and services or
services at a location (service_full.json, service_list.json, service_at_location_*.json), which are
gathered under the organization each one names (its nested "organization", or an organization of the
same file with its organization_id). What cannot be placed is said about the file as a whole.
An organization built from its services gives only part of its lists (transfer.merge_by_id): an
organisation already in the directory keeps the services the file does not list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext

from directory_app.i18n import format_number

_LOCATION_KEYS = {"location_type", "latitude", "longitude", "address_1"}
_TAXONOMY_KEYS = {"id", "name", "description", "uri", "version"}
_TERM_KEYS = {"code", "term_uri", "taxonomy_id", "parent_id"}


@dataclass
class Documents:
    """The organization documents of a file, in order, and what the preview says about the file."""

    organizations: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    gathered: set[int] = field(default_factory=set)
    """Places in `organizations` of those built from their services: they give part of each list."""


def kind_of(item) -> str | None:
    """ "organization", "service", "service_at_location" or None (not an object we read)."""
    if not isinstance(item, dict):
        return None
    if isinstance(item.get("service"), dict):
        return "service_at_location"
    if isinstance(item.get("organization"), dict) or {"status", "service_at_locations", "service_areas"} & set(item):
        return "service"
    if not isinstance(item.get("name"), str) or _LOCATION_KEYS & set(item) or _TERM_KEYS & set(item):
        return None
    if "version" in item and set(item) <= _TAXONOMY_KEYS:
        return None  # a taxonomy
    return "organization"


def looks_like_hsds(document) -> bool:
    """True for the shapes this module reads (the upload check uses it to tell HSDS from other JSON)."""
    if isinstance(document, list):
        return True
    if not isinstance(document, dict):
        return False
    if isinstance(document.get("organizations"), list) or isinstance(document.get("contents"), list):
        return True
    return kind_of(document) is not None


def organizations_of(document) -> Documents:
    """The organization documents of a parsed HSDS JSON file (see the module docstring)."""
    found = Documents()
    if isinstance(document, list):
        items = document
    elif isinstance(document.get("contents"), list):
        items = document["contents"]
        found.notes += _page_notes(document, len(items))
    elif isinstance(document.get("organizations"), list):
        items = document["organizations"]
    else:
        items = [document]
    by_id: dict[str, dict] = {}
    services: dict[str, dict] = {}
    for number, item in enumerate(items, start=1):
        kind = kind_of(item)
        if kind == "organization":
            found.organizations.append(item)
            if item.get("id"):
                by_id.setdefault(str(item["id"]), item)
        elif kind == "service":
            _add_service(services, item)
        elif kind == "service_at_location":
            at = {key: value for key, value in item.items() if key != "service"}
            service = dict(item["service"])
            service["service_at_locations"] = list(service.get("service_at_locations") or []) + [at]
            _add_service(services, service)
        else:
            found.notes.append(
                _("Item %(n)s is not an HSDS organization, service or service at a location: not read.", n=number)
            )
    for service in services.values():
        _place(service, by_id, found)
    if found.gathered:
        found.notes.append(
            _(
                "The file gives services with their organization: an organisation already in the directory keeps "
                "the services, sites, contacts, phones and coverage the file does not list; those it lists are "
                "updated (same id) or added."
            )
        )
    return found


def _add_service(services: dict[str, dict], service: dict) -> None:
    key = str(service.get("id") or id(service))
    if key in services:  # the same service at another location
        services[key]["service_at_locations"] = list(services[key].get("service_at_locations") or []) + list(
            service.get("service_at_locations") or []
        )
    else:
        services[key] = service


def _place(service: dict, by_id: dict[str, dict], found: Documents) -> None:
    organization = service.get("organization") if isinstance(service.get("organization"), dict) else None
    key = str((organization or {}).get("id") or service.get("organization_id") or "")
    target = by_id.get(key) if key else None
    if target is None and organization is not None:
        target = {k: v for k, v in organization.items() if k != "services"}
        found.gathered.add(len(found.organizations))
        found.organizations.append(target)
        if key:
            by_id[key] = target
    if target is None:
        found.notes.append(
            _(
                "The service '%(name)s' comes without its organization: not read.",
                name=str(service.get("name") or service.get("id") or "?")[:80],
            )
        )
        return
    listed = target.setdefault("services", [])
    if not any(s.get("id") and s.get("id") == service.get("id") for s in listed if isinstance(s, dict)):
        listed.append(service)


def _page_notes(document: dict, count: int) -> list[str]:
    total, pages = document.get("total_items"), document.get("total_pages")
    if not isinstance(total, int) or total <= count:
        if not (isinstance(pages, int) and pages > 1):
            return []
    return [
        ngettext(
            "This file is page %(page)s of %(pages)s of a list of %(total)s entries: only the %(num)d entry of "
            "this page is imported.",
            "This file is page %(page)s of %(pages)s of a list of %(total)s entries: only the %(num)d entries of "
            "this page are imported.",
            count,
            page=format_number(document.get("page_number") or 1),
            pages=format_number(pages) if isinstance(pages, int) else "?",
            total=format_number(total) if isinstance(total, int) else "?",
        )
    ]
