"""The admin units and whole countries the coverage editor offers, grouped by country and state,
the organisation's own country first, names as everywhere in the directory (i18n.unit_name: the
local name, then the reader's where it differs).

Values say what they are: "country:MX" or "unit:MX-CHP" (US counties "unit:US-06037").
`unit_groups` gives the checklist of templates/edit/_coverage_editor.html (a <details> per country,
and per state of a country that has counties); `coverage_choices` the same as {country name:
[(value, label)]}, the form's known values, where a US county's label names its state
("Los Angeles (California)"), since county names repeat from state to state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, Country
from directory_app.i18n import current_language, unit_name


@dataclass
class UnitChoice:
    value: str  # "unit:MX-CHP", "country:MX"
    name: str  # as listed in its group ("Los Angeles")
    label: str  # on its own ("Los Angeles (California)")
    children: list[UnitChoice] = field(default_factory=list)  # a state's counties

    def holds_any(self, chosen) -> bool:
        """Whether one of its counties is among `chosen` (its <details> starts open)."""
        return any(child.value in chosen for child in self.children)


@dataclass
class CountryGroup:
    code: str
    name: str
    whole: UnitChoice
    units: list[UnitChoice]  # states, provinces, departments (with their counties)

    def holds_any(self, chosen) -> bool:
        """Whether the country or one of its units is among `chosen` (its <details> starts open)."""
        chosen = set(chosen)
        return self.whole.value in chosen or any(u.value in chosen or u.holds_any(chosen) for u in self.units)


def unit_groups(first_country: str | None) -> list[CountryGroup]:
    """Every member country with its units, states before their counties, in display order."""
    lang = current_language()
    countries = db.session.scalars(select(Country)).all()
    countries.sort(key=lambda c: (c.code != first_country, c.name(lang)))
    parent = aliased(AdminUnit)
    rows = db.session.execute(
        select(
            AdminUnit.code,
            AdminUnit.country_code,
            AdminUnit.level,
            AdminUnit.name_local,
            AdminUnit.name_es,
            AdminUnit.name_en,
            parent.code.label("parent_code"),
            parent.name_local.label("parent_local"),
            parent.name_es.label("parent_es"),
            parent.name_en.label("parent_en"),
        ).outerjoin(parent, AdminUnit.parent_id == parent.id)
    ).all()
    tops: dict[str, UnitChoice] = {}
    children: dict[str, list[UnitChoice]] = {}
    by_country: dict[str, list[UnitChoice]] = {c.code: [] for c in countries}
    for row in rows:
        name = unit_name(row)
        if row.level > 1 and row.parent_code:
            parent_row = SimpleNamespace(name_local=row.parent_local, name_es=row.parent_es, name_en=row.parent_en)
            state = unit_name(parent_row)
            label = _("%(unit)s (%(parent)s)", unit=name, parent=state)
            children.setdefault(row.parent_code, []).append(UnitChoice(f"unit:{row.code}", name, label))
        else:
            tops[row.code] = choice = UnitChoice(f"unit:{row.code}", name, name)
            by_country.setdefault(row.country_code, []).append(choice)
    for code, counties in children.items():
        if code in tops:
            tops[code].children = sorted(counties, key=lambda c: c.name)
    groups = []
    for country in countries:
        label = country.name(lang)
        whole = _("%(country)s (the whole country)", country=label)
        units = sorted(by_country[country.code], key=lambda c: c.name)
        groups.append(CountryGroup(country.code, label, UnitChoice(f"country:{country.code}", whole, whole), units))
    return groups


def coverage_choices(first_country: str | None) -> dict[str, list[tuple[str, str]]]:
    """{country name: [(value, label), ...]} in display order: each group starts with the whole
    country, then its units (states before their counties)."""
    return choices_of(unit_groups(first_country))


def choices_of(groups: list[CountryGroup]) -> dict[str, list[tuple[str, str]]]:
    """coverage_choices from groups already read."""
    choices = {}
    for group in groups:
        options = [(group.whole.value, group.whole.label)]
        for unit in group.units:
            options.append((unit.value, unit.label))
            options += [(county.value, county.label) for county in unit.children]
        choices[group.name] = options
    return choices
