"""Saved crises (issue 19)

Revision ID: 0016_crisis
Revises: 0015_site_box_index
Create Date: 2026-12-06 13:30:00
"""

revision = "0016_crisis"
down_revision = "0015_site_box_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
