"""Snapshots (an organisation's data as stored JSON) are defined by organisations.entry_data, built by
organisations.entry_of and compared by organisations.entry_diff. The names here stay for the callers
that still import them from review (transfer.importer); new code imports them from organisations."""

from __future__ import annotations

from directory_app.organisations.entry_data import EXTRA, FIELDS, ITEM_ID, LIST_FIELDS, SCALAR_FIELDS
from directory_app.organisations.entry_diff import (
    changed_groups,
    diff_by_group,
    diff_snapshots,
    flatten,
    group_of,
    has_snapshot_shape,
    merge_snapshots,
)
from directory_app.organisations.entry_of import snapshot_of

__all__ = [
    "EXTRA",
    "FIELDS",
    "ITEM_ID",
    "LIST_FIELDS",
    "SCALAR_FIELDS",
    "changed_groups",
    "diff_by_group",
    "diff_snapshots",
    "flatten",
    "group_of",
    "has_snapshot_shape",
    "merge_snapshots",
    "snapshot_of",
]
