"""Outbox and notification settings (issue 20)

Revision ID: 0017_outbox
Revises: 0016_crisis
Create Date: 2026-12-06 13:30:00

outbox_message: one row per email, written in the transaction of the change that causes it and sent by
`flask send-mail`. notification_setting: each person's choice per topic (immediate, digest, none).
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_outbox"
down_revision = "0016_crisis"
branch_labels = None
depends_on = None

STATUSES = ("pending", "digest", "sending", "sent", "failed", "digested")


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("status", sa.Enum(*STATUSES, name="outboxstatus", native_enum=False, length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("digest_key", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name="fk_outbox_message_user_id_user_account", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_message"),
    )
    op.create_index("ix_outbox_message_queue", "outbox_message", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_message_user_id", "outbox_message", ["user_id"])
    op.create_index("ix_outbox_message_digest_key", "outbox_message", ["digest_key"])
    op.create_table(
        "notification_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name="fk_notification_setting_user_id_user_account", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_notification_setting"),
        sa.UniqueConstraint("user_id", "topic", name="uq_notification_setting_user_topic"),
    )


def downgrade() -> None:
    op.drop_table("notification_setting")
    op.drop_index("ix_outbox_message_digest_key", table_name="outbox_message")
    op.drop_index("ix_outbox_message_user_id", table_name="outbox_message")
    op.drop_index("ix_outbox_message_queue", table_name="outbox_message")
    op.drop_table("outbox_message")
