"""HSDS services as our services: category from the taxonomy attributes, hours from the schedules,
fees with the cost options, service areas as the organisation's coverage.

A service has one category of ours. It comes from an attribute naming one of our terms, else from a
foreign term remembered to stand for a category (transfer.hsds_taxonomy_map), else from the category
chosen in the preview for services that have none; a service that still has none is not kept (the
preview says so and lists its terms). Foreign terms not mapped are kept as text (additional
information), like funding and programs (transfer.hsds_extra).
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from directory_app.errors import ValidationError
from directory_app.organisations.services import language_code
from directory_app.transfer import hsds_extra
from directory_app.transfer.hsds_areas import area_part, same_part
from directory_app.transfer.hsds_notes import Tracker
from directory_app.transfer.hsds_people import People, Sites, with_id
from directory_app.transfer.hsds_taxonomy_map import ForeignTerm, foreign_term, our_term

_TEXT_LIMITS = {"description": 10_000, "eligibility": 5_000, "fees": 2_000, "schedule": 2_000}


def schedule_text(t: Tracker, schedule: dict) -> str:
    """One schedule in words as the source wrote them: description, days and hours, how to attend, notes."""
    days = ", ".join(d.strip() for d in t.text(schedule, "byday").split(",") if d.strip())
    opens, closes = t.text(schedule, "opens_at")[:5], t.text(schedule, "closes_at")[:5]
    hours = f"{opens}–{closes}" if opens and closes else opens or closes
    parts = [
        t.text(schedule, "description"),
        " ".join(p for p in (days, hours) if p),
        t.text(schedule, "attending_type"),
        t.text(schedule, "notes"),
    ]
    return " ".join(p if p.endswith(".") else f"{p}." for p in parts if p)


def cost_text(t: Tracker, option: dict) -> str:
    amount = " ".join(t.text(option, key) for key in ("amount", "currency", "amount_description"))
    dates = "–".join(d for d in (t.text(option, "valid_from"), t.text(option, "valid_to")) if d)
    text = ": ".join(p for p in (t.text(option, "option"), " ".join(amount.split())) if p)
    return f"{text} ({dates})" if dates and text else text


class ServiceReader:
    """Reads the services of one organization into services, coverage, people, sites and text."""

    def __init__(self, t: Tracker, context, people: People, sites: Sites, extra: dict[str, list[str]]) -> None:
        self.t, self.context, self.people, self.sites, self.extra = t, context, people, sites, extra
        self.services: list[dict] = []
        self.coverage: list[dict] = []
        self.said_coverage = False
        self.assured: list[str] = []
        self.modified: list[str] = []
        self.without_category = 0
        self.funding: list[tuple[str, str]] = []  # (service name, source): the organisation's text says it

    def gather(self, service: dict) -> None:
        """Contacts, phones and locations of a service (read before the organisation's phones)."""
        t = self.t
        t.name(service, _("service '%(name)s'", name=str(service.get("name") or "?")))
        for contact in t.items(service, "contacts"):
            self.people.contact(contact)
        for at in t.items(service, "service_at_locations"):
            t.name(at, _("service '%(name)s' at a location", name=str(service.get("name") or "?")))
            for contact in t.items(at, "contacts"):
                self.people.contact(contact)
            location = t.get(at, "location")
            if isinstance(location, dict):
                for contact in t.items(location, "contacts"):
                    self.people.contact(contact)

    def phones_and_sites(self, service: dict) -> None:
        t = self.t
        for phone in t.items(service, "phones"):
            self.people.phone(phone)
        for at in t.items(service, "service_at_locations"):
            for phone in t.items(at, "phones"):
                self.people.phone(phone)
            t.use(at, "id", "service_id", "location_id")
            location = at.get("location")
            if isinstance(location, dict):
                for phone in t.items(location, "phones"):
                    self.people.phone(phone)
                self.sites.location(location)

    def read(self, service: dict) -> None:
        t = self.t
        organization = t.get(service, "organization")
        if isinstance(organization, dict):
            t.whole(organization)  # the organisation being read (transfer.hsds_shapes)
        t.use(service, "organization_id")
        category, populations = self._classification(service)
        status = t.text(service, "status").lower()
        if status == "defunct":
            t.lost(service, _("a defunct service: not kept"))
            return t.whole(service)
        if status and status != "active":
            t.lost(service, _("status '%(status)s' not kept: the service is listed as offered", status=status[:40]))
        self._program_and_funding(service)
        self._areas(service)
        if last_modified := t.text(service, "last_modified"):
            self.modified.append(last_modified)
        if assured := t.text(service, "assured_date"):
            self.assured.append(assured)
        if not category:
            self.without_category += 1
            t.lost(service, _("no service category of ours: the service is not kept (map one of its terms above)"))
            return t.whole(service)
        self.services.append(with_id(self._fields(service, category, populations), service, t))

    def _fields(self, service: dict, category: str, populations: list[str]) -> dict:
        t = self.t
        schedules, seen = [], set()
        for schedule in t.items(service, "schedules") + [
            s for at in t.items(service, "service_at_locations") for s in t.items(at, "schedules")
        ]:
            key = str(schedule.get("id") or id(schedule))
            t.name(schedule, _("schedule of service '%(name)s'", name=str(service.get("name") or "?")))
            if key in seen:
                t.whole(schedule)  # the same schedule under the service and at a location
            else:
                seen.add(key)
                schedules.append(schedule)
        hours = list(dict.fromkeys(filter(None, (schedule_text(t, s) for s in schedules))))
        fees = [t.text(service, "fees_description")]
        if (old := t.text(service, "fees")) and old not in fees:
            fees.append(old)
        for option in t.items(service, "cost_options"):
            t.name(option, _("cost option '%(option)s'", option=str(option.get("option") or "?")))
            fees.append(cost_text(t, option))
        languages = []
        for language in t.items(service, "languages"):
            t.name(language, _("language '%(code)s'", code=str(language.get("code") or language.get("name") or "?")))
            try:
                languages.append(language_code(t.text(language, "code"), "languages"))
            except ValidationError:
                t.lost(service, _("language '%(code)s' is not an ISO 639 code: not kept", code=language.get("code")))
        return {
            "category": category,
            "name": t.text(service, "name")[:300],
            "description": self._limited(service, "description", t.text(service, "description")),
            "eligibility": self._limited(service, "eligibility", t.text(service, "eligibility_description")),
            "fees": self._limited(service, "fees", "\n".join(f for f in fees if f)),
            "schedule": self._limited(service, "schedule", "\n".join(hours)),
            "populations": populations,
            "languages": list(dict.fromkeys(languages)),
        }

    def _limited(self, service: dict, what: str, text: str) -> str:
        limit = _TEXT_LIMITS[what]
        if len(text) > limit:
            self.t.lost(service, _("%(field)s cut to %(n)d characters", field=what, n=limit))
        return text[:limit]

    def _classification(self, service: dict) -> tuple[str, list[str]]:
        """The service's category and populations; foreign terms are counted in the context."""
        t = self.t
        categories, populations, mapped = [], [], []
        for attribute in t.items(service, "attributes"):
            t.whole(attribute)
            ours = our_term(attribute)
            if ours is not None:
                (categories if ours[0] == "service_category" else populations).append(ours[1])
                continue
            term = foreign_term(attribute)
            if term is None:
                t.lost(service, _("an attribute without a term: not kept"))
                continue
            seen = self.context.terms.setdefault(term.key, ForeignTerm(term))
            seen.services += 1
            if term.key in self.context.mappings:
                seen.remembered, seen.category = True, self.context.mappings[term.key]
            if seen.category:
                mapped.append(seen.category)
            else:
                self._text(service, hsds_extra.TERMS, f"{term.label()} — {service.get('name') or ''}".strip(" —"))
        found = list(dict.fromkeys(categories + mapped)) or ([self.context.category] if self.context.category else [])
        for other in found[1:]:
            t.lost(service, _("also classified as '%(code)s': a service has one category here", code=other))
        return (found[0] if found else ""), list(dict.fromkeys(populations))

    def _program_and_funding(self, service: dict) -> None:
        t = self.t
        program = t.get(service, "program")
        if isinstance(program, dict):
            t.whole(program)
            self._text(service, hsds_extra.PROGRAMS, program_text(program))
        t.use(service, "program_id")
        for funding in t.items(service, "funding"):
            t.whole(funding)
            if source := str(funding.get("source") or "").strip():
                self.funding.append((str(service.get("name") or ""), source))
                self._text(service, hsds_extra.FUNDING, "")

    def _text(self, item: dict, code: str, line: str) -> None:
        if not self.context.fields.usable(code):
            self.t.lost(item, hsds_extra.unusable_text(code))
            return
        self.extra.setdefault(code, []).append(line)
        self.t.kept(item, hsds_extra.kept_text(code, self.context.fields))

    def _areas(self, service: dict) -> None:
        t = self.t
        if "service_areas" in service:
            self.said_coverage = True
        for area in t.items(service, "service_areas"):
            t.whole(area)
            t.name(area, _("service area '%(name)s'", name=str(area.get("name") or "?")[:80]))
            part, why = area_part(area, self.context.places)
            if part is None:
                t.lost(area, why)
            elif not any(same_part(part, other) for other in self.coverage):
                self.coverage.append(part)


def program_text(program: dict) -> str:
    names = " / ".join(str(program.get(k) or "").strip() for k in ("name", "alternate_name") if program.get(k))
    description = str(program.get("description") or "").strip()
    return f"{names}: {description}" if names and description else names or description


def valid_date(text: str) -> str:
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return ""
