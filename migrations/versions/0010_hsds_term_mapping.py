"""hsds_term_mapping: how another publisher's taxonomy terms map to our service categories

Revision ID: 0010_hsds_term_mapping
Revises: 0009_proposal_outcome
Create Date: 2026-12-06 07:30:00

The HSDS import preview lists the terms of other taxonomies and lets the person importing map each
to one of our service categories or keep it as text (category_code NULL); the choice is remembered
per (taxonomy, code) for the next file (transfer.hsds_taxonomy_map).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_hsds_term_mapping"
down_revision = "0009_proposal_outcome"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "hsds_term_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("taxonomy", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("category_code", sa.String(length=40), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_code"],
            ["service_category.code"],
            name=op.f("fk_hsds_term_mapping_category_code_service_category"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_hsds_term_mapping_updated_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hsds_term_mapping")),
        sa.UniqueConstraint("taxonomy", "code", name="uq_hsds_term_mapping_taxonomy_code"),
    )


def downgrade():
    op.drop_table("hsds_term_mapping")
