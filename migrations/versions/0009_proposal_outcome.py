"""change_proposal: what an approval kept as published, and when the author amended the proposal

Revision ID: 0009_proposal_outcome
Revises: 0008_two_factor
Create Date: 2026-12-06 05:40:00

A proposal made on an older version is merged three ways at review (review.merge): the fields the
reviewer kept as published are listed in kept_published (status "approved_in_part"; the status
column is a VARCHAR(20), so the new value needs no change of it). amended_at: its author replaced
its snapshot while it was waiting.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_proposal_outcome"
down_revision = "0008_two_factor"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("change_proposal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kept_published", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("amended_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("change_proposal", schema=None) as batch_op:
        batch_op.drop_column("amended_at")
        batch_op.drop_column("kept_published")
