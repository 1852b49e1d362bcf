"""indexes on updated_at for the page cache's directory version; joins the three 0003 branches

Revision ID: 0004_version_indexes
Revises: 0003_accounts, 0003_i18n, 0003_review
Create Date: 2026-12-04 20:30:00

The public page cache reads max(updated_at) of organisations and districts; with these indexes that
is one index lookup instead of a scan of every row.
"""

from alembic import op

revision = "0004_version_indexes"
down_revision = ("0003_accounts", "0003_i18n", "0003_review")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_organisation_updated_at", "organisation", ["updated_at"])
    op.create_index("ix_consular_district_updated_at", "consular_district", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_consular_district_updated_at", table_name="consular_district")
    op.drop_index("ix_organisation_updated_at", table_name="organisation")
