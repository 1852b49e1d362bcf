"""Following districts and organisations: follow, unfollow, and who follows what. Only flush."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from directory_app.accounts.models import User
from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from directory_app.organisations.models import Organisation, Status
from directory_app.watch.models import Watch


def find_watch(user: User, *, district: ConsularDistrict | None = None, organisation: Organisation | None = None):
    """The user's watch on this district or organisation, or None."""
    query = select(Watch).where(Watch.user_id == user.id)
    if district is not None:
        query = query.where(Watch.district_id == district.id)
    else:
        query = query.where(Watch.organisation_id == organisation.id)
    return db.session.scalar(query)


def follow(user: User, *, district: ConsularDistrict | None = None, organisation: Organisation | None = None) -> Watch:
    """The user follows the district or the (published) organisation; following twice is one watch."""
    if (district is None) == (organisation is None):
        raise ValueError("follow one district or one organisation")
    if organisation is not None and organisation.status != Status.PUBLISHED:
        raise ValueError("only a published organisation can be followed")
    found = find_watch(user, district=district, organisation=organisation)
    if found is not None:
        return found
    watch = Watch(
        user_id=user.id,
        district_id=district.id if district is not None else None,
        organisation_id=organisation.id if organisation is not None else None,
    )
    try:
        with db.session.begin_nested():  # flushes; a double click that raced this one may have added it
            db.session.add(watch)
    except IntegrityError:
        return find_watch(user, district=district, organisation=organisation)
    return watch


def unfollow(user: User, *, district: ConsularDistrict | None = None, organisation: Organisation | None = None) -> bool:
    """The user stops following; False when they did not follow it."""
    query = delete(Watch).where(Watch.user_id == user.id)
    if district is not None:
        query = query.where(Watch.district_id == district.id)
    else:
        query = query.where(Watch.organisation_id == organisation.id)
    return db.session.execute(query.execution_options(synchronize_session=False)).rowcount > 0


@dataclass(frozen=True)
class WatchRow:
    """One line of a person's list of watches."""

    kind: str  # "district" or "organisation"
    key: str  # the district's code or the organisation's uuid
    name: str
    since: object


def watches_of(user: User, language: str) -> list[WatchRow]:
    """What the user follows: districts (by their consulate's name), then organisations (by name)."""
    rows: list[WatchRow] = []
    districts = db.session.execute(
        select(ConsularDistrict, Watch.created_at)
        .join(Watch, Watch.district_id == ConsularDistrict.id)
        .where(Watch.user_id == user.id)
        .order_by(ConsularDistrict.code)
    ).all()
    rows += [WatchRow("district", d.code, d.consulate.name(language), since) for d, since in districts]
    organisations = db.session.execute(
        select(Organisation.uuid, Organisation.name, Watch.created_at)
        .join(Watch, Watch.organisation_id == Organisation.id)
        .where(Watch.user_id == user.id)
        .order_by(Organisation.sort_name, Organisation.id)
    ).all()
    rows += [WatchRow("organisation", uuid, name, since) for uuid, name, since in organisations]
    return rows


def district_watchers(district_ids: set[int]) -> list[tuple[int, int]]:
    """(user id, district id) of every watch on these districts."""
    if not district_ids:
        return []
    query = select(Watch.user_id, Watch.district_id).where(Watch.district_id.in_(sorted(district_ids)))
    return [(user_id, district_id) for user_id, district_id in db.session.execute(query)]


def organisation_watchers(organisation_id: int) -> list[int]:
    """The ids of the users who follow this organisation."""
    return list(db.session.scalars(select(Watch.user_id).where(Watch.organisation_id == organisation_id)))
