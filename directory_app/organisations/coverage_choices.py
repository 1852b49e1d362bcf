"""The choices of the coverage editor's list: whole countries and admin units, grouped by country,
the organisation's own country first, names as everywhere in the directory (i18n.unit_name: the local
name, then the reader's where it differs).

Values say what they are: "country:MX" or "unit:MX-CHP" (US counties "unit:US-06037"). A US county's
label names its state ("Los Angeles (California)"), since county names repeat from state to state.
"""

from __future__ import annotations

from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, Country
from directory_app.i18n import current_language, unit_name


def coverage_choices(first_country: str | None) -> dict[str, list[tuple[str, str]]]:
    """{country name: [(value, label), ...]} in display order, for a SelectMultipleField's optgroups:
    each group starts with the whole country, then its units (states before their counties)."""
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
            parent.name_local.label("parent_local"),
            parent.name_es.label("parent_es"),
            parent.name_en.label("parent_en"),
        ).outerjoin(parent, AdminUnit.parent_id == parent.id)
    ).all()
    units: dict[str, list[tuple[tuple, str, str]]] = {c.code: [] for c in countries}
    for row in rows:
        name = unit_name(row)
        if row.level > 1 and row.parent_local:
            parent_row = SimpleNamespace(name_local=row.parent_local, name_es=row.parent_es, name_en=row.parent_en)
            state = unit_name(parent_row)
            sort_key: tuple = (state, row.level, name)
            name = _("%(unit)s (%(parent)s)", unit=name, parent=state)
        else:
            sort_key = (name, row.level, "")
        units.setdefault(row.country_code, []).append((sort_key, f"unit:{row.code}", name))
    choices = {}
    for country in countries:
        label = country.name(lang)
        whole = (f"country:{country.code}", _("%(country)s (the whole country)", country=label))
        choices[label] = [whole] + [(value, text) for _key, value, text in sorted(units[country.code])]
    return choices
