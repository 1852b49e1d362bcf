"""The organisation's edit form (Flask-WTF, CSRF on every one). Each form carries the version it was
opened on; the organisation and its country are never read from the form but from the URL and the
database. Labels and length limits are those of the entry's definition (organisations.entry_data)
where the form asks the same thing; the form words its own where it says more ("Site name").

`form_to_data(form, base)` turns the submitted form into the entry's data (a snapshot), starting
from `base` (the current snapshot) so that what the form does not show (coverage, last_verified,
status, external id) stays as it is."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from directory_app import vocabulary
from directory_app.extra_fields.forms import PREFIX as EXTRA_PREFIX
from directory_app.extra_fields.forms import extra_fields_form_class, values_from_form
from directory_app.extra_fields.models import FieldType
from directory_app.extra_fields.services import definitions
from directory_app.organisations.contact_links import PHONE_TYPE_LABELS
from directory_app.organisations.display import category_label, kind_label, population_label, reader_language
from directory_app.organisations.entry_checks import ENTRY_LANGUAGES, SERVICE_TEXTS
from directory_app.organisations.entry_data import TEXT_FIELDS, ContactData, PhoneData, ServiceData, SiteData, spec
from directory_app.organisations.language_names import code_for, named_codes
from directory_app.organisations.models import PhoneType

EXTRA_ROWS = 1
_EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("This is not an email address."))
_WEB = Regexp(
    r"^https?://[^\s/$.?#][^\s]*$", flags=2, message=_l("A website must be an http:// or https:// address.")
)  # blank rows offered after the existing ones, for adding


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _label(item: type, key: str):
    return item.spec(key).label


def _length(item: type | None, key: str) -> Length:
    limits = item.spec(key) if item is not None else spec(key)
    return Length(max=limits.max_length)


class ServiceForm(Form):
    remove = BooleanField(_l("Remove this service"))
    category = SelectField(_label(ServiceData, "category"), validators=[Optional()])
    name = StringField(_label(ServiceData, "name"), validators=[_length(ServiceData, "name")])
    description = TextAreaField(_label(ServiceData, "description"), validators=[_length(ServiceData, "description")])
    eligibility = TextAreaField(_label(ServiceData, "eligibility"), validators=[_length(ServiceData, "eligibility")])
    fees = StringField(_label(ServiceData, "fees"), validators=[_length(ServiceData, "fees")])
    schedule = StringField(_label(ServiceData, "schedule"), validators=[_length(ServiceData, "schedule")])
    populations = MultiCheckboxField(_l("For"), validate_choice=True)
    languages = StringField(
        _l("Languages (names or ISO 639 codes, separated by commas: español, K'iche', mam)"),
        validators=[Length(max=400)],
        render_kw={
            "data-language-picker": "language-options",
            "data-suggestions-label": _l("Suggested languages"),
            "autocomplete": "off",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        categories = [SelectChoice(t.code, category_label(t.code)) for t in vocabulary.SERVICE_CATEGORIES]
        self.category.choices = [SelectChoice("", "—"), *categories]
        self.populations.choices = [SelectChoice(t.code, population_label(t.code)) for t in vocabulary.POPULATIONS]


_TEXT_LABELS = TEXT_FIELDS


def _language_label(field: str, language: str) -> str:
    return _("%(field)s (%(language)s)", field=_TEXT_LABELS[field], language=language)


def _add_language_fields(form_class: type, fields: tuple[str, ...]) -> None:
    """`<field>_<language>` text areas: the entry's texts in the languages other than its original one
    (the template shows those; the original language is the field itself). Their labels are
    translated when shown; lazy_gettext takes no variables (tests/test_template_injection.py)."""
    for field in fields:
        for language in ENTRY_LANGUAGES:
            label = LazyString(_language_label, field, language)
            setattr(form_class, f"{field}_{language}", TextAreaField(label, validators=[Length(max=10_000)]))


_add_language_fields(ServiceForm, SERVICE_TEXTS)


class SiteForm(Form):
    remove = BooleanField(_l("Remove this site"))
    name = StringField(_l("Site name"), validators=[_length(SiteData, "name")])
    address = StringField(_label(SiteData, "address"), validators=[_length(SiteData, "address")])
    city = StringField(_label(SiteData, "city"), validators=[_length(SiteData, "city")])
    region = StringField(_label(SiteData, "region"), validators=[_length(SiteData, "region")])
    postal_code = StringField(_label(SiteData, "postal_code"), validators=[_length(SiteData, "postal_code")])
    lat = StringField(_label(SiteData, "lat"), render_kw={"inputmode": "decimal"})
    lon = StringField(_label(SiteData, "lon"), render_kw={"inputmode": "decimal"})


class ContactForm(Form):
    remove = BooleanField(_l("Remove this person"))
    name = StringField(_label(ContactData, "name"), validators=[_length(ContactData, "name")])
    title = StringField(_label(ContactData, "title"), validators=[_length(ContactData, "title")])
    department = StringField(_label(ContactData, "department"), validators=[_length(ContactData, "department")])
    email = StringField(_label(ContactData, "email"), validators=[Optional(), _EMAIL, _length(ContactData, "email")])


class PhoneForm(Form):
    remove = BooleanField(_l("Remove this phone"))
    number = StringField(_label(PhoneData, "number"), validators=[_length(PhoneData, "number")])
    type = SelectField(
        _label(PhoneData, "type"),
        choices=[SelectChoice(t.value, PHONE_TYPE_LABELS.get(t.value, t.value)) for t in PhoneType],
    )
    extension = StringField(_label(PhoneData, "extension"), validators=[_length(PhoneData, "extension")])
    description = StringField(_label(PhoneData, "description"), validators=[_length(PhoneData, "description")])
    contact = SelectField(_label(PhoneData, "contact"), choices=[SelectChoice("")], validate_choice=False)


class EditForm(FlaskForm):
    """The organisation with its services, sites, contacts and phones."""

    version = IntegerField(widget=widgets.HiddenInput(), validators=[InputRequired()])
    name = StringField(spec("name").label, validators=[DataRequired(), _length(None, "name")])
    alternate_name = StringField(spec("alternate_name").label, validators=[_length(None, "alternate_name")])
    kind = SelectField(spec("kind").label, validators=[DataRequired()])
    description = TextAreaField(spec("description").label, validators=[_length(None, "description")])
    website = StringField(spec("website").label, validators=[Optional(), _WEB, _length(None, "website")])
    email = StringField(spec("email").label, validators=[Optional(), _EMAIL, _length(None, "email")])
    hide_exact_location = BooleanField(spec("hide_exact_location").label)
    services = FieldList(FormField(ServiceForm))
    locations = FieldList(FormField(SiteForm))
    contacts = FieldList(FormField(ContactForm))
    phones = FieldList(FormField(PhoneForm))
    comment = TextAreaField(
        _l("What changed, and why (for the reviewer and the history)"), validators=[Length(max=2_000)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(t.code, kind_label(t.code)) for t in vocabulary.ORGANISATION_KINDS]
        for row in self.phones:
            row.form.contact.choices = [SelectChoice("", _l("the organisation"))] + [
                SelectChoice(str(i), c.data.get("name") or f"#{i + 1}") for i, c in enumerate(self.contacts)
            ]


_add_language_fields(EditForm, ("description",))


class CreateForm(EditForm):
    """A new organisation: the TS chooses the country; a contact's is their own (set by the server)."""

    version = IntegerField(widget=widgets.HiddenInput(), validators=[Optional()])
    country_code = SelectField(spec("country_code").label, validators=[Optional()], validate_choice=False)


