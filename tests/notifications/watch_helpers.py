"""Helpers of the watch, feed and reminder tests: pick entries and districts from the world, follow
through the pages, read the outbox."""

from __future__ import annotations

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.notifications.models import OutboxMessage
from directory_app.organisations.models import DistrictCoverage, Location, Organisation, Phone, Status
from tests.review.helpers import any_token, text


def served_entry(app, *, country: str = "MX", hidden: bool | None = None, with_phone: bool = True) -> tuple[str, str]:
    """(uuid, district code) of a published entry of `country` (with a phone and an addressed site;
    hiding its exact location or not, when `hidden` says) and a district it serves."""
    with app.app_context():
        query = (
            select(Organisation.uuid, ConsularDistrict.code)
            .join(DistrictCoverage, DistrictCoverage.organisation_id == Organisation.id)
            .join(ConsularDistrict, ConsularDistrict.id == DistrictCoverage.district_id)
            .where(Organisation.country_code == country, Organisation.status == Status.PUBLISHED)
            .where(Organisation.id.in_(select(Location.organisation_id).where(Location.address != "")))
            .order_by(Organisation.id, DistrictCoverage.share.desc())
        )
        if with_phone:
            query = query.where(Organisation.id.in_(select(Phone.organisation_id)))
        if hidden is not None:
            query = query.where(Organisation.hide_exact_location.is_(hidden))
        return tuple(db.session.execute(query.limit(1)).one())


def follow(client, path: str, back: str = ""):
    """POST the follow (or unfollow) form of `path` with the session's CSRF token, as the page's button does."""
    return client.post(path, data={"csrf_token": any_token(client), "back": back})


def watch_messages(app, **where) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).filter_by(topic="watch", **where).order_by(OutboxMessage.id)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def outbox_count(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(OutboxMessage.id)).all())


__all__ = ["follow", "outbox_count", "served_entry", "text", "watch_messages"]
