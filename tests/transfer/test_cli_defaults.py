"""`flask import-organisations` with the defaults the web preview offers (kind, status, country of new
entries whose row gives none), said in the output as the preview says them. SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from directory_app.extensions import db
from directory_app.organisations.models import Organisation, Status

CSV = "Nombre de la organización;Correo electrónico\nCasa Refugio Norte;norte@example.org\nRed Sur;sur@example.org\n"


def _invoke(app, *args):
    with app.app_context():
        return app.test_cli_runner().invoke(args=["import-organisations", *map(str, args)])


def _stored(app) -> dict[str, tuple[str, str, str]]:
    with app.app_context():
        names = ("Casa Refugio Norte", "Red Sur")
        rows = db.session.scalars(select(Organisation).where(Organisation.name.in_(names)))
        return {o.name: (o.kind, str(o.status), o.country_code) for o in rows}


def test_the_defaults_complete_new_entries_and_are_said(fresh_app, tmp_path):
    path = tmp_path / "entradas.csv"
    path.write_text(CSV, encoding="utf-8")
    without_country = _invoke(fresh_app, path, "--dry-run")
    assert "2 rejected" in without_country.output, without_country.output  # the country is required

    dry = _invoke(fresh_app, path, "--dry-run", "--default-country", "gt")
    assert dry.exit_code == 0 and "Would create 2" in dry.output, dry.output
    assert "No column gives the kind: all 2 new entries will be “Non-governmental organisation”" in dry.output
    assert "No column gives the country: all 2 new entries will be “Guatemala”" in dry.output
    assert _stored(fresh_app) == {}

    done = _invoke(
        fresh_app, path, "--default-kind", "shelter", "--default-status", "published", "--default-country", "GT"
    )
    assert done.exit_code == 0 and "Created 2" in done.output, done.output
    assert "2 new entries will be published at once" in done.output
    assert _stored(fresh_app) == {
        "Casa Refugio Norte": ("shelter", str(Status.PUBLISHED), "GT"),
        "Red Sur": ("shelter", str(Status.PUBLISHED), "GT"),
    }


def test_a_default_that_does_not_exist_is_refused_and_nothing_is_written(fresh_app, tmp_path):
    path = tmp_path / "entradas.csv"
    path.write_text(CSV, encoding="utf-8")
    with fresh_app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Organisation))
    for args, message in (
        (("--default-country", "ZZ"), "'ZZ' is not a member country"),
        (("--default-kind", "club", "--default-country", "GT"), "'club' is not a kind of organisation"),
    ):
        result = _invoke(fresh_app, path, *args)
        assert result.exit_code != 0 and message in result.output, result.output
    status = _invoke(fresh_app, path, "--default-status", "secret", "--default-country", "GT")
    assert status.exit_code == 2 and "--default-status" in status.output
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == before


def test_the_help_names_the_defaults(fresh_app):
    text = _invoke(fresh_app, "--help").output
    for option in ("--default-kind", "--default-status", "--default-country"):
        assert option in text
