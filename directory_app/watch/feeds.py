"""The Atom feed of a district: recent published changes of the organisations serving it.

    GET /districts/<code>/feed.atom    watch.district_feed   public

Each entry is one change recorded in an organisation's history (review's revisions: the TS's edits,
approved proposals, restores, archives, imports; not "still correct"), said in words with public data
only (public_words.py: never a hidden site's street address or position), in the reader's language
(?lang=es|en|fr). Organisations serving the district now (published, or archived: the archive itself is
news) are included; links and ids are absolute, on PUBLIC_BASE_URL, never on the request's Host.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET  # nosec B405 (only writes XML, of our own data: nothing is parsed)
from datetime import UTC, datetime

from flask import Response, abort
from flask_babel import gettext as _
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.i18n import current_language
from directory_app.organisations.models import DistrictCoverage, Organisation, Status
from directory_app.public_links import public_url
from directory_app.review.models import ChangeKind, Revision
from directory_app.watch.public_words import PublicChange, public_change
from directory_app.watch.views import bp

ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 50
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot carry
ET.register_namespace("", ATOM)


Change = tuple[Revision, Organisation, PublicChange]


def recent_changes(district: ConsularDistrict, limit: int = MAX_ENTRIES) -> list[Change]:
    """The newest public changes of the organisations serving `district`, newest first."""
    rows = db.session.execute(
        select(Revision, Organisation)
        .join(Organisation, Organisation.id == Revision.organisation_id)
        .join(DistrictCoverage, DistrictCoverage.organisation_id == Revision.organisation_id)
        .where(
            DistrictCoverage.district_id == district.id,
            DistrictCoverage.status.in_([Status.PUBLISHED, Status.ARCHIVED]),
            Revision.kind.not_in([ChangeKind.BASELINE, ChangeKind.VERIFY]),
        )
        .order_by(Revision.created_at.desc(), Revision.id.desc())
        .limit(limit * 2)  # some say nothing public (a draft's changes, the last verified date)
    ).all()
    previous = _previous_snapshots([revision for revision, _org in rows])
    found = []
    for revision, organisation in rows:
        change = public_change(previous.get((revision.organisation_id, revision.number - 1)), revision.snapshot)
        if change is not None:
            found.append((revision, organisation, change))
    return found[:limit]


def _previous_snapshots(revisions: list[Revision]) -> dict[tuple[int, int], dict]:
    wanted = {(r.organisation_id, r.number - 1) for r in revisions if r.number > 1}
    if not wanted:
        return {}
    query = select(Revision.organisation_id, Revision.number, Revision.snapshot).where(
        Revision.organisation_id.in_(sorted({o for o, _n in wanted})),
        Revision.number.in_(sorted({n for _o, n in wanted})),
    )
    return {(o, n): snapshot for o, n, snapshot in db.session.execute(query) if (o, n) in wanted}


@bp.get("/districts/<code>/feed.atom")
def district_feed(code: str):
    district = db.session.scalar(select(ConsularDistrict).where(ConsularDistrict.code == code))
    if district is None:
        abort(404)
    xml = atom_document(district, recent_changes(district))
    return Response(xml, mimetype="application/atom+xml")


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    element.text = _NOT_XML.sub("", text)
    return element


def _link(parent: ET.Element, href: str, rel: str = "alternate", kind: str = "text/html") -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", {"rel": rel, "type": kind, "href": href})


def _stamp(moment: datetime | None) -> str:
    moment = moment or datetime(2000, 1, 1, tzinfo=UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def atom_document(district: ConsularDistrict, changes: list[Change]) -> bytes:
    """The Atom 1.0 document (RFC 4287) of `changes` in the district `district`."""
    language = current_language()
    name = district.consulate.name(language)
    page = public_url("referrals.district_page", code=district.code)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": language})
    _text(feed, "id", public_url("watch.district_feed", code=district.code))
    _text(feed, "title", _("Changes of the organisations serving %(district)s", district=name))
    newest = max((revision.created_at for revision, _org, _change in changes), default=district.updated_at)
    _text(feed, "updated", _stamp(newest))
    _link(feed, public_url("watch.district_feed", code=district.code), rel="self", kind="application/atom+xml")
    _link(feed, page)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", _("CAMMINA Directory"))
    for revision, organisation, change in changes:
        _entry(feed, revision, organisation, change, page)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(feed: ET.Element, revision: Revision, organisation: Organisation, change: PublicChange, page: str) -> None:
    entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
    name = str(revision.snapshot.get("name") or organisation.name)
    key = uuid.uuid5(uuid.NAMESPACE_URL, f"cammina:organisation:{organisation.uuid}:revision:{revision.number}")
    _text(entry, "id", key.urn)
    if change.kind == "archived":
        title, lines = _("%(name)s was archived", name=name), [_("It is no longer in the directory.")]
    elif change.kind == "published":
        title, lines = _("%(name)s is now in the directory", name=name), []
    else:
        title, lines = _("%(name)s changed", name=name), list(change.lines)
    _text(entry, "title", title)
    _text(entry, "updated", _stamp(revision.created_at))
    if organisation.status == Status.PUBLISHED:
        _link(entry, public_url("organisations.organisation_page", organisation_uuid=organisation.uuid))
    else:
        _link(entry, page)
    _text(entry, "content", "\n".join(lines) or title, type="text")
