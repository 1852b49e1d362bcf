"""Saved crises (issue 19)

Revision ID: 0016_crisis
Revises: 0015_site_box_index
Create Date: 2026-12-06 13:30:00

crisis: a named affected area (WKB with its bounding box, like every stored geometry), its kind, dates,
notes, how the area was given, who saved it and when the TS archived it. The report itself is not
stored: it is computed from the stored coverage each time.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_crisis"
down_revision = "0015_site_box_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crisis",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "hurricane",
                "earthquake",
                "fire",
                "flood",
                "raid",
                "other",
                name="crisiskind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column(
            "area_source",
            sa.Enum("drawn", "upload", "units", "circle", name="areasource", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("area_description", sa.String(length=300), nullable=False),
        sa.Column("area_km2", sa.Float(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("geom_wkb", sa.LargeBinary(), nullable=True),
        sa.Column("min_lon", sa.Float(), nullable=True),
        sa.Column("min_lat", sa.Float(), nullable=True),
        sa.Column("max_lon", sa.Float(), nullable=True),
        sa.Column("max_lat", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_crisis_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crisis")),
    )
    with op.batch_alter_table("crisis", schema=None) as batch_op:
        batch_op.create_index("ix_crisis_listing", ["archived_at", "starts_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_crisis_min_lon"), ["min_lon"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("crisis", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crisis_min_lon"))
        batch_op.drop_index("ix_crisis_listing")
    op.drop_table("crisis")
