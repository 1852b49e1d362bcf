"""PostgreSQL: nearest sites straight from a GiST index (extension cube) on their unit vectors

Revision ID: 0005_nearest_knn
Revises: 0004_version_indexes
Create Date: 2026-12-04 20:45:00

The nearest-organisation search (organisations.queries.nearest_organisations) orders sites by the
distance between unit vectors (the chord, which orders exactly as great-circle distance). With these
indexes PostgreSQL returns them nearest first from the index, however far the nearest organisation is.
Nothing changes on SQLite, nor on a PostgreSQL server without the `cube` extension (postgresql-contrib):
the search then uses its grid boxes, as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_nearest_knn"
down_revision = "0004_version_indexes"
branch_labels = None
depends_on = None

INDEXES = {"ix_location_public_knn": "public_", "ix_location_exact_knn": ""}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    available = bind.execute(sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = 'cube'")).scalar()
    if not available:
        print("cube extension not available (install postgresql-contrib): nearest search keeps its grid boxes")
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS cube")
    for name, p in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON location USING gist (cube(ARRAY[{p}ux, {p}uy, {p}uz]))")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
