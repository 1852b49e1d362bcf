"""Watches on districts and organisations, freshness reminder schedule (issue 20)

Revision ID: 0018_watch
Revises: 0017_outbox
Create Date: 2026-12-06 13:30:00
"""

revision = "0018_watch"
down_revision = "0017_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
