"""Setting up a directory (`flask setup`): schema, vocabularies, boundaries, consulates and districts
(the nearest-consulate default, then the official districts of data/districts/); the query planner's
statistics after a bulk write."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select, text

from directory_app import vocabulary
from directory_app.extensions import db
from directory_app.geography.consular_network import load_consular_network
from directory_app.geography.districts import build_default_districts
from directory_app.geography.loading import load_boundaries
from directory_app.geography.models import ConsularDistrict
from directory_app.geography.official import import_official_districts
from directory_app.organisations.coverage import refresh_district_coverage
from directory_app.organisations.models import Network, Population, ServiceCategory
from directory_app.organisations.unit_moves import move_unit_references

Progress = Callable[[str], None]


def migrate_schema() -> None:
    """Bring the database schema to the newest Alembic revision (of every branch: features
    developed side by side may add migrations from the same parent until a merge revision joins them)."""
    upgrade(revision="heads")


def sync_vocabulary() -> None:
    """Write the service categories, populations and founding networks (upsert by code)."""
    for model, terms in ((ServiceCategory, vocabulary.SERVICE_CATEGORIES), (Population, vocabulary.POPULATIONS)):
        for term in terms:
            row = db.session.get(model, term.code) or model(code=term.code)
            row.label_es, row.label_en, row.label_fr = term.es, term.en, term.fr
            db.session.add(row)
    for code, name, description in vocabulary.NETWORKS:
        network = db.session.scalar(select(Network).where(Network.code == code)) or Network(code=code)
        network.name, network.description = name, description
        db.session.add(network)
    db.session.flush()


def setup_directory(data_dir: Path, progress: Progress = lambda message: None) -> dict:
    """Everything but the schema: vocabulary, boundaries, consulates, default and official districts."""
    sync_vocabulary()
    progress("vocabulary written")
    # units the files no longer have (a new vintage) are replaced; coverage naming them moves along
    counts = load_boundaries(Path(data_dir) / "boundaries", progress, replace_references=move_unit_references)
    counts.update(load_consular_network(Path(data_dir)))  # offices (codes corrected first), windows, networks
    progress(f"{counts['consulates']} consulates, {counts['windows']} service windows loaded")
    build_default_districts(refresh_coverage=refresh_district_coverage)
    progress("default districts built (each unit to the nearest consulate)")
    counts["official_files"] = load_official_districts(Path(data_dir) / "districts", progress)
    counts["approximate"] = db.session.scalar(
        select(func.count()).select_from(ConsularDistrict).where(ConsularDistrict.is_approximate.is_(True))
    )
    progress(f"{counts['approximate']} districts keep approximate units (nearest consulate)")
    return counts


def load_official_districts(directory: Path, progress: Progress = lambda message: None) -> int:
    """Import every official district file of `directory` (data/districts/*.csv, by name). Units that a
    file uploaded by the Technical Secretariat made official are left as they are."""
    files = sorted(Path(directory).glob("*.csv")) if Path(directory).is_dir() else []
    for path in files:
        result = import_official_districts(
            path,
            refresh_coverage=refresh_district_coverage,
            label=f"data/districts/{path.name}",
            shipped=True,
            keep_uploaded=True,
        )
        kept = f"; {result['kept']} units kept as an upload made them" if result["kept"] else ""
        progress(f"official districts of {path.name}: {result['districts']} districts, {result['units']} units{kept}")
    return len(files)


def refresh_planner_statistics() -> None:
    """Let the query planner see the data after a bulk load (SQLite ANALYZE, PostgreSQL
    VACUUM ANALYZE). Without statistics SQLite may drive a join from the wrong table."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
