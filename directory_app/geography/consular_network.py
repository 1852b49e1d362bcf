"""The whole consular network of a data folder, in order: corrected codes (data/consulate_changes.csv),
the offices (data/consulates.csv), their service windows (data/consular_windows.csv) and the networks
of consulates (data/consular_networks.csv). Only consulates.csv is required.

A corrected code (a consulate that was in the wrong city, HN-US-DENVER -> HN-US-AURORA) is renamed in
place before the offices are loaded: the consulate keeps its id, so its districts, the organisations'
district coverage and anything else that points at it follow; its districts take the new code, and the
old code is kept in former_consulate_code so that old links still find the office. A change without a
new code retires the office (closed, or not an office at all): it is removed with its districts.
"""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext
from sqlalchemy import delete, insert, select

from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.geography.consulates import SOURCE_DATE, load_consulates
from directory_app.geography.csvfiles import read_rows
from directory_app.geography.models import ConsularDistrict, Consulate
from directory_app.geography.network_models import (
    ConsularNetwork,
    ConsularNetworkMember,
    ConsularWindow,
    WindowStatus,
    former_consulate_code,
)

CHANGE_COLUMNS = ["old_code", "new_code", "reason"]
WINDOW_COLUMNS = ["code", "consulate_code", "program", "status", "name_es", "name_en", "source", "source_date"]
NETWORK_COLUMNS = ["network", "name_es", "name_en", "consulate_code", "chapter", "source", "source_date"]


def load_consular_network(data_dir: Path) -> dict[str, int]:
    """Apply the code changes, then load offices, windows and networks; returns counts."""
    data_dir = Path(data_dir)
    counts = {"renamed": 0, "retired": 0}
    if (data_dir / "consulate_changes.csv").is_file():
        counts.update(apply_code_changes(data_dir / "consulate_changes.csv"))
    counts["consulates"] = load_consulates(data_dir / "consulates.csv")
    codes = dict(db.session.execute(select(Consulate.code, Consulate.id)).all())
    windows = data_dir / "consular_windows.csv"
    counts["windows"] = load_windows(windows, codes) if windows.is_file() else 0
    networks = data_dir / "consular_networks.csv"
    counts["network_members"] = load_networks(networks, codes) if networks.is_file() else 0
    return counts


def apply_code_changes(path: Path) -> dict[str, int]:
    """Rename or retire the consulates listed in `path` (old_code, new_code, reason)."""
    rows = list(read_rows(path, CHANGE_COLUMNS))
    renamed = retired = 0
    for number, row in rows:
        old, new = row["old_code"].upper(), row["new_code"].upper()
        if not old:
            raise ValidationError(gettext("this field is required"), field="old_code", row=number, source=str(path))
        consulate = db.session.scalar(select(Consulate).where(Consulate.code == old))
        if consulate is None:
            continue  # applied before, or never loaded here
        if not new:
            # its districts, their units and the coverage of them go with it (ON DELETE CASCADE)
            db.session.execute(delete(Consulate).where(Consulate.id == consulate.id))
            db.session.expire_all()
            retired += 1
            continue
        if db.session.scalar(select(Consulate.id).where(Consulate.code == new)) is not None:
            raise ValidationError(
                gettext("%(old)s cannot become %(new)s: that code is taken", old=old, new=new),
                field="new_code",
                row=number,
                source=str(path),
            )
        _rename(consulate, new, row["reason"])
        renamed += 1
    db.session.flush()
    return {"renamed": renamed, "retired": retired}


def _rename(consulate: Consulate, new: str, reason: str) -> None:
    old = consulate.code
    consulate.code = new
    for district in db.session.scalars(select(ConsularDistrict).where(ConsularDistrict.consulate_id == consulate.id)):
        district.code = district.code.replace(old, new, 1)
    db.session.execute(delete(former_consulate_code).where(former_consulate_code.c.code == old))
    db.session.execute(insert(former_consulate_code).values(code=old, consulate_id=consulate.id, reason=reason))
    db.session.flush()


