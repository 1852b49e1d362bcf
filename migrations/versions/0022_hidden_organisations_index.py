"""A partial index of the organisations that hide their exact location

Revision ID: 0022_hidden_organisations_index
Revises: 0021_published_box_index
Create Date: 2026-12-06 23:30:00

A district page asks which of the organisations serving the district hide their exact location
(referrals.district_referrals._hidden_from_reader). PostgreSQL answered it by probing the organisation
table once per serving organisation (Houston at 10,000 organisations: 452 probes, 1.2-2.5 ms); with this
index of the few that hide (id, country), it joins them to the district's coverage in a hash join (0.2 ms).
SQLite gets the same index. Nothing to fill: an index only.
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_hidden_organisations_index"
down_revision = "0021_published_box_index"
branch_labels = None
depends_on = None

HIDDEN = sa.text("hide_exact_location")


def upgrade() -> None:
    op.create_index(
        "ix_organisation_hidden",
        "organisation",
        ["id", "country_code"],
        postgresql_where=HIDDEN,
        sqlite_where=HIDDEN,
    )


def downgrade() -> None:
    op.drop_index("ix_organisation_hidden", table_name="organisation")
