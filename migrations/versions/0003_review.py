"""review: change proposals and revisions

Revision ID: 0003_review
Revises: 0002
Create Date: 2026-11-29 09:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_review"
down_revision = "0002"
branch_labels = None
depends_on = None

_KIND = sa.Enum(
    "baseline", "create", "update", "restore", "archive", "verify", name="changekind", native_enum=False, length=20
)


def upgrade():
    op.create_table(
        "change_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("kind", _KIND, nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "approved", "rejected", name="proposalstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"], name=op.f("fk_change_proposal_author_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["country_code"], ["country.code"], name=op.f("fk_change_proposal_country_code_country")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_change_proposal_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["user_account.id"], name=op.f("fk_change_proposal_reviewer_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_proposal")),
        sa.UniqueConstraint("uuid", name=op.f("uq_change_proposal_uuid")),
    )
    with op.batch_alter_table("change_proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_proposal_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_proposal_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index("ix_change_proposal_queue", ["status", "country_code", "created_at"], unique=False)

    op.create_table(
        "revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", _KIND, nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["user_account.id"], name=op.f("fk_revision_approved_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"], name=op.f("fk_revision_author_id_user_account")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_revision_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["change_proposal.id"], name=op.f("fk_revision_proposal_id_change_proposal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revision")),
    )
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.create_index("ix_revision_organisation_number", ["organisation_id", "number"], unique=True)


def downgrade():
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.drop_index("ix_revision_organisation_number")
    op.drop_table("revision")
    with op.batch_alter_table("change_proposal", schema=None) as batch_op:
        batch_op.drop_index("ix_change_proposal_queue")
        batch_op.drop_index(batch_op.f("ix_change_proposal_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_change_proposal_author_id"))
    op.drop_table("change_proposal")
