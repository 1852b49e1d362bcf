"""consular_network: the consulates' sources and status; service windows, networks and former codes

Revision ID: 0011_consular_network
Revises: 0010_hsds_term_mapping
Create Date: 2026-12-06 08:00:00

Every consulate row names its source (URL or document), the date the source states and how its point
was placed; `status` says whether the office is open (only open offices get a default district).
consular_window: service windows attached to a consulate (Mexico's Ventanillas de Salud, El Salvador's
suspended ventanillas consulares), with no district of their own. consular_network(+_member): networks of
existing consulates (TRICAMEX), not offices. former_consulate_code: codes an office had before it was
corrected (HN-US-DENVER -> HN-US-AURORA), so that old links still find it.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_consular_network"
down_revision = "0010_hsds_term_mapping"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "consular_network",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_es", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consular_network")),
        sa.UniqueConstraint("code", name=op.f("uq_consular_network_code")),
    )
    op.create_table(
        "consular_network_member",
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("consulate_id", sa.Integer(), nullable=False),
        sa.Column("chapter", sa.String(length=120), nullable=False),
        sa.Column("since", sa.String(length=10), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_date", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consulate_id"],
            ["consulate.id"],
            name=op.f("fk_consular_network_member_consulate_id_consulate"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["consular_network.id"],
            name=op.f("fk_consular_network_member_network_id_consular_network"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("network_id", "consulate_id", name=op.f("pk_consular_network_member")),
    )
    with op.batch_alter_table("consular_network_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consular_network_member_consulate_id"), ["consulate_id"], unique=False)

    op.create_table(
        "consular_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=70), nullable=False),
        sa.Column("consulate_id", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(length=40), nullable=False),
        sa.Column(
            "status", sa.Enum("active", "suspended", name="windowstatus", native_enum=False, length=20), nullable=False
        ),
        sa.Column("name_es", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("since", sa.String(length=10), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_date", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consulate_id"],
            ["consulate.id"],
            name=op.f("fk_consular_window_consulate_id_consulate"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consular_window")),
        sa.UniqueConstraint("code", name=op.f("uq_consular_window_code")),
    )
    with op.batch_alter_table("consular_window", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consular_window_consulate_id"), ["consulate_id"], unique=False)

    op.create_table(
        "former_consulate_code",
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("consulate_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consulate_id"],
            ["consulate.id"],
            name=op.f("fk_former_consulate_code_consulate_id_consulate"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_former_consulate_code")),
    )
    with op.batch_alter_table("former_consulate_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_former_consulate_code_consulate_id"), ["consulate_id"], unique=False)

    with op.batch_alter_table("consulate", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sa.Enum("open", "announced", "suspended", name="consulatestatus", native_enum=False, length=20),
                server_default="open",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("source", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("source_date", sa.String(length=10), server_default="", nullable=False))
        batch_op.add_column(sa.Column("position_source", sa.String(length=200), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("consulate", schema=None) as batch_op:
        batch_op.drop_column("position_source")
        batch_op.drop_column("source_date")
        batch_op.drop_column("source")
        batch_op.drop_column("status")

    with op.batch_alter_table("former_consulate_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_former_consulate_code_consulate_id"))

    op.drop_table("former_consulate_code")
    with op.batch_alter_table("consular_window", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consular_window_consulate_id"))

    op.drop_table("consular_window")
    with op.batch_alter_table("consular_network_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consular_network_member_consulate_id"))

    op.drop_table("consular_network_member")
    op.drop_table("consular_network")
