"""The HSDS choices of the import preview: save them (term mappings remembered, the file's own choices in
its note) and show the preview again (transfer.hsds_preview says what the preview shows).

The preview of an HSDS file (JSON or CSV package) lists the terms of other taxonomies its services use
(taxonomy, code, name, how many services), each with a choice: one of our service categories, or keep
it as text in the organisation's additional information. The choices are remembered for the next file
(transfer.hsds_taxonomy_map). Two choices hold for this file only: the category of services that have
none of ours (else they are left out) and, for the Technical Secretariat, the member country of entries
whose addresses name none (a country contact's entries are in their own country). The preview then
lists, per record, what is kept elsewhere and what is not kept (transfer.hsds_notes).
"""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from directory_app import vocabulary
from directory_app.accounts.models import Role
from directory_app.accounts.permissions import may_publish, require_role
from directory_app.extensions import db
from directory_app.geography.models import Country
from directory_app.transfer import storage
from directory_app.transfer.hsds import FORMATS
from directory_app.transfer.hsds_taxonomy_map import remember
from directory_app.transfer.views import _load, bp


@bp.post("/import/<token>/hsds")
@require_role(Role.TS_ADMIN, Role.COUNTRY_CONTACT)
def hsds_choices(token: str):
    """Save the preview's choices: term mappings (remembered), category and country for this file."""
    folder, note, table = _load(token)
    if note.get("format") not in FORMATS or table.hsds is None:
        abort(404)
    codes = vocabulary.SERVICE_CODES
    choices = []
    for number, foreign in enumerate(table.hsds.terms):
        chosen = request.form.get(f"term-{number}")
        if chosen is None:
            continue
        if chosen and chosen not in codes:
            abort(400, _("'%(code)s' is not a service category.", code=chosen[:40]))
        choices.append((foreign.term, chosen or None))
    options = dict(note.get("hsds") or {})
    category = request.form.get("category", options.get("category", ""))
    if category and category not in codes:
        abort(400, _("'%(code)s' is not a service category.", code=category[:40]))
    options["category"] = category
    if may_publish(current_user) and "country" in request.form:
        country = request.form["country"].upper()
        if country and db.session.get(Country, country) is None:
            abort(400, _("'%(code)s' is not a member country", code=country[:10]))
        options["country"] = country
    remember(choices, current_user)
    db.session.commit()
    note["hsds"] = options
    storage.write_note(folder, note)
    return redirect(url_for("transfer.preview", token=token))
