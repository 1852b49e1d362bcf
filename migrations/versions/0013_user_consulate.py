"""user_consulate: a consular user's own consulate, set by the Technical Secretariat

Revision ID: 0013_user_consulate
Revises: 0012_us_counties_2023
Create Date: 2026-12-07 14:00:00

A consular user may have a consulate of their own (user_account.consulate_id, nullable): after signing
in they land on its district page, and the header links to it ("My consulate"). A consulate that goes
leaves its users without one (ON DELETE SET NULL).

SQLite rebuilds user_account for the foreign key (batch mode); migrations/env.py turns foreign key
enforcement off around every migration so that the rebuild cascades into no referring table.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_user_consulate"
down_revision = "0012_us_counties_2023"
branch_labels = None
depends_on = None

CONSTRAINT = "fk_user_account_consulate_id_consulate"


def upgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.add_column(sa.Column("consulate_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(CONSTRAINT, "consulate", ["consulate_id"], ["id"], ondelete="SET NULL")


def downgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_constraint(CONSTRAINT, type_="foreignkey")
        batch_op.drop_column("consulate_id")
