"""Pages of the OGC `organisations` collection without box nor filter (issue 21): chosen by the sites'
own copy of their organisation's status (Location.organisation_status), so that a far offset walks one
index without joining the organisations. The copy must follow every status, whoever writes it: the demo
generator's bulk rows, a new entry, a change of status; pages must stay what a brute force over the
organisations' own status says."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from directory_app.api.ogc_features import ItemQuery, Viewer, organisation_sites
from directory_app.extensions import db
from directory_app.organisations.entry_data import EntryData
from directory_app.organisations.models import Location, Organisation, Status
from directory_app.organisations.services import create_organisation, update_organisation

ITEMS = "/ogc/collections/organisations/items"


def _published_site_uuids() -> list[str]:
    """The published sites in id order, by the organisations' own status (not the copy)."""
    return list(
        db.session.scalars(
            select(Location.uuid)
            .join(Organisation, Organisation.id == Location.organisation_id)
            .where(Organisation.status == Status.PUBLISHED)
            .order_by(Location.id)
        )
    )


def _all_pages(client, limit: int = 1000) -> tuple[list[str], set[int]]:
    ids, matched, offset = [], set(), 0
    while True:
        page = client.get(f"{ITEMS}?limit={limit}&offset={offset}").get_json()
        matched.add(page["numberMatched"])
        if not page["features"]:
            return ids, matched
        ids += [f["id"] for f in page["features"]]
        offset += limit


def test_every_site_carries_its_organisations_status(app):
    """The world was written by the demo generator (Core inserts) and `flask setup`."""
    with app.app_context():
        rows = db.session.execute(
            select(Location.organisation_status, Organisation.status).join(
                Organisation, Organisation.id == Location.organisation_id
            )
        ).all()
    assert rows and all(copy == status for copy, status in rows)
    assert {status for _copy, status in rows} >= {Status.PUBLISHED, Status.DRAFT}


@pytest.mark.parametrize("limit", [1, 7, 100])
def test_pages_without_filter_are_the_brute_force_in_order(app, client, limit):
    with app.app_context():
        expected = _published_site_uuids()
    assert len(expected) > 100
    for offset in (0, 3, limit, len(expected) // 2 + 1, len(expected) - limit + 2, len(expected)):
        page = client.get(f"{ITEMS}?limit={limit}&offset={offset}").get_json()
        assert [f["id"] for f in page["features"]] == expected[offset : offset + limit], offset
        assert page["numberMatched"] == len(expected)
        assert bool([link for link in page["links"] if link["rel"] == "next"]) == (offset + limit < len(expected))
    hits = client.get(f"{ITEMS}?limit={limit}&resulttype=hits").get_json()
    assert hits["numberMatched"] == len(expected) and hits["features"] == []


def test_a_sortby_page_still_reads_whole_features(app, client):
    """Pages with sortby go through the same two steps (ids, then the page's columns): the order is
    the one asked, each feature whole."""
    with app.app_context():
        expected = _published_site_uuids()
    features = client.get(f"{ITEMS}?limit=1000&sortby=-name").get_json()["features"]
    names = [f["properties"]["name"] for f in features]
    assert names == sorted(names, reverse=True) and len(features) == min(1000, len(expected))
    assert {f["id"] for f in features} <= set(expected)
    assert all(f["geometry"]["type"] == "Point" and f["properties"]["organisation_id"] for f in features)


def _plan(connection, statement: str, parameters) -> str:
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        return "\n".join(str(row[-1]) for row in rows)
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # the world is small: see whether it can
    return "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters).all())


def test_a_page_without_filter_walks_the_status_index_alone(app):
    with app.app_context():
        seen: list[tuple[str, object]] = []

        def keep(_conn, _cursor, statement, parameters, _context, _many):
            if "OFFSET" in statement.upper():
                seen.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            features, matched = organisation_sites(ItemQuery(limit=5, offset=50), Viewer("public"))
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
        assert len(seen) == 1 and len(features) == 5 and matched > 55
        statement, parameters = seen[0]
        assert "organisation." not in statement.lower()  # no join: the site row says whether it is published
        assert "ix_location_status_page" in _plan(db.session.connection(), statement, parameters)
        db.session.rollback()


def test_status_changes_and_new_entries_reach_the_sites(fresh_app):
    client = fresh_app.test_client()
    with fresh_app.app_context():
        org = db.session.scalars(
            select(Organisation).where(Organisation.status == Status.PUBLISHED, Organisation.locations.any())
        ).first()
        org_id, sites = org.id, {s.uuid for s in org.locations}
        positions = {s.uuid: (s.public_lon, s.public_lat) for s in org.locations}
        before = _published_site_uuids()
        update_organisation(org, EntryData.from_json({"status": "archived"}, partial=True))
        db.session.commit()
        copies = db.session.scalars(select(Location.organisation_status).where(Location.organisation_id == org_id))
        assert set(copies) == {Status.ARCHIVED}
    ids, matched = _all_pages(client)
    assert ids == [u for u in before if u not in sites] and matched == {len(before) - len(sites)}
    for uuid in sites:
        assert client.get(f"{ITEMS}/{uuid}").status_code == 404
        box = ",".join(str(v) for v in (*positions[uuid], *positions[uuid]))  # the site's own point
        assert uuid not in {f["id"] for f in client.get(f"{ITEMS}?bbox={box}&limit=1000").get_json()["features"]}

    with fresh_app.app_context():
        update_organisation(
            db.session.get(Organisation, org_id), EntryData.from_json({"status": "published"}, partial=True)
        )
        new = create_organisation(
            {
                "name": "Casa Nueva del Migrante",
                "kind": "shelter",
                "country_code": "MX",
                "status": "published",
                "locations": [{"lon": -99.13, "lat": 19.43}, {"lon": -99.2, "lat": 19.5}],
                "services": [{"category": "shelter"}],
                "coverage": [],
            }
        )
        draft = create_organisation(
            {
                "name": "Borrador",
                "kind": "shelter",
                "country_code": "MX",
                "status": "draft",
                "locations": [{"lon": -99.1, "lat": 19.4}],
                "services": [],
                "coverage": [],
            }  # fmt: skip
        )
        db.session.commit()
        new_sites = [s.uuid for s in sorted(new.locations, key=lambda s: s.id)]
        draft_sites = {s.uuid for s in draft.locations}
        assert {s.organisation_status for s in new.locations} == {Status.PUBLISHED}
        assert {s.organisation_status for s in draft.locations} == {Status.DRAFT}
        assert _published_site_uuids() == [*before, *new_sites]
    ids, matched = _all_pages(client)
    assert ids == [*before, *new_sites] and matched == {len(before) + 2}
    for uuid in sites:  # published again: found in a box around it
        box = ",".join(str(v) for v in (*positions[uuid], *positions[uuid]))
        assert uuid in {f["id"] for f in client.get(f"{ITEMS}?bbox={box}&limit=1000").get_json()["features"]}
    assert not draft_sites & set(ids)
    assert client.get(f"{ITEMS}/{new_sites[0]}").get_json()["properties"]["name"] == "Casa Nueva del Migrante"
