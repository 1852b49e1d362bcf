"""The choices of the coverage editor's list: whole countries and admin units, grouped by country,
the organisation's own country first, names in the reader's language.

Values say what they are: "country:MX" or "unit:MX-CHP" (US counties "unit:US-06037"). A US county's
label names its state ("Los Angeles (California)"), since county names repeat from state to state.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, Country
from directory_app.organisations.display import reader_language


def coverage_choices(first_country: str | None) -> dict[str, list[tuple[str, str]]]:
    """{country name: [(value, label), ...]} in display order, for a SelectMultipleField's optgroups:
    each group starts with the whole country, then its units (states before their counties)."""
    lang = reader_language()
    countries = db.session.scalars(select(Country)).all()
    countries.sort(key=lambda c: (c.code != first_country, c.name(lang)))
    parent = aliased(AdminUnit)
    rows = db.session.execute(
        select(AdminUnit.code, AdminUnit.country_code, AdminUnit.level, AdminUnit.name_local, _name(AdminUnit, lang))
        .add_columns(_name(parent, lang).label("parent_name"))
        .outerjoin(parent, AdminUnit.parent_id == parent.id)
    ).all()
    units: dict[str, list[tuple[tuple, str, str]]] = {c.code: [] for c in countries}
    for code, country, level, local, name, parent_name in rows:
        label = name or local
        if level > 1 and parent_name:
            label = _("%(unit)s (%(parent)s)", unit=label, parent=parent_name)
        sort_key = (parent_name or label, level, label) if level > 1 else (label, level, "")
        units.setdefault(country, []).append((sort_key, f"unit:{code}", label))
    choices = {}
    for country in countries:
        name = country.name(lang)
        whole = (f"country:{country.code}", _("%(country)s (the whole country)", country=name))
        choices[name] = [whole] + [(value, label) for _key, value, label in sorted(units[country.code])]
    return choices


def _name(model, lang: str):
    return {"es": model.name_es, "en": model.name_en}.get(lang, model.name_local)
