"""Forms of additional information.

For edit forms of organisations (colleagues' code):

    FormClass = extra_fields_form_class(OrganisationForm)      # adds one field per active definition
    form = FormClass(data={**base_data, **form_data_of(org)})
    ...
    errors = organisations.services.set_extra_values(org, values_from_form(form), user=current_user)
    for field in extra_form_fields(form): ...                  # to render them

Field names are "extra_<code>"; yes/no and choice fields are selects with an empty "—" option, so
"not answered" stays distinct from "no".
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from directory_app.extra_fields.models import FieldType
from directory_app.extra_fields.services import MAX_TEXT, definitions, values_of

PREFIX = "extra_"

TYPE_CHOICES = [
    SelectChoice(FieldType.TEXT.value, _l("Text")),
    SelectChoice(FieldType.YES_NO.value, _l("Yes / no")),
    SelectChoice(FieldType.DATE.value, _l("Date")),
    SelectChoice(FieldType.CHOICE.value, _l("Choice from a list")),
]


class ExtraFieldForm(FlaskForm):
    """The TS form defining a field (code and type are fixed once created)."""

    code = StringField(_l("Code"), validators=[Optional(), Length(max=40)], description=_l("e.g. phone_referrals"))
    label_es = StringField(_l("Label (Spanish)"), validators=[DataRequired(), Length(max=200)])
    label_en = StringField(_l("Label (English)"), validators=[DataRequired(), Length(max=200)])
    label_fr = StringField(_l("Label (French)"), validators=[DataRequired(), Length(max=200)])
    field_type = SelectField(_l("Type"), choices=TYPE_CHOICES)
    choices_text = TextAreaField(_l("Options (choice fields: one per line)"), validators=[Optional(), Length(max=5000)])
    position = IntegerField(_l("Order"), default=0, validators=[Optional(), NumberRange(min=0, max=10000)])
    active = BooleanField(_l("Active (shown in forms, pages and filters)"), default=True)


def _form_field(field, lang: str):
    label = field.label(lang)
    if field.field_type == FieldType.YES_NO:
        choices = [SelectChoice("", "—"), SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]
        return SelectField(label, choices=choices, default="")
    if field.field_type == FieldType.CHOICE:
        choices = [SelectChoice("", "—")] + [SelectChoice(option) for option in field.choices]
        return SelectField(label, choices=choices, default="")
    if field.field_type == FieldType.DATE:
        return DateField(label, validators=[Optional()])
    return StringField(label, validators=[Optional(), Length(max=MAX_TEXT)])


def extra_fields_form_class(base: type = FlaskForm, lang: str = "en") -> type:
    """A subclass of `base` with one field "extra_<code>" per active extra field (labels in `lang`)."""
    attributes = {f"{PREFIX}{field.code}": _form_field(field, lang) for field in definitions()}
    return type(f"{base.__name__}WithExtraFields", (base,), attributes)


def form_data_of(org) -> dict:
    """The organisation's values as form data for extra_fields_form_class forms."""
    from datetime import date

    data = {}
    stored = values_of(org) if org is not None else {}
    for field in definitions():
        value = stored.get(field.code, "")
        if field.field_type == FieldType.DATE and value:
            value = date.fromisoformat(value)
        data[f"{PREFIX}{field.code}"] = value or (None if field.field_type == FieldType.DATE else "")
    return data


def extra_form_fields(form) -> list:
    """The extra fields of a form, in display order, for rendering."""
    return [form[name] for name in (f"{PREFIX}{field.code}" for field in definitions()) if name in form]


def values_from_form(form) -> dict:
    """{code: value} for organisations.services.set_extra_values from a submitted form."""
    return {name[len(PREFIX) :]: form[name].data for name in form._fields if name.startswith(PREFIX)}
