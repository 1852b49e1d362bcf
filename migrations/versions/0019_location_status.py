"""The organisation's status on each of its sites, with an index for pages of published sites

Revision ID: 0019_location_status
Revises: 0018_watch
Create Date: 2026-12-06 20:00:00

location.organisation_status is a copy of organisation.status (as district_coverage.status is),
written with the site and kept in step by organisations.sites (copy_status_to_new_sites,
copy_status_changes_to_sites), so that a page of the published sites in id order (the OGC
`organisations` items without bbox nor filter) walks the
index ix_location_status_page alone instead of joining every skipped site with its organisation: at
100,000 organisations a page at a random offset read up to 108,000 sites and their organisations. Filled
here from the organisations; sites of an unknown status would be drafts (the server default), never shown.
The grid covering indexes (ix_location_nearest, ix_location_public_nearest) end with it too, so that the
published sites in a bbox are found and counted in the index alone on SQLite (organisations.site_boxes).
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_location_status"
down_revision = "0018_watch"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "location",
        sa.Column(
            "organisation_status",
            sa.Enum("draft", "published", "archived", name="status", native_enum=False, length=20),
            nullable=False,
            server_default="draft",
        ),
    )
    op.execute(
        "UPDATE location SET organisation_status = "
        "(SELECT organisation.status FROM organisation WHERE organisation.id = location.organisation_id)"
    )
    op.create_index("ix_location_status_page", "location", ["organisation_status", "id"])
    _covering_indexes(["organisation_status"])


def downgrade() -> None:
    op.drop_index("ix_location_status_page", table_name="location")
    _covering_indexes([])
    op.drop_column("location", "organisation_status")  # SQLite >= 3.35 drops it in place, no table rebuild


def _covering_indexes(extra: list[str]) -> None:
    """The grid covering indexes (nearest searches, SQLite bboxes), with `extra` columns at the end."""
    for name, p in (("ix_location_nearest", ""), ("ix_location_public_nearest", "public_")):
        op.drop_index(name, table_name="location")
        columns = [f"{p}grid_key", f"{p}lat", f"{p}lon", f"{p}ux", f"{p}uy", f"{p}uz", "organisation_id", *extra]
        op.create_index(name, "location", columns)
