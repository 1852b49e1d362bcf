"""Contact registry pages.

- `GET /contact-points` (registry.public): per member country, the contact persons who agreed to be
  listed, with name and role only. Anyone may read it.
- `GET /admin/registry` (registry.admin_index), `GET/POST /admin/registry/new` (registry.create),
  `GET/POST /admin/registry/<id>` (registry.edit), `POST /admin/registry/<id>/delete` (registry.delete):
  the Technical Secretariat only.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from directory_app.accounts.admin_views import country_choices
from directory_app.accounts.forms import ActionForm
from directory_app.accounts.models import Role
from directory_app.accounts.permissions import require_role
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.organisations.display import reader_language
from directory_app.registry.forms import ContactPersonForm
from directory_app.registry.models import ContactPerson
from directory_app.registry.services import FIELDS, list_persons, public_contact_points, remove_person, save_person

bp = Blueprint("registry", __name__)


@bp.get("/contact-points")
def public():
    return render_template("registry/public.html", countries=public_contact_points(), lang=reader_language())


@bp.get("/admin/registry")
@require_role(Role.TS_ADMIN)
def admin_index():
    return render_template("registry/admin.html", persons=list_persons(), action_form=ActionForm())


def _person_or_404(person_id: int) -> ContactPerson:
    person = db.session.get(ContactPerson, person_id)
    if person is None:
        abort(404)
    return person


def _form_page(person: ContactPerson | None):
    form = ContactPersonForm(obj=person)
    form.country_code.choices = country_choices()
    if form.validate_on_submit():
        try:
            save_person(current_user._get_current_object(), {key: getattr(form, key).data for key in FIELDS}, person)
        except ValidationError as error:
            getattr(form, error.field or "name").errors.append(_(error.message))
        else:
            db.session.commit()
            flash(_("Saved."))
            return redirect(url_for("registry.admin_index"))
    return render_template("registry/edit.html", form=form, person=person), 400 if form.errors else 200


@bp.route("/admin/registry/new", methods=["GET", "POST"])
@require_role(Role.TS_ADMIN)
def create():
    return _form_page(None)


@bp.route("/admin/registry/<int:person_id>", methods=["GET", "POST"])
@require_role(Role.TS_ADMIN)
def edit(person_id: int):
    return _form_page(_person_or_404(person_id))


@bp.post("/admin/registry/<int:person_id>/delete")
@require_role(Role.TS_ADMIN)
def delete(person_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    remove_person(current_user._get_current_object(), _person_or_404(person_id))
    db.session.commit()
    flash(_("Removed."))
    return redirect(url_for("registry.admin_index"))
