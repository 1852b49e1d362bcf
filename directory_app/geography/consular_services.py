"""What a consulate's page shows besides its district: where its row comes from, its service windows,
the networks of consulates it belongs to; and why a sending country has no district at all."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict, Consulate, ConsulateStatus, consulate_sending_country
from directory_app.geography.network_models import ConsularNetworkMember, ConsularWindow


@dataclass(frozen=True)
class SourcePart:
    """One source of a `;`-separated source text: its address (when it is a web page) and its words."""

    url: str | None
    text: str

    @property
    def site(self) -> str:
        """The web site the address is on ("lanacion.com.ar"), the link's words."""
        host = urlsplit(self.url or "").netloc
        return host.removeprefix("www.") or (self.url or "")


def source_parts(source: str) -> list[SourcePart]:
    """ "https://a.example/x (what it says) ; a printed report" -> a link with its comment, then the report."""
    parts = []
    for piece in (p.strip() for p in (source or "").split(" ; ")):
        if not piece:
            continue
        if piece.startswith(("https://", "http://")):
            url, _, rest = piece.partition(" ")
            parts.append(SourcePart(url, rest.strip()))
        else:
            parts.append(SourcePart(None, piece))
    return parts


@dataclass(frozen=True)
class NetworkChapter:
    """A network of consulates as one consulate's page shows it: the chapter (city), since when, the
    other consulates of that chapter, and the source."""

    code: str
    name: str
    chapter: str
    since: str
    partners: list[Consulate]
    sources: list[SourcePart]
    source_date: str
    note: str


def windows_of(consulate: Consulate) -> list[ConsularWindow]:
    """The consulate's service windows, active ones first."""
    return sorted(consulate.windows, key=lambda w: (w.status != "active", w.code))


def networks_of(consulate: Consulate, lang: str) -> list[NetworkChapter]:
    """The networks the consulate belongs to, each with the other members of the same chapter (their
    districts loaded too, which the page links to): no query when it belongs to none (its memberships are
    read with it, referrals.district_page.find_district; else loaded now), two otherwise, whatever the number
    of its networks and partners."""
    mine = consulate.network_memberships
    if not mine:
        return []
    consulate_id = consulate.id
    partners: dict[tuple[int, str], list[Consulate]] = {(m.network_id, m.chapter): [] for m in mine}
    rows = db.session.execute(
        select(ConsularNetworkMember.network_id, ConsularNetworkMember.chapter, Consulate)
        .join(ConsularNetworkMember, ConsularNetworkMember.consulate_id == Consulate.id)
        .where(ConsularNetworkMember.network_id.in_({m.network_id for m in mine}), Consulate.id != consulate_id)
        .options(selectinload(Consulate.districts))
        .order_by(Consulate.code)
    ).all()
    for network_id, chapter, partner in rows:
        if (network_id, chapter) in partners:
            partners[network_id, chapter].append(partner)
    chapters = [
        NetworkChapter(
            code=member.network.code,
            name=member.network.name(lang),
            chapter=member.chapter,
            since=member.since,
            partners=partners[member.network_id, member.chapter],
            sources=source_parts(member.source),
            source_date=member.source_date,
            note=member.note,
        )
        for member in mine
    ]
    return sorted(chapters, key=lambda c: (c.code, c.chapter))


@dataclass(frozen=True)
class NetworkReach:
    """How far a sending country's consular network reaches in the directory's data."""

    offices: int  # every consular office of the country, open or not, mobile events aside
    open_offices: int  # the open permanent ones, those that get a district
    districts: int


def network_reach(sending: str) -> NetworkReach:
    """Counts for one sending country (three small queries)."""
    permanent = ("consulate_general", "consulate", "consular_section")
    of_country = (
        select(func.count())
        .select_from(Consulate)
        .join(consulate_sending_country, consulate_sending_country.c.consulate_id == Consulate.id)
        .where(consulate_sending_country.c.country_code == sending, Consulate.kind.in_(permanent))
    )
    offices = db.session.scalar(of_country)
    open_offices = db.session.scalar(of_country.where(Consulate.status == ConsulateStatus.OPEN))
    districts = db.session.scalar(
        select(func.count()).select_from(ConsularDistrict).where(ConsularDistrict.sending_country_code == sending)
    )
    return NetworkReach(offices, open_offices, districts)
