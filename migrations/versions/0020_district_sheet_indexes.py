"""Covering indexes for a district page's two widest reads: the serving organisations' active services
and their sites

Revision ID: 0020_district_sheet_indexes
Revises: 0019_location_status
Create Date: 2026-12-06 23:00:00

A district page (referrals.district_referrals) reads, for every organisation serving the district, the
categories of its active services and the positions of its sites (Houston at 10,000 organisations: 1,124
services and 546 sites of 452 organisations). Through ix_service_organisation_id and
ix_location_organisation_id each row cost a lookup in the wide table; these indexes hold every column
those reads need, so they are read in the index alone (SQLite: 1.9 -> 0.5 ms and 1.1 -> 0.45 ms). The
single-column indexes stay (every other read by organisation uses them). Nothing to fill: indexes only.
"""

from alembic import op

revision = "0020_district_sheet_indexes"
down_revision = "0019_location_status"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_service_sheet", "service", ["organisation_id", "is_active", "category_code"])
    columns = ["organisation_id", "id", "lon", "lat", "public_lon", "public_lat"]
    op.create_index("ix_location_sheet", "location", columns)


def downgrade() -> None:
    op.drop_index("ix_location_sheet", table_name="location")
    op.drop_index("ix_service_sheet", table_name="service")
