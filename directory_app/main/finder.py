"""The home page's "find partners" form: a district or a place, and services.

What was typed leads to:
- the district page when it names one consular district (its code, or words of its consulate's city or
  name, its countries or state, any case, no accents: geography.district_search);
- a choice when it names several ("houston": the consulates of each sending country there), or when a
  district is named and a place was also chosen among the field's suggestions: each district, and the
  nearest partners of the place;
- else the nearest partners of that place (/nearest: a place chosen among the suggestions is searched from
  its position, a typed one by name; /nearest asks which when several places share the name).
The chosen services (and how they combine) go along.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _

from directory_app.geography.district_search import find_districts
from directory_app.geography.models import ConsularDistrict
from directory_app.organisations.service_choice import NO_CHOICE, ServiceChoice, read_service_choice

MAX_TEXT = 100
MAX_CHOICES = 20  # districts offered at most; the district list finds the others


@dataclass(frozen=True)
class DistrictChoice:
    code: str
    label: str
    url: str


@dataclass
class FindRequest:
    """What the form sent, where it leads (`target`), the districts to choose from (`districts`, with
    `nearest_url` for the place itself), or what is wrong with it (`errors`)."""

    text: str = ""
    services: ServiceChoice = NO_CHOICE
    target: str | None = None
    districts: list[DistrictChoice] = field(default_factory=list)
    more_districts: int = 0
    nearest_url: str | None = None
    errors: list[str] = field(default_factory=list)


def district_label(district: ConsularDistrict, lang: str) -> str:
    """A district as the choice lists it: its consulate's name, with the sending country for a joint one."""
    consulate = district.consulate
    if len(consulate.sending_countries) > 1:
        return f"{consulate.name(lang)} — {district.sending_country.name(lang)}"
    return consulate.name(lang)


def _point(args: Mapping[str, str]) -> dict[str, str]:
    """lat, lon and label of a place chosen among the suggestions (static/js/place-combobox.js)."""
    point = {key: str(args.get(key) or "").strip()[:120] for key in ("lat", "lon", "label")}
    return {key: value for key, value in point.items() if value} if point["lat"] and point["lon"] else {}


def read_find_request(args: Mapping[str, str], lang: str) -> FindRequest:
    """Where the form leads (see the module's description)."""
    found = FindRequest(text=str(args.get("q") or "").strip()[:MAX_TEXT])
    found.services, problems = read_service_choice(args)
    if problems:
        found.errors.append(_("Unknown service. Choose a service from the list."))
    point = _point(args)
    if not found.text and not point:
        found.errors.append(_("Type a consular district, a city or a place."))
    if found.errors:
        return found
    services = found.services.url_args()
    if point:
        found.nearest_url = url_for("referrals.nearest", **point, **services)
    else:
        found.nearest_url = url_for("referrals.nearest", place=found.text, **services)
    named = find_districts(found.text) if found.text else None
    if named is None or not named.districts:
        found.target = found.nearest_url
    elif len(named.districts) == 1 and (named.by_code or not point):
        found.target = url_for("referrals.district_page", code=named.districts[0].code, **services)
    else:
        found.districts = [
            DistrictChoice(d.code, district_label(d, lang), url_for("referrals.district_page", code=d.code, **services))
            for d in named.districts[:MAX_CHOICES]
        ]
        found.more_districts = max(0, len(named.districts) - MAX_CHOICES)
    return found
