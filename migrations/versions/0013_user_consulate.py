"""user_consulate: a consular user's own consulate, set by the Technical Secretariat

Revision ID: 0013_user_consulate
Revises: 0012_us_counties_2023
Create Date: 2026-12-07 14:00:00

A consular user may have a consulate of their own (user_account.consulate_id, nullable): after signing
in they land on its district page, and the header links to it ("My consulate"). A consulate that goes
leaves its users without one (ON DELETE SET NULL).

SQLite: a batch rebuild of user_account would drop the table, and with foreign keys on that deletes the
rows referring to it (recovery codes, by their cascade). So the column is added in place (ALTER TABLE
ADD COLUMN), and its foreign key is then written into the table's definition with PRAGMA writable_schema:
SQLite's documented way for a schema change that leaves the stored rows as they are (sqlite.org/
lang_altertable.html, "other kinds of table schema changes"); every value of the new column is NULL, so no
row can break the constraint, and the foreign key check below confirms it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_user_consulate"
down_revision = "0012_us_counties_2023"
branch_labels = None
depends_on = None

CONSTRAINT = "fk_user_account_consulate_id_consulate"
SQLITE_CONSTRAINT = f"CONSTRAINT {CONSTRAINT} FOREIGN KEY(consulate_id) REFERENCES consulate (id) ON DELETE SET NULL"


def upgrade():
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        foreign_key = sa.ForeignKey("consulate.id", name=CONSTRAINT, ondelete="SET NULL")
        op.add_column("user_account", sa.Column("consulate_id", sa.Integer(), foreign_key, nullable=True))
        return
    op.execute("ALTER TABLE user_account ADD COLUMN consulate_id INTEGER")
    definition = _table_sql(connection).rstrip()
    assert definition.endswith(")"), definition
    _rewrite_table_sql(connection, f"{definition[:-1].rstrip()}, \n\t{SQLITE_CONSTRAINT}\n)")


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        op.drop_constraint(CONSTRAINT, "user_account", type_="foreignkey")
        op.drop_column("user_account", "consulate_id")
        return
    definition = _table_sql(connection)
    _rewrite_table_sql(connection, definition.replace(f", \n\t{SQLITE_CONSTRAINT}", ""))
    op.execute("ALTER TABLE user_account DROP COLUMN consulate_id")


def _table_sql(connection) -> str:
    query = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'user_account'"
    return connection.exec_driver_sql(query).scalar_one()


def _rewrite_table_sql(connection, definition: str) -> None:
    """Replace user_account's CREATE TABLE text (same columns, same stored rows), as SQLite documents it:
    writable schema, the new text, the schema version one up (every connection reads the schema again),
    then the integrity and foreign key checks."""
    version = connection.exec_driver_sql("PRAGMA schema_version").scalar_one()
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        connection.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'user_account'", (definition,)
        )
        connection.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        connection.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = connection.exec_driver_sql("PRAGMA integrity_check").scalars().all()
    assert problems == ["ok"], problems
    assert not connection.exec_driver_sql("PRAGMA foreign_key_check(user_account)").all()
