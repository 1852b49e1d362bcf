"""The Alembic migrations build, from an empty database, exactly the schema the models declare."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from directory_app.extensions import db
from directory_app.organisations.queries import KNN_INDEXES
from directory_app.organisations.site_boxes import BOX_INDEXES
from tests.conftest import make_app


def _not_a_knn_index(_object, name, type_, _reflected, _compare_to) -> bool:
    """The GiST indexes of site positions exist only in the database (PostgreSQL: nearest sites with the
    cube extension, migration 0005; bounding boxes, migration 0015), not in the models: leave them out
    of the comparison, checked below instead."""
    return not (type_ == "index" and name in (*KNN_INDEXES, *BOX_INDEXES))


@pytest.mark.parametrize("empty_database", ["sqlite", "postgresql"], indirect=True)
def test_migrations_from_empty_match_the_models_and_go_back(empty_database):
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision="heads")
        with db.engine.connect() as connection:
            options = {"compare_type": True, "include_object": _not_a_knn_index}
            context = MigrationContext.configure(connection, opts=options)
            differences = compare_metadata(context, db.metadata)
            assert differences == []
            tables = set(sa.inspect(connection).get_table_names())
            indexes = {index["name"] for index in sa.inspect(connection).get_indexes("location")}
            if connection.dialect.name == "postgresql":  # the cube extension is part of Debian's PostgreSQL
                assert set(KNN_INDEXES) | set(BOX_INDEXES) <= indexes
            else:
                assert not (set(KNN_INDEXES) | set(BOX_INDEXES)) & indexes
        assert {"organisation", "admin_unit", "consular_district", "district_coverage", "alembic_version"} <= tables
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}


TABLES_KEPT = ("organisation", "location", "service", "user_account", "consulate", "consular_district",
               "district_coverage", "admin_unit")  # fmt: skip


def test_going_back_and_forth_keeps_every_row(fresh_app):
    """Down past the migrations that rebuild tables on SQLite (consulate, user_account) and up again:
    no row of a table that refers to them is lost (a rebuild with foreign keys enforced would cascade)."""

    def counts() -> dict[str, int]:
        return {name: db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
                for name in TABLES_KEPT}  # fmt: skip

    with fresh_app.app_context():
        before = counts()
        db.session.rollback()
        assert before["district_coverage"] > 0 and before["user_account"] > 0
        downgrade(revision="0010_hsds_term_mapping")
        upgrade(revision="heads")
        assert counts() == before
