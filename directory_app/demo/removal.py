"""Taking the demo organisations out again (`flask demo --remove`), before a directory goes live.

Only the organisations whose external id starts with vocabulary.SAMPLE_DATA_PREFIX go, with what the
database deletes with them (sites, services, contacts, coverage, district coverage and its counts:
ON DELETE CASCADE), and the demo network once nobody is in it. Rows of other features that point at an
organisation without cascading (the review history) are deleted first by the caller's `before_delete`,
handed the ids, so that this module needs no other feature. Real entries are left alone."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete, exists, select

from directory_app import vocabulary
from directory_app.extensions import db
from directory_app.organisations.models import Network, Organisation, organisation_network

CHUNK = 5_000


def demo_organisation_ids() -> list[int]:
    prefix = Organisation.external_id.startswith(vocabulary.SAMPLE_DATA_PREFIX, autoescape=True)
    return list(db.session.scalars(select(Organisation.id).where(prefix).order_by(Organisation.id)))


def remove_demo(before_delete: Callable[[list[int]], None] = lambda ids: None) -> int:
    """Delete every demo organisation; returns how many went."""
    from directory_app.demo.generator import DEMO_NETWORK

    ids = demo_organisation_ids()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        before_delete(chunk)
        db.session.execute(delete(Organisation).where(Organisation.id.in_(chunk)))
    members = exists().where(organisation_network.c.network_id == Network.id)
    db.session.execute(delete(Network).where(Network.code == DEMO_NETWORK[0], ~members))
    db.session.expire_all()
    return len(ids)
