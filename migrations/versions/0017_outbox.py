"""Outbox and notification settings (issue 20)

Revision ID: 0017_outbox
Revises: 0016_crisis
Create Date: 2026-12-06 13:30:00
"""

revision = "0017_outbox"
down_revision = "0016_crisis"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
