"""Directory filters on additional information: yes/no and choice fields only (free text and dates
make poor filters). GET parameter `x_<code>`: "yes"/"no" for a yes/no field, one of the options for a
choice field, e.g. `/organisations?x_phone_referrals=yes`. Organisations without a value never match.

Used by organisations.search_params (parsing, URL), organisations.search (the SQL condition) and
templates/organisations/_filters.html (the selects, through the `extra_filter_options` global).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy import exists, select

from directory_app.extensions import db
from directory_app.extra_fields.models import ExtraField, ExtraFieldValue, FieldType

PARAM_PREFIX = "x_"
FILTER_TYPES = (FieldType.YES_NO.value, FieldType.CHOICE.value)


def filterable_fields() -> list[ExtraField]:
    """Active yes/no and choice fields, in display order."""
    return list(
        db.session.scalars(
            select(ExtraField)
            .where(ExtraField.active.is_(True), ExtraField.field_type.in_(FILTER_TYPES))
            .order_by(ExtraField.position, ExtraField.id)
        )
    )


def _allowed(field: ExtraField) -> list[str]:
    return ["yes", "no"] if field.field_type == FieldType.YES_NO else field.choices


def parse_extra_filters(args: Mapping[str, str]) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """((code, value), ...) asked for by `x_<code>` parameters, and a message for each bad one."""
    asked = {key[len(PARAM_PREFIX) :]: str(args.get(key) or "").strip() for key in args if key.startswith(PARAM_PREFIX)}
    asked = {code: value for code, value in asked.items() if value}
    if not asked:
        return (), []
    fields = {field.code: field for field in filterable_fields()}
    filters, problems = [], []
    for code, value in sorted(asked.items()):
        field = fields.get(code)
        if field is None:
            problems.append(_("'%(name)s' is not a filter of the directory.", name=PARAM_PREFIX + code[:40]))
        elif value not in _allowed(field):
            problems.append(_("'%(value)s' is not a value of the filter '%(name)s'.", value=value[:100], name=code))
        else:
            filters.append((code, value))
    return tuple(filters), problems


def extra_filter_clauses(filters: tuple[tuple[str, str], ...], organisation_id_column) -> list:
    """SQL conditions: the organisation (by `organisation_id_column`) has each asked value."""
    clauses = []
    for code, value in filters:
        field_id = select(ExtraField.id).where(ExtraField.code == code).scalar_subquery()
        clauses.append(
            exists().where(
                ExtraFieldValue.organisation_id == organisation_id_column,
                ExtraFieldValue.field_id == field_id,
                ExtraFieldValue.value == value,
            )
        )
    return clauses


def extra_filter_options(lang: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(parameter name, label in `lang`, [(value, label)]) of each filterable field, for the form."""
    options = []
    for field in filterable_fields():
        if field.field_type == FieldType.YES_NO:
            values = [("yes", _("Yes")), ("no", _("No"))]
        else:
            values = [(choice, choice) for choice in field.choices]
        options.append((PARAM_PREFIX + field.code, field.label(lang), values))
    return options