def current_code(code: str) -> str | None:
    """The consulate code that `code` became, if it is a former code."""
    return db.session.scalar(
        select(Consulate.code)
        .join(former_consulate_code, former_consulate_code.c.consulate_id == Consulate.id)
        .where(former_consulate_code.c.code == code)
    )


def load_windows(path: Path, consulate_ids: dict[str, int]) -> int:
    """Replace the service windows with those of `path`."""
    rows = []
    for number, row in read_rows(path, WINDOW_COLUMNS):
        fail = _failer(path, number)
        consulate_id = consulate_ids.get(row["consulate_code"].upper())
        if consulate_id is None:
            fail(gettext("unknown consulate %(code)s", code=row["consulate_code"]), "consulate_code")
        try:
            status = WindowStatus(row["status"])
        except ValueError:
            allowed = ", ".join(s.value for s in WindowStatus)
            fail(
                gettext(
                    "unknown %(field)s '%(value)s'; use one of %(allowed)s",
                    field="status",
                    value=row["status"],
                    allowed=allowed,
                ),
                "status",
            )
        _check_source(row, fail, ("code", "program", "name_es", "name_en"))
        rows.append(
            {
                "code": row["code"].upper(),
                "consulate_id": consulate_id,
                "program": row["program"],
                "status": status,
                "name_es": row["name_es"],
                "name_en": row["name_en"],
                "since": row.get("since") or "",
                "source": row["source"],
                "source_date": row["source_date"],
                "note": row.get("note") or "",
            }
        )
    _unique([r["code"] for r in rows], path, "code")
    db.session.execute(delete(ConsularWindow))
    db.session.add_all(ConsularWindow(**r) for r in rows)
    db.session.flush()
    return len(rows)


def load_networks(path: Path, consulate_ids: dict[str, int]) -> int:
    """Replace the networks of consulates with those of `path` (one row per member consulate)."""
    networks: dict[str, dict] = {}
    members = []
    for number, row in read_rows(path, NETWORK_COLUMNS):
        fail = _failer(path, number)
        consulate_id = consulate_ids.get(row["consulate_code"].upper())
        if consulate_id is None:
            fail(gettext("unknown consulate %(code)s", code=row["consulate_code"]), "consulate_code")
        _check_source(row, fail, ("network", "name_es", "name_en", "chapter"))
        code = row["network"].upper()
        names = {"name_es": row["name_es"], "name_en": row["name_en"]}
        if networks.setdefault(code, names) != names:
            fail(gettext("the network %(code)s has another name on an earlier row", code=code), "name_es")
        members.append((code, consulate_id, row))
    _unique([(code, consulate_id) for code, consulate_id, _ in members], path, "consulate_code")
    db.session.execute(delete(ConsularNetworkMember))
    db.session.execute(delete(ConsularNetwork))
    by_code = {code: ConsularNetwork(code=code, **names) for code, names in networks.items()}
    db.session.add_all(by_code.values())
    db.session.flush()
    for code, consulate_id, row in members:
        db.session.add(
            ConsularNetworkMember(
                network_id=by_code[code].id,
                consulate_id=consulate_id,
                chapter=row["chapter"],
                since=row.get("since") or "",
                source=row["source"],
                source_date=row["source_date"],
                note=row.get("note") or "",
            )
        )
    db.session.flush()
    return len(members)


def _failer(path: Path, number: int):
    def fail(message: str, field: str):
        raise ValidationError(message, field=field, row=number, source=str(path))

    return fail


def _check_source(row: dict, fail, required: tuple[str, ...]) -> None:
    for field in (*required, "source", "source_date"):
        if not row.get(field):
            fail(gettext("this field is required"), field)
    if not SOURCE_DATE.match(row["source_date"]):
        fail(
            gettext(
                "'%(value)s' is not a date: write the date the source states as YYYY, YYYY-MM or YYYY-MM-DD, "
                "or 'undated'",
                value=row["source_date"],
            ),
            "source_date",
        )


def _unique(keys: list, path: Path, field: str) -> None:
    seen: set = set()
    for index, key in enumerate(keys):
        if key in seen:
            raise ValidationError(
                gettext("this row repeats an earlier one"), field=field, row=index + 2, source=str(path)
            )
        seen.add(key)
