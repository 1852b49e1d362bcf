"""The TS pages defining additional-information fields (TS administrators only).

- `GET /admin/extra-fields` (extra_fields.index), `GET/POST /admin/extra-fields/new` (extra_fields.create),
  `GET/POST /admin/extra-fields/<id>` (extra_fields.edit).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from directory_app.accounts.models import Role
from directory_app.accounts.permissions import require_role
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.extra_fields.forms import ExtraFieldForm
from directory_app.extra_fields.models import ExtraField
from directory_app.extra_fields.services import define_field, definitions, update_field
from directory_app.i18n import current_language

bp = Blueprint("extra_fields", __name__, url_prefix="/admin/extra-fields")
_FORM_KEYS = ("code", "label_es", "label_en", "label_fr", "field_type", "choices_text", "position", "active")


@bp.get("")
@require_role(Role.TS_ADMIN)
def index():
    return render_template("admin/extra_fields.html", fields=definitions(active_only=False))


def _form_page(field: ExtraField | None):
    form = ExtraFieldForm(obj=field)
    if form.validate_on_submit():
        data = {key: getattr(form, key).data for key in _FORM_KEYS}
        try:
            if field is None:
                define_field(current_user._get_current_object(), data)
            else:
                update_field(current_user._get_current_object(), field, data)
        except ValidationError as error:
            getattr(form, error.field if error.field in _FORM_KEYS else "code").errors.append(_(error.message))
        else:
            db.session.commit()
            flash(_("Saved."))
            return redirect(url_for("extra_fields.index"))
    return render_template("admin/extra_field_edit.html", form=form, field=field), 400 if form.errors else 200


@bp.route("/new", methods=["GET", "POST"])
@require_role(Role.TS_ADMIN)
def create():
    return _form_page(None)


@bp.route("/<int:field_id>", methods=["GET", "POST"])
@require_role(Role.TS_ADMIN)
def edit(field_id: int):
    field = db.session.get(ExtraField, field_id)
    if field is None:
        abort(404)
    return _form_page(field)


@bp.app_template_global("extra_values_of")
def extra_values_of(org) -> list[tuple[str, str]]:
    """(label, value) of the organisation's additional information, in the reader's language."""
    from directory_app.extra_fields.services import display_values

    return display_values(org, current_language())


@bp.app_template_global("extra_filter_options")
def extra_filter_options_global() -> list:
    """The directory's additional-information filters, labels in the reader's language."""
    from directory_app.extra_fields.filters import extra_filter_options

    return extra_filter_options(current_language())
