"""Which services a search asks for: one or several service categories and how they combine.

Every search, filter, map layer and API route that takes a service reads it here, the same way:
`service` may be given several times (`?service=shelter&service=legal_assistance`, or comma-separated
`?service=shelter,legal_assistance`) and `match` says whether an organisation must offer ANY of them
(the default: a consulate refers a person to shelter OR legal aid, whichever is at hand) or ALL of
them (`?match=all`). The codes are kept in the vocabulary's order, once each, so that one choice has
one URL.

An organisation offers a category when one of its services of that category is active (a service
marked inactive is not offered: the directory, the district pages, the map layers, the nearest
search and the API agree).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, exists

from directory_app import vocabulary
from directory_app.organisations.display import category_label, reader_language
from directory_app.organisations.models import Service

MATCHES = ("any", "all")
_ORDER = {term.code: i for i, term in enumerate(vocabulary.SERVICE_CATEGORIES)}


@dataclass(frozen=True)
class ServiceChoice:
    """The service categories asked for (vocabulary order, no repeats) and how they combine."""

    codes: tuple[str, ...] = ()
    match: str = "any"

    def __bool__(self) -> bool:
        return bool(self.codes)

    @property
    def needs_all(self) -> bool:
        """True when an organisation must offer every category (only meaningful for two or more)."""
        return self.match == "all" and len(self.codes) > 1

    def url_args(self) -> dict[str, list[str] | str]:
        """The GET parameters of this choice (none when no service is chosen)."""
        if not self.codes:
            return {}
        args: dict[str, list[str] | str] = {"service": list(self.codes)}
        if self.needs_all:
            args["match"] = "all"
        return args

    def key(self) -> str:
        """A short stable text for cache keys."""
        return ("all:" if self.needs_all else "any:") + ",".join(self.codes)


NO_CHOICE = ServiceChoice()


def service_choice(codes: Iterable[str] | str | ServiceChoice | None, match: str = "any") -> ServiceChoice:
    """A ServiceChoice from known codes (a code, several, or a choice already made); unknown codes
    raise ValueError (callers that read a request use read_service_choice, which says what is wrong)."""
    if isinstance(codes, ServiceChoice):
        return codes
    if codes is None:
        return NO_CHOICE
    given = [codes] if isinstance(codes, str) else list(codes)
    unknown = [c for c in given if c not in _ORDER]
    if unknown:
        raise ValueError(f"unknown service categories: {unknown}")
    if match not in MATCHES:
        raise ValueError(f"match must be one of {MATCHES}")
    return ServiceChoice(tuple(sorted(set(given), key=_ORDER.__getitem__)), match)


def raw_values(args: Mapping, name: str) -> list[str]:
    """Every value of a parameter that may be repeated (a MultiDict's list, or a plain mapping's value or
    list of values), split at commas, trimmed, empty ones left out."""
    getlist = getattr(args, "getlist", None)
    values = getlist(name) if getlist else args.get(name)
    if not isinstance(values, list | tuple):
        values = [values]
    return [part.strip() for value in values if value for part in str(value).split(",") if part.strip()]


def read_service_choice(args: Mapping) -> tuple[ServiceChoice, list[str]]:
    """The choice asked for by `service` (repeatable) and `match`, and a message per value that is not
    valid (those values are left out of the choice)."""
    problems = []
    codes = []
    for raw in raw_values(args, "service"):
        if raw in _ORDER:
            codes.append(raw)
        else:
            problems.append(_("'%(value)s' is not a service category.", value=raw[:40]))
    match = str(args.get("match") or "any").strip().lower()
    if match not in MATCHES:
        problems.append(_("'%(value)s' is not a way to combine services: use any or all.", value=match[:20]))
        match = "any"
    return service_choice(codes, match), problems


def offers(choice: ServiceChoice, organisation_id):
    """A SQL condition: the organisation (`organisation_id`, a column) offers the chosen services
    (any or all of them, active services only). None when no service is chosen."""
    if not choice.codes:
        return None

    def offering(*categories):
        return exists().where(
            Service.organisation_id == organisation_id,
            Service.is_active.is_(True),
            Service.category_code.in_(categories) if len(categories) > 1 else Service.category_code == categories[0],
        )

    if choice.needs_all:
        return and_(*(offering(code) for code in choice.codes))
    return offering(*choice.codes)


# Short names of the service categories, for chips and the summary table of a district page (the
# vocabulary's own labels are the full names; a short name is the full one when that is short).
SHORT_LABELS: tuple[vocabulary.Term, ...] = (
    vocabulary.Term("shelter", "Albergue", "Shelter", "Hébergement"),
    vocabulary.Term("food", "Alimentación", "Food", "Alimentation"),
    vocabulary.Term("legal_assistance", "Asesoría jurídica", "Legal aid", "Aide juridique"),
    vocabulary.Term("asylum", "Asilo", "Asylum", "Asile"),
    vocabulary.Term("health_care", "Salud", "Health care", "Santé"),
    vocabulary.Term("mental_health", "Salud mental", "Mental health", "Santé mentale"),
    vocabulary.Term("identity_documents", "Documentos", "ID documents", "Papiers d'identité"),
    vocabulary.Term("family_search", "Búsqueda familiar", "Family search", "Recherche familiale"),
    vocabulary.Term("repatriation_remains", "Repatriación de restos", "Remains repatriation", "Rapatriement de corps"),
    vocabulary.Term("labour_rights", "Derechos laborales", "Labour rights", "Droits du travail"),
    vocabulary.Term("education", "Educación", "Education", "Éducation"),
    vocabulary.Term("transport", "Transporte", "Transport", "Transport"),
    vocabulary.Term("crisis_assistance", "Crisis y desastres", "Crisis aid", "Crises"),
    vocabulary.Term("detention_monitoring", "Detención", "Detention", "Détention"),
    vocabulary.Term("reintegration", "Retorno", "Return", "Retour"),
)


def short_label(code: str) -> str:
    """The category's short name in the reader's language (the code when unknown)."""
    try:
        return vocabulary.label(SHORT_LABELS, code, reader_language())
    except KeyError:
        return code


def short_labels() -> dict[str, str]:
    """Every category's short name in the reader's language, by code (one lookup for a whole page)."""
    lang = reader_language()
    return {term.code: getattr(term, lang, term.en) for term in SHORT_LABELS}


def chip_options() -> list[tuple[str, str, str]]:
    """(code, short name, full name) of every service category, for the service chips of a form."""
    return [(t.code, short_label(t.code), category_label(t.code)) for t in vocabulary.SERVICE_CATEGORIES]


def choice_summary(choice: ServiceChoice) -> str:
    """What the choice means, in the reader's language: "Organisations offering any of: Shelter, Legal
    assistance"."""
    names = ", ".join(category_label(code) for code in choice.codes)
    if not choice.codes:
        return _("Organisations offering any service")
    if len(choice.codes) == 1:
        return _("Organisations offering: %(services)s", services=names)
    if choice.needs_all:
        return _("Organisations offering all of: %(services)s", services=names)
    return _("Organisations offering any of: %(services)s", services=names)
