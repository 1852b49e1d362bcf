"""Backups: `flask backup` then `flask restore` brings back exactly what was backed up, on both backends;
a damaged or foreign file is refused without changing anything."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update

from directory_app.audit.models import AuditEvent
from directory_app.extensions import db
from directory_app.organisations.models import Organisation, Service


def _fingerprint() -> dict:
    """What the directory holds, precisely enough to notice a lost or changed row."""
    names = db.session.execute(select(Organisation.id, Organisation.name).order_by(Organisation.id)).all()
    return {
        "organisations": [tuple(row) for row in names],
        "services": db.session.scalar(select(func.count(Service.id))),
        "audit": db.session.scalar(select(func.count()).select_from(AuditEvent)),
    }


def _run(app, *args, input=None):
    result = app.test_cli_runner().invoke(args=list(args), input=input)
    return result


def test_backup_and_restore_round_trip(fresh_ctx, tmp_path):
    app = fresh_ctx
    before = _fingerprint()
    target = tmp_path / "directory.backup"
    result = _run(app, "backup", str(target))
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 10_000 and "Backup written" in result.output

    # Damage the directory after the backup: rename, delete, add.
    first_id = before["organisations"][0][0]
    db.session.execute(update(Organisation).where(Organisation.id == first_id).values(name="VANDALISED"))
    db.session.execute(delete(Service))
    db.session.commit()
    assert _fingerprint() != before
    db.session.remove()

    result = _run(app, "restore", str(target), "--yes")
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert _fingerprint() == before
    assert app.test_client().get("/readyz").status_code == 200


def test_restore_asks_before_replacing_everything(fresh_ctx, tmp_path):
    target = tmp_path / "directory.backup"
    assert _run(fresh_ctx, "backup", str(target)).exit_code == 0
    result = _run(fresh_ctx, "restore", str(target), input="n\n")
    assert result.exit_code != 0 and "Aborted" in result.output


def test_backup_never_overwrites_a_file(fresh_ctx, tmp_path):
    target = tmp_path / "existing.backup"
    target.write_text("keep me")
    result = _run(fresh_ctx, "backup", str(target))
    assert result.exit_code != 0 and "exists already" in result.output
    assert target.read_text() == "keep me"


@pytest.mark.parametrize("content", [b"", b"not a backup at all" * 100, b"SQLite format 3\x00" + b"\x00" * 4000])
def test_a_bad_backup_file_is_refused_and_nothing_changes(fresh_ctx, tmp_path, content):
    before = _fingerprint()
    bad = tmp_path / "bad.backup"
    bad.write_bytes(content)
    db.session.remove()
    result = _run(fresh_ctx, "restore", str(bad), "--yes")
    assert result.exit_code != 0
    assert "Nothing was changed" in result.output
    assert "Traceback" not in result.output
    db.session.remove()
    assert _fingerprint() == before