class ActionForm(FlaskForm):
    """A one-button action on an organisation (still correct, archive, restore): CSRF, the version
    it was opened on and a comment."""

    version = IntegerField(validators=[Optional(), NumberRange(min=0)], widget=widgets.HiddenInput())
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2_000)])


def form_rows(snapshot: dict[str, Any]) -> dict[str, list[dict]]:
    """The FieldList rows of a snapshot (existing rows, then EXTRA_ROWS blank ones)."""
    services = [
        dict(s, languages=named_codes(s.get("languages") or [], reader_language()))
        | _language_texts(s.get("translations"), SERVICE_TEXTS)
        for s in snapshot.get("services") or []
    ]
    locations = [
        dict(loc, lat=str(loc.get("lat", "")), lon=str(loc.get("lon", ""))) for loc in snapshot.get("locations") or []
    ]
    phones = [
        dict(p, contact="" if p.get("contact") is None else str(p["contact"])) for p in snapshot.get("phones") or []
    ]
    rows = {
        "services": services,
        "locations": locations,
        "contacts": list(snapshot.get("contacts") or []),
        "phones": phones,
    }
    return {key: value + [{}] * EXTRA_ROWS for key, value in rows.items()}


def typed_languages(text: str | None) -> list[str]:
    """The codes of the languages typed (names or codes, separated by commas), sorted; what is not a
    language stays as typed, for entry_checks to refuse with the field's name."""
    typed = [t.strip() for t in (text or "").split(",") if t.strip()]
    return sorted(dict.fromkeys(code_for(t) or t for t in typed))


def _language_texts(translations: dict | None, fields: tuple[str, ...]) -> dict[str, str]:
    """{"description_fr": "..."} from a snapshot's {field: {language: text}}."""
    translations = translations or {}
    return {f"{f}_{lang}": (translations.get(f) or {}).get(lang, "") for f in fields for lang in ENTRY_LANGUAGES}


def form_values(snapshot: dict[str, Any], version: int | None) -> dict[str, Any]:
    """What the edit form shows for a snapshot."""
    return {
        **snapshot,
        **form_rows(snapshot),
        **_language_texts(snapshot.get("translations"), ("description",)),
        **_extra_values(snapshot.get("extra")),
    } | {"version": version}


