"""Consular districts found by what people type: a district code ("GT-US-HOUSTON", any case) or words
of the consulate's city, its name in Spanish or English, the sending or host country's name in
Spanish, English or French, the consulate's state or province, in any case and without accents
("houston", "Tapachula", "guatemala houston", "mexique montreal").

Every typed word must begin a word of the district's names. Several sending countries may have a
consulate in one city: "houston" finds each of their districts, the caller shows them all or lets
the reader choose. The districts are few (hundreds), so their names are folded and matched in
Python, in the order: the city named exactly, then by sending country and code.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, selectinload

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, ConsularDistrict, Consulate, Country
from directory_app.geography.places import fold

MAX_TEXT = 100


@dataclass(frozen=True)
class DistrictFound:
    """The districts a text names (best first), and whether the text was a district code."""

    districts: list[ConsularDistrict]
    by_code: bool = False

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(d.id for d in self.districts)


def find_districts(text: str) -> DistrictFound:
    """The consular districts `text` names: the one whose code it is, else every district whose names
    hold each of its words (as the start of a word). Empty when nothing matches."""
    raw = (text or "").strip()[:MAX_TEXT]
    if not raw:
        return DistrictFound([])
    exact = db.session.scalar(
        _loading(select(ConsularDistrict)).where(func.upper(ConsularDistrict.code) == raw.upper()[:70])
    )
    if exact is not None:
        return DistrictFound([exact], by_code=True)
    words = fold(raw).split()
    if not words:
        return DistrictFound([])
    ranked = []
    for row in _name_rows():
        names = fold(" ".join(part or "" for part in row[2:]))
        own = set(names.split())
        if all(any(name.startswith(word) for name in own) for word in words):
            ranked.append((fold(row.city) != " ".join(words), row.sending, row.code, row.id))
    ids = [row_id for *_, row_id in sorted(ranked)]
    if not ids:
        return DistrictFound([])
    found = db.session.scalars(_loading(select(ConsularDistrict)).where(ConsularDistrict.id.in_(ids)))
    by_id = {d.id: d for d in found}
    return DistrictFound([by_id[i] for i in ids])


def _loading(query):
    return query.options(
        selectinload(ConsularDistrict.consulate).selectinload(Consulate.host_country),
        selectinload(ConsularDistrict.sending_country),
    )


def _name_rows():
    """Per district: id, sending country code, then every name it may be found by."""
    sending, host = aliased(Country), aliased(Country)
    return db.session.execute(
        select(
            ConsularDistrict.id,
            ConsularDistrict.sending_country_code.label("sending"),
            ConsularDistrict.code,
            Consulate.city,
            Consulate.name_es,
            Consulate.name_en,
            sending.name_es,
            sending.name_en,
            sending.name_fr,
            host.name_es,
            host.name_en,
            host.name_fr,
            AdminUnit.name_es,
            AdminUnit.name_en,
            AdminUnit.name_local,
        )
        .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
        .join(sending, sending.code == ConsularDistrict.sending_country_code)
        .join(host, host.code == Consulate.host_country_code)
        .outerjoin(AdminUnit, AdminUnit.id == Consulate.admin_unit_id)
    ).all()
