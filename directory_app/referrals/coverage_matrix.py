"""The coverage overview: consular districts x service categories, with the number of published
organisations serving each district that offer each service (as the directory's district and
service filters count them). All counts come from one grouped SQL statement over district_coverage; the
district labels from one more query.

The CSV download neutralises cells that a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import func, literal, select, union_all

from directory_app import vocabulary
from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict, Consulate
from directory_app.organisations.models import DistrictCoverage, Service, Status

SORTS = ("district", "total")  # or a service category code
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class MatrixRow:
    """One consular district and its counts per service category."""

    code: str
    name: str
    city: str
    host_country_code: str
    sending_country_code: str
    is_approximate: bool
    total: int  # published organisations serving the district, whatever their services
    counts: dict[str, int]
    provenance: str = "approximate"  # official, approximate (nearest consulate) or mixed
    official_units: int = 0
    unit_count: int = 0
    source: str = ""  # the one-line summary of the district's sources
    source_date: str = ""  # the newest date its official sources state (ISO), "" when none

    def count(self, category: str) -> int:
        return self.counts.get(category, 0)


def coverage_counts(sending_country: str | None = None) -> dict[int, dict[str | None, int]]:
    """district id -> {category: organisations, None: all organisations}, in one statement."""
    offers = select(Service.organisation_id, Service.category_code).distinct().subquery()  # one row per pair
    per_service = (
        select(
            DistrictCoverage.district_id,
            offers.c.category_code.label("category"),
            func.count().label("n"),
        )
        .join(offers, offers.c.organisation_id == DistrictCoverage.organisation_id)
        .where(DistrictCoverage.status == Status.PUBLISHED)
        .group_by(DistrictCoverage.district_id, offers.c.category_code)
    )
    overall = (
        select(
            DistrictCoverage.district_id,
            literal(None, type_=Service.category_code.type).label("category"),
            func.count(DistrictCoverage.organisation_id).label("n"),
        )
        .where(DistrictCoverage.status == Status.PUBLISHED)
        .group_by(DistrictCoverage.district_id)
    )
    if sending_country:
        chosen = select(ConsularDistrict.id).where(ConsularDistrict.sending_country_code == sending_country)
        per_service = per_service.where(DistrictCoverage.district_id.in_(chosen))
        overall = overall.where(DistrictCoverage.district_id.in_(chosen))
    counts: dict[int, dict[str | None, int]] = {}
    for district_id, category, n in db.session.execute(union_all(per_service, overall)):
        counts.setdefault(district_id, {})[category] = n
    return counts


def coverage_matrix(sending_country: str | None = None, sort: str = "district", lang: str = "es") -> list[MatrixRow]:
    """The matrix rows, filtered by sending country and sorted by district name, by total
    (largest first) or by one service's count (largest first); ties by district name."""
    if sort not in SORTS and sort not in vocabulary.SERVICE_CODES:
        raise ValueError(f"unknown sort {sort!r}")
    counts = coverage_counts(sending_country)
    query = (
        select(ConsularDistrict, Consulate)
        .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
        .order_by(ConsularDistrict.code)
    )
    if sending_country:
        query = query.where(ConsularDistrict.sending_country_code == sending_country)
    rows = []
    for district, consulate in db.session.execute(query):
        cells = counts.get(district.id, {})
        rows.append(
            MatrixRow(
                code=district.code,
                name=consulate.name(lang),
                city=consulate.city,
                host_country_code=consulate.host_country_code,
                sending_country_code=district.sending_country_code,
                is_approximate=district.is_approximate,
                total=cells.get(None, 0),
                counts={k: v for k, v in cells.items() if k is not None},
                provenance=district.provenance,
                official_units=district.official_units,
                unit_count=district.unit_count,
                source=district.source,
                source_date=district.source_date.isoformat() if district.source_date else "",
            )
        )
    rows.sort(key=lambda r: (r.name.casefold(), r.code))
    if sort == "total":
        rows.sort(key=lambda r: -r.total)
    elif sort != "district":
        rows.sort(key=lambda r: -r.count(sort))
    return rows


def neutralise_cell(value: object) -> object:
    """A text cell that starts like a formula (= + - @, tab, carriage return) gets a leading
    apostrophe, so that a spreadsheet shows it as text instead of running it. Numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def coverage_csv(rows: list[MatrixRow]) -> str:
    """The matrix as CSV text (header with the service codes, then one row per district, then where the
    district comes from: official, approximate or mixed, its official units of all, its sources, the
    newest date they state)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    categories = [term.code for term in vocabulary.SERVICE_CATEGORIES]
    header = ["district", "consulate", "city", "host_country", "sending_country", "approximate", "total"]
    provenance = ["provenance", "official_units", "units", "source", "source_date"]
    writer.writerow(header + categories + provenance)
    for r in rows:
        cells = [r.code, r.name, r.city, r.host_country_code, r.sending_country_code]
        cells += ["yes" if r.is_approximate else "no", r.total] + [r.count(c) for c in categories]
        cells += [r.provenance, r.official_units, r.unit_count, r.source, r.source_date]
        writer.writerow([neutralise_cell(c) for c in cells])
    return out.getvalue()