def with_extra_fields(base: type) -> type:
    """`base` (EditForm, CreateForm) with one input "extra_<code>" per active additional field,
    labelled in the reader's language (extra_fields.forms)."""
    return extra_fields_form_class(base, reader_language())


def _extra_values(extra: dict | None) -> dict[str, Any]:
    """{"extra_<code>": form value} of a snapshot's additional information (dates as dates)."""
    values: dict[str, Any] = {}
    extra = extra if isinstance(extra, dict) else {}
    for field in definitions():
        value = str(extra.get(field.code) or "")
        if field.field_type == FieldType.DATE:
            try:
                value = date.fromisoformat(value) if value else None
            except ValueError:
                value = None
        values[f"{EXTRA_PREFIX}{field.code}"] = value
    return values


def _extra_from_form(form) -> dict[str, str]:
    """{code: text} of the form's additional-information inputs ("" for no value)."""
    extra = {}
    for name, value in values_from_form(form).items():
        if isinstance(value, date):
            value = value.isoformat()
        extra[name] = "" if value is None else str(value).strip()
    return extra


def _texts_of(row: dict, fields: tuple[str, ...], original: str) -> dict[str, dict[str, str]]:
    texts: dict[str, dict[str, str]] = {}
    for field in fields:
        for language in ENTRY_LANGUAGES:
            text = (row.get(f"{field}_{language}") or "").strip()
            if language != original and text:
                texts.setdefault(field, {})[language] = text
    return texts


def _blank(row: dict, keys: tuple[str, ...]) -> bool:
    return not any(str(row.get(k) or "").strip() for k in keys)


def _float(value: str) -> float | str:
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        return str(value)  # the service names the field in its message


def form_to_data(form: EditForm, base: dict[str, Any]) -> dict[str, Any]:
    """The snapshot the form describes, on top of `base`. Rows marked "remove" and blank rows drop out;
    the rows showing the base's items keep their ids."""
    data = dict(base)
    extra = _extra_from_form(form)
    if extra:
        data["extra"] = {**(base.get("extra") or {}), **extra}
    for key in ("name", "alternate_name", "kind", "description", "website", "email", "hide_exact_location"):
        data[key] = getattr(form, key).data
    original = str(base.get("original_language") or "es")
    data["translations"] = _texts_of(
        {k: getattr(form, k).data for k in form.data if k.startswith("description_")}, ("description",), original
    )
    data["services"] = [
        _with_id(base, "services", i)
        | {
            "translations": _texts_of(row, SERVICE_TEXTS, original),
            "category": row["category"],
            "name": row["name"],
            "description": row["description"],
            "eligibility": row["eligibility"],
            "fees": row["fees"],
            "schedule": row["schedule"],
            "populations": sorted(row["populations"] or []),
            "languages": typed_languages(row["languages"]),
        }
        for i, row in enumerate(form.services.data)
        if not row["remove"] and not _blank(row, ("category", "name", "description"))
    ]
    sites = base.get("locations") or []  # a site keeps its country (a border site may lie in a neighbour)
    data["locations"] = [
        _with_id(base, "locations", i)
        | {k: row[k] for k in ("name", "address", "city", "region", "postal_code")}
        | {"lat": _float(row["lat"]), "lon": _float(row["lon"])}
        | ({"country_code": sites[i]["country_code"]} if i < len(sites) and sites[i].get("country_code") else {})
        for i, row in enumerate(form.locations.data)
        if not row["remove"] and not _blank(row, ("name", "address", "city", "lat", "lon"))
    ]
    kept = [i for i, row in enumerate(form.contacts.data) if not row["remove"] and not _blank(row, ("name", "email"))]
    data["contacts"] = [
        _with_id(base, "contacts", i) | {k: form.contacts.data[i][k] for k in ("name", "title", "department", "email")}
        for i in kept
    ]
    data["phones"] = [
        _with_id(base, "phones", i)
        | {k: row[k] for k in ("number", "type", "extension", "description")}
        | {"contact": _contact_index(row["contact"], kept)}
        for i, row in enumerate(form.phones.data)
        if not row["remove"] and not _blank(row, ("number",))
    ]
    return data


def _with_id(base: dict[str, Any], name: str, index: int) -> dict[str, str]:
    """{"id": ...} of the base's item the form's row `index` shows (the form lists the base's items
    in order, then blank rows for new ones), so that the saved item stays the same item."""
    items = base.get(name) or []
    item_id = items[index].get("id") if index < len(items) and isinstance(items[index], dict) else None
    return {"id": item_id} if item_id else {}


def _contact_index(value: str, kept: list[int]) -> int | None:
    """The phone's contact, renumbered after removed contacts (None: the organisation's own line)."""
    try:
        return kept.index(int(value))
    except (TypeError, ValueError):
        return None
