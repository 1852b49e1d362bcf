"""History as HSDS 3.0 `metadata` records: one record per changed field of each revision."""

from __future__ import annotations

import uuid
from typing import Any

from directory_app.organisations.models import Organisation
from directory_app.review.models import ChangeKind, Revision

# HSDS last_action_type values: create, update, delete (archive is an update of the status).
_ACTION = {
    ChangeKind.BASELINE: "create",
    ChangeKind.CREATE: "create",
    ChangeKind.UPDATE: "update",
    ChangeKind.RESTORE: "update",
    ChangeKind.ARCHIVE: "update",
    ChangeKind.VERIFY: "update",
}
_NAMESPACE = uuid.UUID("9c4f1f7e-3b53-4c4e-9a0e-5a7c2d7b9e10")


def metadata_records(organisation: Organisation, revisions: list[Revision]) -> list[dict[str, Any]]:
    """HSDS metadata records (id, resource_id, resource_type, last_action_date, last_action_type,
    field_name, previous_value, replacement_value, updated_by) of the revisions, oldest first. A
    baseline (the state before the first recorded change) is one record with field_name "*"; a
    revision that changed nothing has none."""
    records = []
    for revision in sorted(revisions, key=lambda r: r.number):
        if not revision.changes and revision.kind is not ChangeKind.BASELINE:
            continue  # a save that changed nothing (older ones were recorded) is no action on a field
        who = revision.author.email if revision.author else "import"
        if revision.approved_by and revision.approved_by_id != revision.author_id:
            who = f"{who} (approved by {revision.approved_by.email})"
        changes = revision.changes or [{"field_name": "*", "previous_value": "", "replacement_value": ""}]
        for i, change in enumerate(changes):
            records.append(
                {
                    "id": str(uuid.uuid5(_NAMESPACE, f"{organisation.uuid}/{revision.number}/{i}")),
                    "resource_id": organisation.uuid,
                    "resource_type": "organization",
                    "last_action_date": revision.created_at.date().isoformat(),
                    "last_action_type": _ACTION[revision.kind],
                    "field_name": change["field_name"],
                    "previous_value": change["previous_value"],
                    "replacement_value": change["replacement_value"],
                    "updated_by": who,
                }
            )
    return records
