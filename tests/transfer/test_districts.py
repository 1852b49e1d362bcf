"""Official consular districts through the web: upload, preview (nothing written), commit."""

from __future__ import annotations

import io

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict
from tests.conftest import login_as
from tests.transfer.test_views import csrf_token_of

OFFICIAL = "consulate_code,admin_unit_code\nMX-US-SAN-DIEGO,US-06073\nMX-US-SAN-DIEGO,US-06025\n"


def units_of(app, code: str) -> set[str]:
    with app.app_context():
        district = db.session.scalar(select(ConsularDistrict).where(ConsularDistrict.code == code))
        return {u.code for u in district.units} if district else set()


def _upload(web, content: str, name: str = "official.csv"):
    token = csrf_token_of(web.get("/transfer/districts").get_data(as_text=True))
    return web.post(
        "/transfer/districts",
        data={"csrf_token": token, "file": (io.BytesIO(content.encode()), name)},
        content_type="multipart/form-data",
    )


def test_district_import_preview_then_commit(fresh_app):
    web = login_as(fresh_app.test_client(), "ts_admin")
    before = units_of(fresh_app, "MX-US-SAN-DIEGO")
    assert "US-06025" in units_of(fresh_app, "MX-US-CALEXICO")
    response = _upload(web, OFFICIAL)
    assert response.status_code == 302
    preview = web.get(response.location)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "MX-US-SAN-DIEGO" in html and "MX-US-CALEXICO" in html
    assert units_of(fresh_app, "MX-US-SAN-DIEGO") == before  # the preview wrote nothing
    done = web.post(response.location.replace("/preview", "/commit"), data={"csrf_token": csrf_token_of(html)})
    assert done.status_code == 200
    assert units_of(fresh_app, "MX-US-SAN-DIEGO") == {"US-06073", "US-06025"}
    assert "US-06025" not in units_of(fresh_app, "MX-US-CALEXICO")


def test_bad_district_file_changes_nothing(fresh_app):
    web = login_as(fresh_app.test_client(), "ts_admin")
    before = units_of(fresh_app, "MX-US-SAN-DIEGO")
    response = _upload(web, OFFICIAL + "MX-US-NOWHERE,US-06001\n", "official-mx.csv")
    preview = web.get(response.location)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 400 and "official-mx.csv, row 4" in html
    assert "/uploads/" not in html and "instance" not in html  # the person's file, not the server's path
    assert units_of(fresh_app, "MX-US-SAN-DIEGO") == before
    assert _upload(web, "name,kind\n", "x.xlsx").status_code == 400


def test_district_import_is_for_the_ts_only(client_as, client):
    assert client.get("/transfer/districts").status_code == 302
    for role in ("consular", "country_contact"):
        assert client_as(role).get("/transfer/districts").status_code == 403
