"""user_account.language: the language of a user's last sign-in, for the emails sent to them

Revision ID: 0007_user_language
Revises: 0006_district_count
Create Date: 2026-12-06 05:00:00

The owner of an account under a password-guessing attack is emailed in their language
(accounts.signin_alerts); NULL (users who have not signed in since) means the default language.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_user_language"
down_revision = "0006_district_count"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=2), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("language")
