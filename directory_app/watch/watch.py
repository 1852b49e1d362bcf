"""Telling watchers: when a published change touches an organisation someone follows, or one serving
(before or after the change) a district someone follows, each such person gets one "watch" message,
in their language, saying what changed in words (public data only: public_words.py).

Connected by init_watch to review's signals (directory_app.events): `entry_writing` notes the
districts the organisation serves before the change (district_coverage is recomputed as it is
written), `entry_published` compares them with those it serves after and writes the messages to the
outbox in the same transaction. A change recorded without `entry_writing` (an import) counts the
districts as unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory_app.accounts.models import User
from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.i18n import current_language
from directory_app.notifications.outbox import enqueue
from directory_app.notifications.topics import WATCH
from directory_app.organisations.models import DistrictCoverage, Organisation
from directory_app.watch.follows import district_watchers, organisation_watchers
from directory_app.watch.links import site_path
from directory_app.watch.public_words import public_change

_BEFORE = "watch.districts_before"


def served_districts(organisation_id: int) -> set[int]:
    """The ids of the districts the organisation serves (any share), as district_coverage says now."""
    query = select(DistrictCoverage.district_id).where(DistrictCoverage.organisation_id == organisation_id)
    return set(db.session.scalars(query))


def note_districts_before(organisation: Organisation, **_ignored: Any) -> None:
    """Receiver of events.entry_writing: keep the districts served before the change (session-wide)."""
    db.session.info.setdefault(_BEFORE, {})[organisation.id] = served_districts(organisation.id)


@dataclass
class _Reasons:
    """Why one person hears of one change."""

    organisation: bool = False
    started: set[int] = field(default_factory=set)  # watched districts it now serves
    stopped: set[int] = field(default_factory=set)  # watched districts it no longer serves
    serves: set[int] = field(default_factory=set)  # watched districts it serves, before and after


def tell_watchers(
    organisation: Organisation, *, before: dict | None, after: dict, kind: str = "", **_ignored: Any
) -> int:
    """Receiver of events.entry_published: write a message to each watcher concerned; how many."""
    now = served_districts(organisation.id)
    noted = db.session.info.get(_BEFORE, {}).pop(organisation.id, None)
    then = noted if noted is not None else (set() if before is None else now)
    if not organisation_watchers(organisation.id) and not district_watchers(then | now):
        return 0  # nobody to tell (most changes, and every row of a large import): no words needed
    change = public_change(before, after)
    if change is not None and change.kind == "published":
        then = set()  # it appears in these districts now
    reasons = _reasons(organisation.id, then, now, change is not None)
    if not reasons:
        return 0
    districts = _districts({d for r in reasons.values() for d in (*r.started, *r.stopped, *r.serves)})
    sent = 0
    for user in db.session.scalars(select(User).where(User.id.in_(sorted(reasons)))):
        message = _Message(organisation, before, after, reasons[user.id], districts)
        if enqueue(user=user, topic=WATCH, subject=message.subject, body=message.body, link_path=message.link_path):
            sent += 1
    return sent


def _reasons(organisation_id: int, then: set[int], now: set[int], changed: bool) -> dict[int, _Reasons]:
    reasons: dict[int, _Reasons] = defaultdict(_Reasons)
    if changed:
        for user_id in organisation_watchers(organisation_id):
            reasons[user_id].organisation = True
    for user_id, district_id in district_watchers(then | now):
        if district_id in now and district_id not in then:
            reasons[user_id].started.add(district_id)
        elif district_id in then and district_id not in now:
            reasons[user_id].stopped.add(district_id)
        elif changed:
            reasons[user_id].serves.add(district_id)
    return {user_id: r for user_id, r in reasons.items() if r.organisation or r.started or r.stopped or r.serves}


def _districts(ids: set[int]) -> dict[int, ConsularDistrict]:
    if not ids:
        return {}
    query = select(ConsularDistrict).where(ConsularDistrict.id.in_(sorted(ids)))
    return {d.id: d for d in db.session.scalars(query.options(selectinload(ConsularDistrict.consulate)))}


class _Message:
    """One watcher's message; `subject` and `body` are called by enqueue in the watcher's language."""

    def __init__(self, organisation, before, after, reasons: _Reasons, districts: dict[int, ConsularDistrict]):
        self.name = str(after.get("name") or organisation.name)
        self.before, self.after, self.reasons, self.districts = before, after, reasons, districts
        published = str(after.get("status")) == "published"
        if published:
            self.link_path = site_path("organisations.organisation_page", organisation_uuid=organisation.uuid)
        else:
            self.link_path = site_path("watch.watches")

    def _names(self, ids: set[int]) -> str:
        language = current_language()
        names = sorted(self.districts[i].consulate.name(language) for i in ids if i in self.districts)
        return "; ".join(names)

    def subject(self) -> str:
        change = public_change(self.before, self.after)
        if change is not None and change.kind == "archived":
            return _("%(name)s was archived", name=self.name)
        started, stopped = self._names(self.reasons.started), self._names(self.reasons.stopped)
        if started:
            return _("%(name)s now serves %(districts)s", name=self.name, districts=started)
        if stopped and change is None:
            return _("%(name)s no longer serves %(districts)s", name=self.name, districts=stopped)
        return _("%(name)s changed", name=self.name)

    def body(self) -> str:
        change = public_change(self.before, self.after)
        lines: list[str] = []
        if change is not None and change.kind == "archived":
            lines.append(_("%(name)s was archived: it is no longer in the directory.", name=self.name))
        elif change is not None and change.kind == "published":
            lines.append(_("%(name)s is now in the directory.", name=self.name))
        elif change is not None:
            lines.append(_("What changed in %(name)s:", name=self.name))
            lines += [f"- {line}" for line in change.lines]
        lines.append("")
        if self.reasons.started:
            lines.append(_("It now serves: %(districts)s.", districts=self._names(self.reasons.started)))
        if self.reasons.stopped:
            lines.append(_("It no longer serves: %(districts)s.", districts=self._names(self.reasons.stopped)))
        if self.reasons.serves:
            serves = self._names(self.reasons.serves)
            if change is not None and change.kind == "archived":
                lines.append(_("It served these districts you follow: %(districts)s.", districts=serves))
            else:
                lines.append(_("It serves these districts you follow: %(districts)s.", districts=serves))
        if self.reasons.organisation:
            lines.append(_("You follow this organisation."))
        lines += ["", _("Your watches: %(link)s", link=_watches_link())]
        return "\n".join(lines)


def _watches_link() -> str:
    from directory_app.public_links import public_url

    return public_url("watch.watches")
