"""district_source: where each official assignment of a unit to a consulate comes from

Revision ID: 0011_district_provenance
Revises: 0010_hsds_term_mapping
Create Date: 2026-12-07 09:00:00

Every unit of a district is either official (district_unit.source_id: a page or document with the
date it states) or the nearest-consulate default (NULL). The district keeps the counts and a summary
(provenance official / approximate / mixed, unit_count, official_units, source_date) and whether its
official units are the whole district (is_complete).

Existing data: the units of each official district (imported before this revision, when an import
replaced a whole district) get a source named after the district's `source` text ("official: x.csv"),
undated; those districts are complete. Approximate districts keep default units.

SQLite: district_unit is rebuilt (batch) to add the column with its foreign key; consular_district is
never rebuilt (dropping it would cascade to district_unit and district_coverage), so its new columns
are added in place and keep their server defaults.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_district_provenance"
down_revision = "0010_hsds_term_mapping"
branch_labels = None
depends_on = None

NEW_DISTRICT_COLUMNS = ("source_date", "official_units", "unit_count", "is_complete", "provenance")


def upgrade():
    op.create_table(
        "district_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citation", sa.String(length=500), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("source_date", sa.Date(), nullable=True),
        sa.Column("secondary", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("shipped", sa.Boolean(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district_source")),
    )
    with op.batch_alter_table("district_unit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_district_unit_source_id_district_source"), "district_source", ["source_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_district_unit_source_id"), ["source_id"], unique=False)
    op.add_column(
        "consular_district",
        sa.Column("provenance", sa.String(length=12), nullable=False, server_default="approximate"),
    )
    op.add_column(
        "consular_district", sa.Column("is_complete", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("consular_district", sa.Column("unit_count", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("consular_district", sa.Column("official_units", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("consular_district", sa.Column("source_date", sa.Date(), nullable=True))
    _fill_existing()


def _fill_existing():
    connection = op.get_bind()
    district = sa.table(
        "consular_district",
        sa.column("id", sa.Integer),
        sa.column("is_approximate", sa.Boolean),
        sa.column("source", sa.String),
        sa.column("provenance", sa.String),
        sa.column("is_complete", sa.Boolean),
        sa.column("unit_count", sa.Integer),
        sa.column("official_units", sa.Integer),
    )
    unit = sa.table("district_unit", sa.column("district_id", sa.Integer), sa.column("source_id", sa.Integer))
    source = sa.table(
        "district_source",
        sa.column("id", sa.Integer),
        sa.column("citation", sa.String),
        sa.column("secondary", sa.Boolean),
        sa.column("file_name", sa.String),
        sa.column("shipped", sa.Boolean),
        sa.column("imported_at", sa.DateTime(timezone=True)),
    )
    counts = dict(connection.execute(sa.select(unit.c.district_id, sa.func.count()).group_by(unit.c.district_id)).all())
    rows = connection.execute(sa.select(district.c.id, district.c.is_approximate, district.c.source)).all()
    source_ids: dict[str, int] = {}
    for district_id, approximate, text in rows:
        n = counts.get(district_id, 0)
        values = {"unit_count": n, "official_units": 0 if approximate else n}
        values["provenance"] = "approximate" if approximate or n == 0 else "official"
        values["is_complete"] = not approximate
        connection.execute(sa.update(district).where(district.c.id == district_id).values(**values))
        if approximate:
            continue
        citation = (text or "official").removeprefix("official: ").strip() or "official"
        if citation not in source_ids:
            source_ids[citation] = connection.execute(
                sa.insert(source)
                .values(
                    citation=citation[:500],
                    secondary=False,
                    file_name=citation[:200],
                    shipped=False,
                    imported_at=sa.func.now() if connection.dialect.name == "postgresql" else sa.func.datetime("now"),
                )
                .returning(source.c.id)
            ).scalar_one()
        connection.execute(
            sa.update(unit).where(unit.c.district_id == district_id).values(source_id=source_ids[citation])
        )


def downgrade():
    with op.batch_alter_table("district_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_district_unit_source_id"))
        batch_op.drop_constraint(batch_op.f("fk_district_unit_source_id_district_source"), type_="foreignkey")
        batch_op.drop_column("source_id")
    for column in NEW_DISTRICT_COLUMNS:
        op.drop_column("consular_district", column)
    op.drop_table("district_source")
