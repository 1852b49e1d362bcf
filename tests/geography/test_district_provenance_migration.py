"""Migration 0011_district_provenance on a directory with districts: the units of an official district
(imported before the revision, which then replaced whole districts) get a source named after the
district's `source` text, the district is complete and says 'official'; approximate districts keep
default units. Going back keeps every unit of every district."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from directory_app.extensions import db
from tests.conftest import make_app

NOW = "2026-01-01 00:00:00"


def _fill(connection) -> None:
    run = connection.execute
    run(
        sa.text(
            "INSERT INTO country (code, iso_numeric, name_en, name_es, name_fr) VALUES ('US', '840', 'US', 'EU', 'EU')"
        )
    )
    for unit_id, code in ((1, "US-06073"), (2, "US-06025"), (3, "US-06037")):
        run(
            sa.text(
                "INSERT INTO admin_unit (id, code, country_code, level, is_leaf, name_local, name_es, name_en, "
                "area_km2, label_lon, label_lat) VALUES (:id, :code, 'US', 2, true, :code, :code, :code, 1.0, 0, 0)"
            ),
            {"id": unit_id, "code": code},
        )
    for consulate_id, code in ((1, "MX-US-SAN-DIEGO"), (2, "MX-US-LOS-ANGELES")):
        run(
            sa.text(
                "INSERT INTO consulate (id, code, kind, host_country_code, city, lon, lat, name_es, name_en, "
                "created_at, updated_at) VALUES (:id, :code, 'consulate', 'US', 'x', 0, 0, 'x', 'x', :now, :now)"
            ),
            {"id": consulate_id, "code": code, "now": NOW},
        )
    for district_id, code, approximate, source in (
        (1, "MX-US-SAN-DIEGO", False, "official: acuerdo.csv"),
        (2, "MX-US-LOS-ANGELES", True, "approximate default: each unit to the nearest consulate"),
    ):
        run(
            sa.text(
                "INSERT INTO consular_district (id, code, consulate_id, sending_country_code, is_approximate, "
                "source, area_km2, created_at, updated_at) VALUES (:id, :code, :id, 'US', :approximate, :source, "
                "2.0, :now, :now)"
            ),
            {"id": district_id, "code": code, "approximate": approximate, "source": source, "now": NOW},
        )
    for district_id, unit_id in ((1, 1), (1, 2), (2, 3)):
        run(
            sa.text("INSERT INTO district_unit (district_id, admin_unit_id) VALUES (:d, :u)"),
            {"d": district_id, "u": unit_id},
        )


@pytest.mark.parametrize("empty_database", ["sqlite", "postgresql"], indirect=True)
def test_existing_districts_get_their_provenance_and_keep_their_units(empty_database):
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision="0010_hsds_term_mapping")
        with db.engine.begin() as connection:
            _fill(connection)
        upgrade(revision="0011_district_provenance")
        with db.engine.connect() as connection:
            districts = connection.execute(
                sa.text(
                    "SELECT code, provenance, is_complete, unit_count, official_units, source_date "
                    "FROM consular_district ORDER BY code"
                )
            ).all()
            assert [tuple(d) for d in districts] == [
                ("MX-US-LOS-ANGELES", "approximate", False, 1, 0, None),
                ("MX-US-SAN-DIEGO", "official", True, 2, 2, None),
            ]
            sources = connection.execute(
                sa.text("SELECT id, citation, source_date, shipped FROM district_source")
            ).all()
            assert [(s.citation, s.source_date, s.shipped) for s in sources] == [("acuerdo.csv", None, False)]
            units = connection.execute(
                sa.text("SELECT district_id, admin_unit_id, source_id FROM district_unit ORDER BY 1, 2")
            ).all()
            assert [tuple(u) for u in units] == [(1, 1, sources[0].id), (1, 2, sources[0].id), (2, 3, None)]
        downgrade(revision="0010_hsds_term_mapping")
        with db.engine.connect() as connection:
            inspector = sa.inspect(connection)
            assert "district_source" not in inspector.get_table_names()
            assert "provenance" not in {c["name"] for c in inspector.get_columns("consular_district")}
            units = connection.execute(sa.text("SELECT district_id, admin_unit_id FROM district_unit ORDER BY 1, 2"))
            assert [tuple(u) for u in units] == [(1, 1), (1, 2), (2, 3)]
