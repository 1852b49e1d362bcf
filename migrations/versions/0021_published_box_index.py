"""PostgreSQL: covering GiST indexes on the published sites' public and exact points, for /ogc boxes

Revision ID: 0021_published_box_index
Revises: 0020_district_sheet_indexes
Create Date: 2026-12-06 23:30:00

A box of /ogc's `organisations` for the public or the TS is found and counted among the published sites
(location.organisation_status, migration 0019) through the GiST indexes of migration 0015, which hold
the point alone: every site in the box then costs a read of its row, for its id and status (a 2 x 1.2
degree box around Quetzaltenango at 100,000 organisations: 12,025 sites, 3,528 table pages, 24 ms).
These partial indexes hold only the published sites and INCLUDE the id and the point's own columns (the
planner takes an index-only scan only when every column the query names is in the index), so such a box
is read from the index alone (the same box: 5 ms, 154 pages). The indexes of 0015 stay for the other
readers' boxes. Nothing to fill: indexes only.
"""

from alembic import op

revision = "0021_published_box_index"
down_revision = "0020_district_sheet_indexes"
branch_labels = None
depends_on = None

INDEXES = {"ix_location_public_point_published": "public_", "ix_location_exact_point_published": ""}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, p in INDEXES.items():
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON location USING gist (point({p}lon, {p}lat)) "
            f"INCLUDE (id, {p}lon, {p}lat) WHERE organisation_status = 'published'"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
