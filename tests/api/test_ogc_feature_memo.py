"""The features of /ogc's `organisations` pages are kept per version of the directory's data and kind of
reader (api.ogc_features._page_features): a page must never show a feature older than the last edit
made through the web, nor one reader's positions to another."""

from __future__ import annotations

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Location, Organisation, Status
from tests.review.helpers import open_form

ITEMS = "/ogc/collections/organisations/items"


def _box_around(lon: float, lat: float) -> str:
    return f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}"


def _feature(client, box: str, uuid: str) -> dict:
    page = client.get(f"{ITEMS}?f=json&limit=1000&bbox={box}").get_json()
    return next(f for f in page["features"] if f["properties"]["organisation_id"] == uuid)


def _first_published_site(hidden: bool) -> Location:
    """The first site of a published organisation that hides (or shows) its exact location."""
    return db.session.scalars(
        select(Location)
        .join(Organisation)
        .where(Organisation.hide_exact_location.is_(hidden), Organisation.status == Status.PUBLISHED)
        .order_by(Location.id)
    ).first()


def test_an_edit_through_the_form_shows_at_once_in_a_page_read_before_it(fresh_app, login_as):
    with fresh_app.app_context():
        site = _first_published_site(hidden=False)
        uuid, site_uuid, lon, lat = site.organisation.uuid, site.uuid, site.lon, site.lat
    public = fresh_app.test_client()
    box = _box_around(lon, lat)
    before = _feature(public, box, uuid)
    assert before["properties"]["name"] != "Casa del Migrante Renombrada"
    single = public.get(f"{ITEMS}/{site_uuid}?f=json").get_json()  # kept under its uuid
    assert single["properties"]["name"] == before["properties"]["name"]

    ts = login_as(fresh_app.test_client(), "ts_admin")
    form = open_form(ts, f"/organisations/{uuid}/edit")
    moved = {"name": "Casa del Migrante Renombrada", "locations-0-lat": f"{lat + 0.005:.6f}"}
    assert ts.post(f"/organisations/{uuid}/edit", data=form | moved).status_code == 302

    after = _feature(public, box, uuid)
    assert after["properties"]["name"] == "Casa del Migrante Renombrada"
    assert after["geometry"]["coordinates"][1] == round(lat + 0.005, 5)
    assert after["properties"]["updated"] > before["properties"]["updated"]
    single = public.get(f"{ITEMS}/{site_uuid}?f=json").get_json()
    assert (single["properties"]["name"], single["geometry"]) == (after["properties"]["name"], after["geometry"])


def test_a_hidden_sites_exact_point_read_by_the_ts_is_never_shown_to_the_public(fresh_app, login_as):
    with fresh_app.app_context():
        site = _first_published_site(hidden=True)
        exact, public_point = (site.lon, site.lat), (site.public_lon, site.public_lat)
        uuid = site.uuid
    assert exact != public_point
    # One box holding both points: the same page for both readers, the TS's first.
    west, east = min(exact[0], public_point[0]) - 0.01, max(exact[0], public_point[0]) + 0.01
    south, north = min(exact[1], public_point[1]) - 0.01, max(exact[1], public_point[1]) + 0.01
    url = f"{ITEMS}?f=json&limit=1000&bbox={west},{south},{east},{north}"
    ts = login_as(fresh_app.test_client(), "ts_admin")
    for _ in range(2):
        seen_by_ts = next(f for f in ts.get(url).get_json()["features"] if f["id"] == uuid)
        seen_by_public = next(f for f in fresh_app.test_client().get(url).get_json()["features"] if f["id"] == uuid)
        if _:  # the second time, the single feature too, read by each
            alone = fresh_app.test_client().get(f"{ITEMS}/{uuid}?f=json").get_json()
            assert alone["geometry"] == seen_by_public["geometry"]
            assert ts.get(f"{ITEMS}/{uuid}?f=json").get_json()["geometry"] == seen_by_ts["geometry"]
        assert seen_by_ts["geometry"]["coordinates"] == [round(exact[0], 5), round(exact[1], 5)]
        assert seen_by_ts["properties"]["exact_position"] is True
        assert seen_by_public["geometry"]["coordinates"] == [round(public_point[0], 5), round(public_point[1], 5)]
        assert seen_by_public["properties"]["exact_position"] is False


def test_the_memo_stays_within_its_bound_and_pages_stay_whole(app, client, monkeypatch):
    from directory_app.api import ogc_features

    monkeypatch.setattr(ogc_features, "FEATURES_KEPT", 100)  # a page of 40: 80 entries
    # Empty to start: an earlier test in this worker may have kept this same database and version's
    # features (the bound is kept as features are added, and 100 is not the bound they were added under).
    monkeypatch.setattr(ogc_features, "_FEATURES", {})
    first = client.get(f"{ITEMS}?f=json&limit=40").get_json()
    ids, offset = [], 0
    while page := client.get(f"{ITEMS}?f=json&limit=40&offset={offset}").get_json()["features"]:
        assert all(f["geometry"]["type"] == "Point" and f["properties"]["name"] for f in page)
        ids += [f["id"] for f in page]
        offset += 40
        assert sum(len(kept) for kept in ogc_features._FEATURES.values()) <= 100
    assert len(ids) == len(set(ids)) == first["numberMatched"] > 100
    assert client.get(f"{ITEMS}?f=json&limit=40").get_json()["features"] == first["features"]
    for feature in first["features"][:5]:  # single features, kept under their uuid
        one = client.get(f"{ITEMS}/{feature['id']}?f=json").get_json()
        assert {k: one[k] for k in ("id", "geometry", "properties")} == {
            k: feature[k] for k in ("id", "geometry", "properties")
        }


def test_a_site_moved_through_the_form_leaves_a_box_read_before_the_move(fresh_app, login_as):
    """A box's sites and count are kept per version too (organisations.site_points): the move shows in
    the next page, for the public and for the TS."""
    with fresh_app.app_context():
        site = _first_published_site(hidden=False)
        uuid, site_uuid, lon, lat = site.organisation.uuid, site.uuid, site.lon, site.lat
    ts = login_as(fresh_app.test_client(), "ts_admin")
    readers = {"public": fresh_app.test_client(), "ts": ts}
    old_box, new_box = _box_around(lon, lat), _box_around(lon, lat + 0.05)

    def box_page(reader, box):
        page = reader.get(f"{ITEMS}?f=json&limit=1000&bbox={box}").get_json()
        assert page["numberMatched"] == len(page["features"])
        return {f["id"] for f in page["features"]}

    before = {name: (box_page(r, old_box), box_page(r, new_box)) for name, r in readers.items()}
    assert all(site_uuid in old and site_uuid not in new for old, new in before.values())

    form = open_form(ts, f"/organisations/{uuid}/edit")
    assert (
        ts.post(f"/organisations/{uuid}/edit", data=form | {"locations-0-lat": f"{lat + 0.05:.6f}"}).status_code == 302
    )

    for name, reader in readers.items():
        old, new = box_page(reader, old_box), box_page(reader, new_box)
        assert old == before[name][0] - {site_uuid}
        assert new == before[name][1] | {site_uuid}
