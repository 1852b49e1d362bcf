"""The Alembic migrations build, from an empty database, exactly the schema the models declare."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from directory_app.extensions import db
from tests.conftest import make_app


@pytest.mark.parametrize("empty_database", ["sqlite", "postgresql"], indirect=True)
def test_migrations_from_empty_match_the_models_and_go_back(empty_database):
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision="heads")
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
            assert differences == []
            tables = set(sa.inspect(connection).get_table_names())
        assert {"organisation", "admin_unit", "consular_district", "district_coverage", "alembic_version"} <= tables
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}
