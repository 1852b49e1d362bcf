"""Indexes for a district page: each organisation's last change, and the units' names, by id

Revision ID: 0023_district_page_indexes
Revises: 0022_hidden_organisations_index
Create Date: 2026-12-07 05:10:00

The page cache keys a district page by the newest change among the organisations serving the district
(main.pagecache.district_version): the district's coverage rows joined to their organisations' updated_at.
Each organisation was read from its table row (SQLite: the wide row; PostgreSQL: a probe of the heap, or a
sequential scan of the whole table for the larger districts). With (id, updated_at) in an index, both read
the index alone. At 10,000 organisations: Houston's 519 rows 2.7 -> 0.7 ms on PostgreSQL and 0.52 -> 0.13
ms on SQLite; a district of 657 rows 7.6 -> 1.1 ms on PostgreSQL (it had chosen a sequential scan).

A district page names the district's units (referrals.district_page.district_units): PostgreSQL read the
whole admin_unit table, wide with its boundaries, for a hash join (Houston's 127 units: 2.4 ms); with their
names in an index it probes the index alone (0.36 ms). SQLite already probes its rows by id and gets the
same index (the schema is the same on both).

Nothing to fill: indexes only.
"""

from alembic import op

revision = "0023_district_page_indexes"
down_revision = "0022_hidden_organisations_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_organisation_changed", "organisation", ["id", "updated_at"])
    op.create_index("ix_admin_unit_names", "admin_unit", ["id", "code", "name_local", "name_es", "name_en"])


def downgrade() -> None:
    op.drop_index("ix_admin_unit_names", table_name="admin_unit")
    op.drop_index("ix_organisation_changed", table_name="organisation")
