"""The home page's "find partners" form: a district or a place, and services.

The field offers every consular district by its consulate's name (a <datalist>, so that it works without
JavaScript; a script may add the /places suggestions). What was typed leads to:
- a district page when it is a district's code (any case) or the name a suggestion gave it, in any of
  the interface languages, case and accents aside;
- else the nearest partners of that place (/nearest?place=...), which asks which place when several
  share the name.
The chosen services go along as `service` parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory_app import vocabulary
from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict, Consulate
from directory_app.i18n import LANGUAGES
from directory_app.organisations.searchtext import fold

MAX_TEXT = 100


@dataclass(frozen=True)
class DistrictOption:
    code: str
    label: str


@dataclass
class FindRequest:
    """What the form sent, where it leads (`target`), or what is wrong with it (`errors`)."""

    text: str = ""
    services: list[str] = field(default_factory=list)
    target: str | None = None
    errors: list[str] = field(default_factory=list)


def _districts() -> list[ConsularDistrict]:
    return list(
        db.session.scalars(
            select(ConsularDistrict).options(
                selectinload(ConsularDistrict.consulate).selectinload(Consulate.sending_countries),
                selectinload(ConsularDistrict.sending_country),
            )
        )
    )


def district_label(district: ConsularDistrict, lang: str) -> str:
    """A district as the field offers it: its consulate's name, with the sending country for a joint one."""
    consulate = district.consulate
    if consulate.is_joint:
        return f"{consulate.name(lang)} — {district.sending_country.name(lang)}"
    return consulate.name(lang)


def district_options(lang: str) -> list[DistrictOption]:
    """Every district by its label in `lang`, in alphabetical order."""
    options = [DistrictOption(d.code, district_label(d, lang)) for d in _districts()]
    return sorted(options, key=lambda option: (fold(option.label), option.code))


def service_choices(lang: str) -> list[tuple[str, str]]:
    """(code, label in `lang`) of every service category, for the chips."""
    return [(term.code, getattr(term, lang, term.en)) for term in vocabulary.SERVICE_CATEGORIES]


def find_district_code(text: str) -> str | None:
    """The district `text` names: its code, or its label in any interface language (folded)."""
    wanted = fold(text)
    if not wanted:
        return None
    for district in _districts():
        if wanted == fold(district.code) or any(wanted == fold(district_label(district, lang)) for lang in LANGUAGES):
            return district.code
    return None


def read_find_request(text: str | None, services: list[str], point: dict[str, str] | None = None) -> FindRequest:
    """Where the form leads: a district page or the nearest partners of a place, with the services.
    `point`: lat, lon and label of a suggestion chosen in the field (a script's), searched from as given."""
    found = FindRequest(text=(text or "").strip()[:MAX_TEXT])
    point = {key: value for key, value in (point or {}).items() if value}
    unknown = [code for code in services if code not in vocabulary.SERVICE_CODES]
    if unknown:
        found.errors.append(_("Unknown service. Choose a service from the list."))
    found.services = [code for code in dict.fromkeys(services) if code in vocabulary.SERVICE_CODES]
    if "lat" in point and "lon" in point and not found.errors:
        found.target = url_for("referrals.nearest", **point, service=found.services or None)
        return found
    if not found.text:
        found.errors.append(_("Type a consular district, a city or a place."))
    if found.errors:
        return found
    code = find_district_code(found.text)
    if code is not None:
        found.target = url_for("referrals.district_page", code=code, service=found.services or None)
    else:
        found.target = url_for("referrals.nearest", place=found.text, service=found.services or None)
    return found
