"""Saving an edit form (or the coverage form) over a newer version of the entry: nothing a person
entered is lost, and nothing another person saved meanwhile is undone.

The form carries the version it was opened on. When the entry changed since, the form's data (read on
top of that version's snapshot: editing.opened_snapshot) is merged three ways
(organisations.entry_merge) with that version as base and the entry as published now: what only the
other person changed stays as it is now, what only this person changed is applied, and only a field
both changed, to different values, is a conflict.

- No conflict: saved at once (published, or a proposal for a country contact), and a message says
  whose changes were kept.
- Conflicts: a page (templates/edit/conflict.html, 409) names each field in words, with the value
  published now (who changed it, when, from the history) and this person's value, nothing chosen
  beforehand; the other changes travel along and are applied too. Saving it without a choice for
  every conflict is refused (400, nothing written); saving it after the entry changed yet again shows
  the page again on the new version (409), the choices made kept.

Route (blueprint "organisations"):
    POST /organisations/<uuid>/edit/merge      organisations.merge_edit   (from the conflict page)
"""

from __future__ import annotations

import json
from typing import Any

from flask import abort, flash, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.organisations.edit_forms import ActionForm
from directory_app.organisations.editing import (
    VersionConflict,
    acting_user,
    change_workflow,
    editable_organisation,
    finish,
    opened_snapshot,
)
from directory_app.organisations.entry_conflicts import (
    applied_labels,
    conflict_rows,
    joined,
    taken,
    unchosen,
)
from directory_app.organisations.entry_diff import has_snapshot_shape
from directory_app.organisations.entry_labels import field_label
from directory_app.organisations.entry_merge import MergeResult, three_way_merge
from directory_app.organisations.entry_of import snapshot_of
from directory_app.organisations.views import bp

MAX_MERGE_JSON = 2_000_000
MAX_COMMENT = 2_000


class _Stale:
    """One save over a newer version: the person's data, the version their form was opened on and
    that version's snapshot (None when the history does not know it: every difference is then a
    conflict), and the entry as published now."""

    def __init__(self, organisation_uuid: str, yours: dict[str, Any], base_version: int | None, comment: str):
        self.organisation_uuid = organisation_uuid
        self.organisation = organisation = editable_organisation(organisation_uuid)
        self.yours = yours
        self.base_version = base_version
        self.comment = comment
        self.published = snapshot_of(organisation)
        self.base = opened_snapshot(organisation, base_version, self.published)

    def merge(self, chosen: dict[str, str] | None = None) -> MergeResult:
        return three_way_merge(self.base, self.published, self.yours, taken(chosen))

    def others_kept(self) -> list[str]:
        """What only others changed since the form was opened (kept as it is now), in words: the
        same merge with the two sides swapped."""
        if self.base is None:
            return []
        return applied_labels(three_way_merge(self.base, self.yours, self.published))

    def page(self, merge: MergeResult, chosen: dict[str, str] | None, status: int):
        """The conflicts to decide, none chosen beforehand (but `chosen` when the page comes back)."""
        org = self.organisation
        revisions = [] if self.base_version is None else change_workflow().changed_since(org, self.base_version)
        return (
            render_template(
                "edit/conflict.html",
                org=org,
                rows=conflict_rows(merge, self.published, self.yours, revisions, chosen),
                applied=applied_labels(merge),
                kept=self.others_kept(),
                yours_json=json.dumps(self.yours, ensure_ascii=False),
                version=org.version,
                base_version="" if self.base_version is None else self.base_version,
                comment=self.comment,
                form=ActionForm(formdata=None),
            ),
            status,
        )

    def save(self, merge: MergeResult, notes: list[str], chosen: dict[str, str] | None = None):
        """Save the merged entry through the workflow, on the version published now; None when the
        entry changed yet again meanwhile. ValidationError (rolled back) for the caller to show."""
        org = self.organisation
        kept = self.others_kept()
        if kept:
            notes = [
                *notes,
                _(
                    "Someone else changed this entry since you opened it: their changes to %(fields)s were kept.",
                    fields=joined(kept),
                ),
            ]
        published = [field_label(c.path) for c in merge.conflicts if (chosen or {}).get(c.key) == "published"]
        if published:
            notes.append(_("Kept as published, as you chose: %(fields)s.", fields=joined(dict.fromkeys(published))))
        try:
            outcome = change_workflow().submit_change(
                acting_user(), org, merge.snapshot, base_version=org.version, comment=self.comment
            )
        except VersionConflict:
            db.session.rollback()
            return None
        except ValidationError:
            db.session.rollback()
            raise
        return finish(outcome, notes)


def save_over_newer(organisation_uuid: str, yours: dict[str, Any], base_version: int | None, comment: str, notes=()):
    """After a VersionConflict (the session rolled back): merge `yours`, made on `base_version`, with
    the entry as it is now; save it when nothing conflicts, else the page to decide the conflicts.
    ValidationError (rolled back) when the merged entry cannot be saved: the form shows it, and
    saving it again merges again."""
    for _attempt in range(3):  # another save between reading and writing: merge again on it
        stale = _Stale(organisation_uuid, yours, base_version, comment)
        merge = stale.merge()
        if merge.conflicts:
            return stale.page(merge, None, 409)
        response = stale.save(merge, list(notes))
        if response is not None:
            return response
    abort(409)


def _base_version() -> int | None:
    raw = request.form.get("base_version", "")
    if raw == "":
        return None
    try:
        version = int(raw)
    except ValueError:
        abort(400)
    if version < 0:
        abort(400)
    return version


@bp.post("/organisations/<organisation_uuid>/edit/merge")
@login_required
def merge_edit(organisation_uuid: str):
    """The conflict page's decisions: one "choice-<conflict key>" ("published" or "proposed") per
    field both changed; `version` is the one the page was shown on, `base_version` the one the form
    was opened on."""
    editable_organisation(organisation_uuid)
    form = ActionForm()
    raw = request.form.get("yours", "")
    if not form.validate() or form.version.data is None or len(raw) > MAX_MERGE_JSON:
        abort(400)
    try:
        yours = json.loads(raw)
    except ValueError:
        abort(400)
    if not has_snapshot_shape(yours):
        abort(400)
    chosen = {name[len("choice-") :]: value for name, value in request.form.items() if name.startswith("choice-")}
    comment = (form.comment.data or "")[:MAX_COMMENT]
    stale = _Stale(organisation_uuid, yours, _base_version(), comment)
    if form.version.data != stale.organisation.version:
        flash(_("The entry changed again while you were choosing. Look at the fields changed on both sides again."))
        return stale.page(stale.merge(), chosen, 409)
    merge = stale.merge(chosen)
    missing = unchosen(merge, chosen)
    if missing:
        flash(
            _(
                "Nothing was saved. Choose, for each field changed on both sides, which value to keep: %(fields)s",
                fields=joined(dict.fromkeys(field_label(c.path) for c in missing)),
            )
        )
        return stale.page(merge, chosen, 400)
    try:
        response = stale.save(merge, [], chosen)
    except ValidationError as exc:
        stale = _Stale(organisation_uuid, yours, stale.base_version, comment)
        flash(_("The merged version could not be saved: %(problem)s", problem=str(exc)))
        return stale.page(stale.merge(chosen), chosen, 400)
    if response is None:  # changed between the check and the write
        stale = _Stale(organisation_uuid, yours, stale.base_version, comment)
        flash(_("The entry changed again while you were choosing. Look at the fields changed on both sides again."))
        return stale.page(stale.merge(), chosen, 409)
    return response
