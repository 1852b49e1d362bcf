"""Where a district comes from, in words, for every place a district is shown: "official, source X,
as of DATE", "approximate: nearest consulate", or, for a district that mixes both, "official for N of
M units (source X, as of DATE); the other units approximate: nearest consulate"."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict, DistrictSource, district_unit


@dataclass(frozen=True)
class SourceUse:
    source: DistrictSource
    units: int  # how many of the district's units it assigns


@dataclass(frozen=True)
class Provenance:
    kind: str  # official, approximate, mixed
    official_units: int
    unit_count: int
    sources: tuple[SourceUse, ...]

    @property
    def is_official(self) -> bool:
        return self.kind == "official"

    def text(self) -> str:
        """The provenance as one sentence in the reader's language."""
        if self.kind == "approximate" or not self.sources:
            return _("approximate: nearest consulate")
        cited = "; ".join(source_phrase(use.source) for use in self.sources)
        if self.kind == "official":
            return _("official, source %(sources)s", sources=cited)
        return _(
            "official for %(official)s of %(total)s units (source %(sources)s); the other units approximate: "
            "nearest consulate",
            official=self.official_units,
            total=self.unit_count,
            sources=cited,
        )

    def as_dict(self) -> dict:
        """For the JSON API."""
        return {
            "kind": self.kind,
            "official_units": self.official_units,
            "units": self.unit_count,
            "text": self.text(),
            "sources": [
                {
                    "source": use.source.citation,
                    "title": use.source.title,
                    "date": use.source.source_date.isoformat() if use.source.source_date else None,
                    "secondary": use.source.secondary,
                    "note": use.source.note,
                    "units": use.units,
                }
                for use in self.sources
            ],
        }


def source_phrase(source: DistrictSource) -> str:
    """ "X, as of 2022-06-01" (or "X, undated"), marked when the source is secondary."""
    if source.source_date:
        phrase = _("%(source)s, as of %(date)s", source=source.shown_label, date=source.source_date.isoformat())
    else:
        phrase = _("%(source)s, undated", source=source.shown_label)
    return _("%(source)s (secondary source)", source=phrase) if source.secondary else phrase


def district_provenance(district_ids: list[int] | None = None) -> dict[int, Provenance]:
    """district id -> its provenance (every district when `district_ids` is None): two queries, three when
    an official source assigns any of their units."""
    counts = select(district_unit.c.district_id, district_unit.c.source_id, func.count()).where(
        district_unit.c.source_id.is_not(None)
    )
    districts = select(
        ConsularDistrict.id, ConsularDistrict.provenance, ConsularDistrict.official_units, ConsularDistrict.unit_count
    )
    if district_ids is not None:
        counts = counts.where(district_unit.c.district_id.in_(district_ids))
        districts = districts.where(ConsularDistrict.id.in_(district_ids))
    uses: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for district_id, source_id, n in db.session.execute(
        counts.group_by(district_unit.c.district_id, district_unit.c.source_id)
    ):
        uses[district_id].append((source_id, n))
    sources = _sources({s for pairs in uses.values() for s, _n in pairs})
    return {row.id: _provenance(row, uses.get(row.id, []), sources) for row in db.session.execute(districts)}


def provenance_of(district: ConsularDistrict, unit_sources: Iterable[int | None]) -> Provenance:
    """The provenance of one district whose units' sources are already read (district_unit.source_id of
    each of its units, None for an approximate one: the district page reads them with its units), as
    district_provenance gives it: no query for an approximate district, one for its sources otherwise."""
    counts = Counter(s for s in unit_sources if s is not None)
    return _provenance(district, list(counts.items()), _sources(set(counts)))


def _sources(source_ids: set[int]) -> dict[int, DistrictSource]:
    """The sources of these ids (none for approximate districts: no query then)."""
    if not source_ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(DistrictSource).where(DistrictSource.id.in_(source_ids)))}


def _provenance(district, uses: list[tuple[int, int]], sources: dict[int, DistrictSource]) -> Provenance:
    """`district` (with provenance, official_units, unit_count) and its (source id, units) pairs."""
    return Provenance(
        district.provenance,
        district.official_units,
        district.unit_count,
        tuple(SourceUse(sources[s], n) for s, n in sorted(uses, key=lambda pair: (-pair[1], sources[pair[0]].label))),
    )


@dataclass(frozen=True)
class SourceListing:
    source: DistrictSource
    districts: tuple[tuple[ConsularDistrict, int], ...]  # the districts it defines, with its units in each


def source_listing() -> list[SourceListing]:
    """Every source of official districts, with the districts (and how many of their units) it assigns;
    by title."""
    rows = db.session.execute(
        select(district_unit.c.source_id, district_unit.c.district_id, func.count())
        .where(district_unit.c.source_id.is_not(None))
        .group_by(district_unit.c.source_id, district_unit.c.district_id)
    ).all()
    districts = {
        d.id: d
        for d in db.session.scalars(
            select(ConsularDistrict).where(ConsularDistrict.id.in_({district for _s, district, _n in rows}))
        )
    }
    per_source: dict[int, list[tuple[ConsularDistrict, int]]] = defaultdict(list)
    for source_id, district_id, n in rows:
        per_source[source_id].append((districts[district_id], n))
    sources = db.session.scalars(select(DistrictSource).where(DistrictSource.id.in_(per_source))).all()
    return [
        SourceListing(source, tuple(sorted(per_source[source.id], key=lambda pair: pair[0].code)))
        for source in sorted(sources, key=lambda s: (s.label.casefold(), s.id))
    ]
