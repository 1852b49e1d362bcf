"""Additional information about organisations, defined by the Technical Secretariat.

API for other features (edit forms, organisation page, search, exports):

- `definitions(active_only=True)`: the fields, in display order.
- `values_of(org) -> {code: value}`: stored values as text ("yes"/"no", "YYYY-MM-DD", the option, text).
- `display_values(org, lang) -> [(label, shown value)]`: for pages, yes/no in the reader's language.
- `store_values(org, data, user=None) -> ([error messages], changed)`: validates every value first and
  writes nothing when one is wrong; an empty value removes the stored one; codes not in `data` are left
  alone. With `user`, checks that the user may edit the organisation (PermissionDenied). It stores the
  value rows only: the entry's new version (its updated_at) is written by organisations.services, the
  one write path of entries, whose `set_extra_values` and `save_entry` ("extra") call it. `set_values`
  is store_values without `changed`.
- `define_field(actor, data)`, `update_field(actor, field, data)`: the TS page (TS only).
- `values_for_export(organisation_ids) -> (codes, {org id: {code: value}})`: for exports, one query.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from directory_app.accounts.permissions import PermissionDenied, check_may_edit, may_publish
from directory_app.audit import record_event
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.extra_fields.models import ExtraField, ExtraFieldValue, FieldType
from directory_app.i18n import current_language, format_number

MAX_TEXT = 2000
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_YES = {"yes", "y", "true", "1", "si", "sí", "oui", "on"}
_NO = {"no", "n", "false", "0", "non", "off"}


def definitions(active_only: bool = True) -> list[ExtraField]:
    """The extra fields in display order (only active ones unless told)."""
    query = select(ExtraField).order_by(ExtraField.position, ExtraField.id)
    if active_only:
        query = query.where(ExtraField.active.is_(True))
    return list(db.session.scalars(query))


def _stored(org) -> dict[int, ExtraFieldValue]:
    rows = db.session.scalars(select(ExtraFieldValue).where(ExtraFieldValue.organisation_id == org.id))
    return {row.field_id: row for row in rows}


def values_of(org) -> dict[str, str]:
    """{field code: stored text} of the organisation's values for active fields."""
    stored = _stored(org)
    return {field.code: stored[field.id].value for field in definitions() if field.id in stored}


def display_values(org, lang: str = "en") -> list[tuple[str, str]]:
    """(label in `lang`, value as shown) of the organisation's values, in display order."""
    values = values_of(org)
    shown = []
    for field in definitions():
        if field.code in values:
            value = values[field.code]
            if field.field_type == FieldType.YES_NO:
                value = _("Yes") if value == "yes" else _("No")
            shown.append((field.label(lang), value))
    return shown


def _label(field: ExtraField) -> str:
    """The field's label in the reader's language (English outside a request)."""
    try:
        return field.label(current_language())
    except Exception:  # no locale to read (outside a request or app context)
        return field.label_en


def normalise_value(field: ExtraField, raw) -> str:
    """The text to store for `raw` (str, bool, date or None); "" for no value; ValidationError when wrong."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return ""
    if field.field_type == FieldType.YES_NO:
        if isinstance(raw, bool):
            return "yes" if raw else "no"
        word = str(raw).strip().lower()
        if word in _YES | _NO:
            return "yes" if word in _YES else "no"
        raise ValidationError(_("%(label)s: answer yes or no.", label=_label(field)), field=field.code)
    if field.field_type == FieldType.DATE:
        if isinstance(raw, date):
            return raw.isoformat()
        try:
            return date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise ValidationError(
                _("%(label)s: not a date (YYYY-MM-DD).", label=_label(field)), field=field.code
            ) from None
    text = str(raw).strip()
    if field.field_type == FieldType.CHOICE and text not in field.choices:
        raise ValidationError(_("%(label)s: choose one of the options.", label=_label(field)), field=field.code)
    if len(text) > MAX_TEXT:
        raise ValidationError(
            _("%(label)s: at most %(n)s characters.", label=_label(field), n=format_number(MAX_TEXT)), field=field.code
        )
    return text


def set_values(org, data: dict, user=None) -> list[str]:
    """Store the values in `data` ({code: raw value}); returns error messages (nothing written if any).
    The organisation's version does not move: organisations.services.set_extra_values does that."""
    return store_values(org, data, user)[0]


def store_values(org, data: dict, user=None) -> tuple[list[str], bool]:
    """Store the values in `data` ({code: raw value}): (error messages, whether a stored value changed);
    nothing is written when there is an error. The entry's new version is organisations.services'."""
    if user is not None:
        check_may_edit(user, org)
    fields = {field.code: field for field in definitions()}
    errors, clean = [], {}
    for code, raw in data.items():
        if code not in fields:
            errors.append(_("'%(code)s' is not an additional field of the directory.", code=code))
            continue
        try:
            clean[code] = normalise_value(fields[code], raw)
        except ValidationError as error:
            errors.append(error.message)
    if errors:
        return errors, False
    stored = _stored(org)
    changed = False
    for code, value in clean.items():
        field = fields[code]
        row = stored.get(field.id)
        if not value:
            if row is not None:
                db.session.delete(row)
                changed = True
        elif row is None:
            db.session.add(ExtraFieldValue(organisation_id=org.id, field_id=field.id, value=value))
            changed = True
        elif row.value != value:
            row.value = value
            changed = True
    db.session.flush()
    return [], changed


