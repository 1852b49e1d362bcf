"""The directory's state as GET parameters: parsing and checking them, and the options of the
filter form.

Every filter is a GET parameter, so that every state of the directory is a shareable URL:
`q` (words, each must match), `service` (category codes, repeatable) with `match` (any|all, see
organisations.service_choice), `population` (code), `language` (ISO 639 code), `country` (member
country code), `district` (a district code, or a consulate's city or name typed in any case and
without accents: served, with a published district coverage, by any of the districts it names; see
geography.district_search), `network` (Network.code), `sort` (name|verified|country), `page`, and
`x_<code>` for additional-information fields (yes/no and choice; see extra_fields.filters).
A parameter that is not valid gets a message and is left out of the state. A district name that
names no district is not an error: the search finds nothing and says why (`district_unknown`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from flask_babel import gettext as _
from sqlalchemy import select

from directory_app import vocabulary
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.extra_fields.filters import PARAM_PREFIX as EXTRA_PREFIX
from directory_app.extra_fields.filters import parse_extra_filters
from directory_app.geography.district_search import find_districts
from directory_app.geography.models import Country
from directory_app.i18n import format_number
from directory_app.organisations.display import category_label, country_name, language_name, population_label
from directory_app.organisations.models import Network
from directory_app.organisations.searchtext import search_words
from directory_app.organisations.service_choice import ServiceChoice, read_service_choice
from directory_app.organisations.services import language_code
from directory_app.request_params import whole_number

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SORTS = ("name", "verified", "country")
MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
MAX_PAGE = 100_000
MAX_DISTRICT_TEXT = 100
MAX_DISTRICTS = 30  # a name naming more districts than this is too vague to filter by
# Languages offered in the filter form (any other ISO 639 code still works in the URL): the
# region's official languages and those most asked for at consulates.
LANGUAGE_CHOICES = ("es", "en", "fr", "pt", "ht", "mam", "quc", "kek", "cak", "kjb", "tzo", "tzh", "cab", "miq")


@dataclass(frozen=True)
class DirectoryQuery:
    """One state of the directory, as the URL gives it (only valid values)."""

    q: str = ""
    service: tuple[str, ...] = ()  # category codes, vocabulary order
    match: str = "any"  # "all": an organisation must offer every service of `service`
    population: str = ""
    language: str = ""
    country: str = ""
    district: str = ""
    network: str = ""
    sort: str = "name"
    page: int = 1
    # The districts `district` names (several when a city has consulates of several countries).
    district_ids: tuple[int, ...] = field(default=(), compare=False)
    network_id: int | None = field(default=None, compare=False)
    # Additional-information filters ((code, value), ...) from `x_<code>` parameters (extra_fields.filters).
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def words(self) -> list[str]:
        return search_words(self.q)

    @property
    def services(self) -> ServiceChoice:
        return ServiceChoice(self.service, self.match)

    @property
    def district_unknown(self) -> bool:
        """A district was typed that names no district: nothing matches."""
        return bool(self.district) and not self.district_ids

    def url_args(self, **changes) -> dict[str, str | int | list[str]]:
        """The GET parameters of this state (empty ones left out), with `changes` applied."""
        state = replace(self, **changes)
        names = ("q", "population", "language", "country", "district", "network")
        args: dict[str, str | int | list[str]] = {name: getattr(state, name) for name in names if getattr(state, name)}
        args.update(state.services.url_args())
        if state.sort != "name":
            args["sort"] = state.sort
        args.update({f"{EXTRA_PREFIX}{code}": value for code, value in state.extra})
        if state.page != 1:
            args["page"] = state.page
        return args

    @property
    def is_filtered(self) -> bool:
        return bool(self.url_args(sort="name", page=1))


def parse_directory_query(args: Mapping[str, str]) -> tuple[DirectoryQuery, list[str]]:
    """The directory state asked for, and a message for each parameter that is not valid (those
    parameters are left out of the state)."""
    choice, problems = read_service_choice(args)
    values: dict = {"service": choice.codes, "match": choice.match}
    for name, check in _CHECKS:
        raw = str(args.get(name) or "").strip()
        if not raw:
            continue
        if _CONTROL.search(raw):  # PostgreSQL refuses NUL in text; no filter value has control characters
            problems.append(_("The parameter '%(name)s' contains characters that are not allowed.", name=name))
            continue
        try:
            values.update(check(raw))
        except ValidationError as exc:
            problems.append(exc.message)
    values["extra"], extra_problems = parse_extra_filters(args)
    return DirectoryQuery(**values), problems + extra_problems


def _check_q(raw: str) -> dict:
    if len(raw) > MAX_QUERY_LENGTH:
        raise ValidationError(
            _("The search text is too long (at most %(n)s characters).", n=format_number(MAX_QUERY_LENGTH))
        )
    if len(search_words(raw)) > MAX_WORDS:
        raise ValidationError(_("Use at most %(n)d words in the search.", n=MAX_WORDS))
    return {"q": raw}


def _check_population(raw: str) -> dict:
    if raw not in vocabulary.POPULATION_CODES:
        raise ValidationError(_("'%(value)s' is not a population.", value=raw))
    return {"population": raw}


def _check_language(raw: str) -> dict:
    problem = ValidationError(_("'%(value)s' is not an ISO 639 language code.", value=raw))
    if not raw.isascii() or not raw.isalpha() or len(raw) not in (2, 3):
        raise problem
    try:
        return {"language": language_code(raw, "language")}
    except ValidationError:
        raise problem from None


def _check_country(raw: str) -> dict:
    code = raw.upper()
    if len(code) != 2 or db.session.get(Country, code) is None:
        raise ValidationError(_("'%(value)s' is not a member country code.", value=raw))
    return {"country": code}


def _check_district(raw: str) -> dict:
    if len(raw) > MAX_DISTRICT_TEXT:
        raise ValidationError(
            _("The district is too long (at most %(n)s characters).", n=format_number(MAX_DISTRICT_TEXT))
        )
    found = find_districts(raw)
    if len(found.districts) > MAX_DISTRICTS:
        raise ValidationError(
            _(
                "“%(text)s” names %(n)s consular districts: type more of the name, for example the city "
                "and the country.",
                text=raw,
                n=format_number(len(found.districts)),
            )
        )
    return {"district": raw, "district_ids": found.ids}


def _check_network(raw: str) -> dict:
    network_id = db.session.scalar(select(Network.id).where(Network.code == raw[:40]))
    if network_id is None:
        raise ValidationError(_("There is no network with the code '%(value)s'.", value=raw))
    return {"network": raw, "network_id": network_id}


def _check_sort(raw: str) -> dict:
    if raw not in SORTS:
        raise ValidationError(_("Sort by one of: %(sorts)s.", sorts=", ".join(SORTS)))
    return {"sort": raw}


def _check_page(raw: str) -> dict:
    page = whole_number(raw, 1, MAX_PAGE)
    if page is None:
        raise ValidationError(_("'%(value)s' is not a page number.", value=raw[:20]))
    return {"page": page}


_CHECKS = (
    ("q", _check_q),
    ("population", _check_population),
    ("language", _check_language),
    ("country", _check_country),
    ("district", _check_district),
    ("network", _check_network),
    ("sort", _check_sort),
    ("page", _check_page),
)


def filter_choices(query: DirectoryQuery) -> dict[str, list[tuple[str, str]]]:
    """(value, label) options of each select of the filter form, labels in the reader's language.
    A language asked for in the URL but not in LANGUAGE_CHOICES is added, so that it shows."""
    languages = list(LANGUAGE_CHOICES)
    if query.language and query.language not in languages:
        languages.append(query.language)
    countries = db.session.scalars(select(Country).order_by(Country.code)).all()
    return {
        "service": [(t.code, category_label(t.code)) for t in vocabulary.SERVICE_CATEGORIES],
        "population": [(t.code, population_label(t.code)) for t in vocabulary.POPULATIONS],
        "language": [(code, language_name(code)) for code in languages],
        "country": [(c.code, country_name(c)) for c in countries],
        "network": [
            tuple(row) for row in db.session.execute(select(Network.code, Network.name).order_by(Network.code))
        ],
    }
