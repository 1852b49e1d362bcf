"""`GET /admin/audit` (audit.index): the audit log for the Technical Secretariat, newest first,
filtered by kind (?kind=) and user email (?user=), paged (?page=). Bad parameters: 400 with the form
saying what is wrong. (The audit package itself knows no account: this page, which needs the TS's
permission, lives with accounts.)"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from directory_app.accounts.models import Role
from directory_app.accounts.permissions import require_role
from directory_app.audit.queries import find_events, known_kinds

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    kind = SelectField(_l("Kind"), choices=[], validators=[Optional()])
    user = StringField(_l("User email contains"), validators=[Optional(), Length(max=254)])
    page = IntegerField(_l("Page"), validators=[Optional(), NumberRange(min=1, max=1_000_000)])


@bp.get("")
@require_role(Role.TS_ADMIN)
def index():
    form = AuditFilterForm(formdata=request.args)
    form.kind.choices = [("", "—")] + [(kind, kind) for kind in known_kinds()]
    if not form.validate():
        return render_template("admin/audit.html", form=form, result=None), 400
    result = find_events(form.kind.data or "", form.user.data or "", form.page.data or 1)
    return render_template("admin/audit.html", form=form, result=result)