def _clean_definition(data: dict, creating: bool) -> dict:
    values = {key: (data.get(key) or "").strip() for key in ("label_es", "label_en", "label_fr", "choices_text")}
    for key in ("label_es", "label_en", "label_fr"):
        if not values[key]:
            raise ValidationError(_("Every label (es, en, fr) is required."), field=key)
    if creating:
        code = (data.get("code") or "").strip().lower()
        if not _CODE.match(code):
            raise ValidationError(
                _("The code: 2 to 40 lower-case letters, digits or _, starting with a letter."), field="code"
            )
        if db.session.scalar(select(ExtraField.id).where(ExtraField.code == code)):
            raise ValidationError(_("A field with code '%(code)s' exists already.", code=code), field="code")
        try:
            values["field_type"] = FieldType(data.get("field_type")).value
        except ValueError:
            raise ValidationError(_("Unknown field type."), field="field_type") from None
        values["code"] = code
    choices = [line.strip() for line in values["choices_text"].splitlines() if line.strip()]
    values["choices_text"] = "\n".join(dict.fromkeys(choices))
    try:
        values["position"] = max(0, int(data.get("position") or 0))
    except (TypeError, ValueError):
        raise ValidationError(_("The order must be a whole number."), field="position") from None
    values["active"] = bool(data.get("active", True))
    return values


def _check_choices(field_type: str, choices_text: str) -> None:
    if field_type == FieldType.CHOICE and len(choices_text.splitlines()) < 2:
        raise ValidationError(_("A choice field needs at least two options, one per line."), field="choices_text")


def define_field(actor, data: dict) -> ExtraField:
    """A new extra field (keys: code, label_es/en/fr, field_type, choices_text, position)."""
    if not may_publish(actor):
        raise PermissionDenied("Only the Technical Secretariat defines additional fields.")
    values = _clean_definition(data, creating=True)
    _check_choices(values["field_type"], values["choices_text"])
    field = ExtraField(**values)
    db.session.add(field)
    db.session.flush()
    record_event("extra_field_changed", user=actor, detail=f"defined {field.code} ({field.field_type})")
    return field


def update_field(actor, field: ExtraField, data: dict) -> None:
    """Change labels, options, order or active state (the code and type stay, so values keep their meaning)."""
    if not may_publish(actor):
        raise PermissionDenied("Only the Technical Secretariat defines additional fields.")
    values = _clean_definition(data, creating=False)
    _check_choices(field.field_type, values["choices_text"])
    for key, value in values.items():
        setattr(field, key, value)
    db.session.flush()
    record_event("extra_field_changed", user=actor, detail=f"changed {field.code}")


def values_for_export(organisation_ids: list[int]) -> tuple[list[str], dict[int, dict[str, str]]]:
    """For exports: the active field codes (column order) and {organisation id: {code: stored text}} of
    these organisations, read in one query."""
    fields = definitions()
    codes = {field.id: field.code for field in fields}
    values: dict[int, dict[str, str]] = {}
    if organisation_ids and codes:
        rows = db.session.execute(
            select(ExtraFieldValue.organisation_id, ExtraFieldValue.field_id, ExtraFieldValue.value).where(
                ExtraFieldValue.organisation_id.in_(organisation_ids), ExtraFieldValue.field_id.in_(codes)
            )
        )
        for org_id, field_id, value in rows:
            values.setdefault(org_id, {})[codes[field_id]] = value
    return [field.code for field in fields], values


# --- Values as plain data: review snapshots and imports -------------------------------------------
# A snapshot carries "extra": {code: stored text} for every active field ("" = no value). Applying it
# sets exactly the codes it names: an older snapshot without "extra", or without a field defined
# since, leaves those values alone; a retired field's code is skipped.


def snapshot_values(org) -> dict[str, str]:
    """{code: stored text or ""} of every active field, for review snapshots."""
    stored = values_of(org) if org is not None and org.id is not None else {}
    return {field.code: stored.get(field.code, "") for field in definitions()}


def clean_values(data, where: str = "extra_") -> dict[str, str]:
    """{code: text to store} of `data` ({code: raw}); retired fields' codes are dropped. Raises
    ValidationError naming `where` + code for an unknown code or a bad value."""
    if not isinstance(data, dict):
        raise ValidationError(_("Additional information must be {code: value}."), field=where.rstrip("_."))
    fields = {field.code: field for field in definitions(active_only=False)}
    clean = {}
    for code, raw in data.items():
        field = fields.get(code)
        if field is None:
            raise ValidationError(
                _("'%(code)s' is not an additional field of the directory.", code=str(code)[:60]),
                field=f"{where}{str(code)[:60]}",
            )
        if not field.active:
            continue
        if not isinstance(raw, (str, bool, date, type(None))):
            raise ValidationError(_("Give a text value."), field=f"{where}{code}")
        try:
            clean[code] = normalise_value(field, raw)
        except ValidationError as error:
            raise ValidationError(error.message, field=f"{where}{code}") from None
    return clean


def apply_snapshot_values(org, data) -> bool:
    """Make the snapshot's "extra" ({code: value} or None) the organisation's values; None changes
    nothing. ValidationError (naming "extra_<code>") before anything is written. True when a stored
    value changed (organisations.services.save_entry, the caller, writes the entry's new version)."""
    if data is None:
        return False
    clean = clean_values(data)
    if not clean:
        return False
    if org.id is None:
        db.session.flush()
    errors, changed = store_values(org, clean)  # writes only what differs
    if errors:  # clean_values checked every value already
        raise ValidationError("; ".join(errors), field="extra")
    return changed


def values_differ(org, data) -> bool:
    """True when applying `data` ({code: stored text}, as clean_values gives) would change the
    organisation's values (for import previews); None never differs."""
    if not data:
        return False
    current = values_of(org) if org is not None and org.id is not None else {}
    return any(current.get(code, "") != (value or "") for code, value in data.items())
