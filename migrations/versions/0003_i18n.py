"""multilingual entries: the original language of an organisation, translations of its texts

Revision ID: 0003_i18n
Revises: 0002
Create Date: 2026-11-29 09:40:00

Existing organisations were written in Spanish (server default "es"). No search text changes: no
translation exists yet.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_i18n"
down_revision = "0002"
branch_labels = None
depends_on = None


def _translation_table(name: str, owner: str) -> None:
    op.create_table(
        name,
        sa.Column(f"{owner}_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=3), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint([f"{owner}_id"], [f"{owner}.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(f"{owner}_id", "field", "language"),
    )


def upgrade():
    op.add_column(
        "organisation", sa.Column("original_language", sa.String(length=3), server_default="es", nullable=False)
    )
    _translation_table("organisation_translation", "organisation")
    _translation_table("service_translation", "service")


def downgrade():
    op.drop_table("service_translation")
    op.drop_table("organisation_translation")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("original_language")
