"""Watches on districts and organisations, freshness reminder schedule (issue 20)

Revision ID: 0018_watch
Revises: 0017_outbox
Create Date: 2026-12-06 13:30:00

watch: a person follows one consular district or one organisation (exactly one: a check), once
(unique per person and target); it goes with the person, district or organisation (ON DELETE CASCADE).
reminder_schedule: the one row of the freshness reminders' schedule (directory_app.watch.models).
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_watch"
down_revision = "0017_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(district_id IS NULL) <> (organisation_id IS NULL)", name="ck_watch_one_target"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name="fk_watch_user_id_user_account", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["consular_district.id"], name="fk_watch_district_id_consular_district", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name="fk_watch_organisation_id_organisation", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_watch"),
        sa.UniqueConstraint("user_id", "district_id", name="uq_watch_user_district"),
        sa.UniqueConstraint("user_id", "organisation_id", name="uq_watch_user_organisation"),
    )
    op.create_index("ix_watch_user_id", "watch", ["user_id"])
    op.create_index("ix_watch_district_id", "watch", ["district_id"])
    op.create_index("ix_watch_organisation_id", "watch", ["organisation_id"])
    op.create_table(
        "reminder_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("interval_months", sa.Integer(), nullable=False),
        sa.Column("stale_after_months", sa.Integer(), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name="fk_reminder_schedule_updated_by_id_user_account",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reminder_schedule"),
    )


def downgrade() -> None:
    op.drop_table("reminder_schedule")
    op.drop_index("ix_watch_organisation_id", table_name="watch")
    op.drop_index("ix_watch_district_id", table_name="watch")
    op.drop_index("ix_watch_user_id", table_name="watch")
    op.drop_table("watch")
