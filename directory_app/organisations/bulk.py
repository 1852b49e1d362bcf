"""Writing many rows at once, fast on both backends.

SQLite takes executemany well. On PostgreSQL, row-by-row executemany costs a round trip per
row even in pipeline mode; COPY sends them in one stream (measured ten times faster for the
650,000 unit-coverage rows of a 100,000-organisation rebuild).
"""

from __future__ import annotations

from sqlalchemy import Table, bindparam

from directory_app.extensions import db

STAGING_THRESHOLD = 500  # fewer rows are updated with executemany: a staging table costs four round trips


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _copy(table_name: str, columns: list[str], rows: list[dict]) -> None:
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table_name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def empty_table(table: Table) -> None:
    """Delete every row (TRUNCATE on PostgreSQL, which is transactional there)."""
    if _is_postgresql():
        db.session.execute(db.text(f"TRUNCATE {table.name}"))
    else:
        db.session.execute(table.delete())


def insert_rows(table: Table, rows: list[dict]) -> None:
    """Insert plain rows (all with the same keys) into a table."""
    if not rows:
        return
    if _is_postgresql():
        _copy(table.name, list(rows[0]), rows)
    else:
        db.session.execute(table.insert(), rows)


def update_rows(table: Table, key: str, rows: list[dict]) -> None:
    """Update rows identified by `key`; every dict names the same columns."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != key]
    if _is_postgresql() and len(rows) >= STAGING_THRESHOLD:
        staging = f"staging_{table.name}"
        # SQL text built from names of the SQLAlchemy Table, never from input (bandit B608).
        db.session.execute(  # same column types, no constraints
            db.text(
                f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "  # nosec B608
                f"SELECT {', '.join([key, *columns])} FROM {table.name} WITH NO DATA"
            )
        )
        _copy(staging, [key, *columns], rows)
        assignments = ", ".join(f"{c} = {staging}.{c}" for c in columns)
        match = f"{table.name}.{key} = {staging}.{key}"
        update = f"UPDATE {table.name} SET {assignments} FROM {staging} WHERE {match}"  # nosec B608
        db.session.execute(db.text(update))
        db.session.execute(db.text(f"DROP TABLE {staging}"))
    else:
        statement = (
            table.update().where(table.c[key] == bindparam(f"_{key}")).values({c: bindparam(c) for c in columns})
        )
        db.session.execute(statement, [{**{c: r[c] for c in columns}, f"_{key}": r[key]} for r in rows])
