"""A partial official district is safe: the units an import takes from a district, or leaves out, go back
to the nearest consulate of that sending country, so that no unit of a host country is left without a
district of a sending country that has consulates there; the preview (web form and command line) says
which units move where. `flask setup` leaves what an upload made official as it is."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import func, select

from directory_app.cli.setup import load_official_districts
from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, ConsularDistrict, Consulate, district_unit
from tests.conftest import login_as
from tests.transfer.test_views import csrf_token_of

DATA = Path(__file__).resolve().parents[2] / "data"


def _upload(web, content: str, name: str = "official.csv"):
    token = csrf_token_of(web.get("/transfer/districts").get_data(as_text=True))
    return web.post(
        "/transfer/districts",
        data={"csrf_token": token, "file": (io.BytesIO(content.encode()), name)},
        content_type="multipart/form-data",
    )


def units_of(app, code: str) -> dict[str, bool]:
    """unit code -> official, of a district."""
    with app.app_context():
        rows = db.session.execute(
            select(AdminUnit.code, district_unit.c.source_id)
            .join(district_unit, district_unit.c.admin_unit_id == AdminUnit.id)
            .join(ConsularDistrict, ConsularDistrict.id == district_unit.c.district_id)
            .where(ConsularDistrict.code == code)
        ).all()
        return {unit: source is not None for unit, source in rows}


def district_of(app, sending: str, unit_code: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(ConsularDistrict.code)
                .join(district_unit, district_unit.c.district_id == ConsularDistrict.id)
                .join(AdminUnit, AdminUnit.id == district_unit.c.admin_unit_id)
                .where(AdminUnit.code == unit_code, ConsularDistrict.sending_country_code == sending)
            )
        )


def assert_every_unit_has_one_district_per_sending_country(app, host: str) -> None:
    with app.app_context():
        leaves = db.session.scalar(
            select(func.count()).select_from(AdminUnit).where(AdminUnit.country_code == host, AdminUnit.is_leaf)
        )
        senders = set(
            db.session.scalars(
                select(ConsularDistrict.sending_country_code)
                .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
                .where(Consulate.host_country_code == host)
            )
        )
        assert senders
        for sending in sorted(senders):
            counted = db.session.execute(
                select(func.count(), func.count(func.distinct(district_unit.c.admin_unit_id)))
                .select_from(district_unit)
                .join(ConsularDistrict, ConsularDistrict.id == district_unit.c.district_id)
                .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
                .where(ConsularDistrict.sending_country_code == sending, Consulate.host_country_code == host)
            ).one()
            assert tuple(counted) == (leaves, leaves), (sending, host)


def test_a_partial_district_through_the_web_form_leaves_no_unit_without_a_district(fresh_app):
    """Albuquerque's file names only Bernalillo County: the 36 Texas counties the shipped data gave it and
    its other New Mexico counties go back to the nearest consulates; none is left without a district."""
    before = units_of(fresh_app, "MX-US-ALBUQUERQUE")
    assert before["US-48303"] and "US-35001" in before  # Lubbock (official) and Bernalillo
    web = login_as(fresh_app.test_client(), "ts_admin")
    response = _upload(web, "consulate_code,admin_unit_code\nMX-US-ALBUQUERQUE,US-35001\n", "albuquerque.csv")
    assert response.status_code == 302
    preview = web.get(response.location)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert units_of(fresh_app, "MX-US-ALBUQUERQUE") == before  # the preview wrote nothing
    moved = len(before) - 1
    counts = re.findall(r"<tr><td>MX-US-ALBUQUERQUE</td><td>([A-Z-]+)</td><td>(\d+)</td></tr>", html)
    assert counts and sum(int(n) for _, n in counts) == moved
    assert f"The {moved} units that move" in html
    assert "Lubbock (US-48303)</td><td>MX-US-ALBUQUERQUE</td>" in html
    assert "approximate: nearest consulate" in html
    assert "1 unit stays in its district and becomes official." in html  # Bernalillo

    done = web.post(response.location.replace("/preview", "/commit"), data={"csrf_token": csrf_token_of(html)})
    assert done.status_code == 200
    assert units_of(fresh_app, "MX-US-ALBUQUERQUE") == {"US-35001": True}
    lubbock = district_of(fresh_app, "MX", "US-48303")
    assert len(lubbock) == 1 and lubbock[0] in {to for to, _ in counts}
    assert not units_of(fresh_app, lubbock[0])["US-48303"]  # back to the default, approximate
    assert_every_unit_has_one_district_per_sending_country(fresh_app, "US")
    page = web.get("/districts/MX-US-ALBUQUERQUE?lang=en").get_data(as_text=True)
    assert "Official consular district." in page and "albuquerque.csv" in page


def test_a_unit_taken_from_an_official_district_moves_and_the_rest_stays_official(fresh_app, tmp_path):
    """The command line: one Kansas county given to Denver (scope units) leaves Kansas City's district
    official for its other 219 units, and says which unit moved."""
    path = tmp_path / "denver.csv"
    path.write_text(
        "consulate_code,admin_unit_code,scope,source,source_date\n"
        "MX-US-DENVER,US-20001,units,https://example.org/denver,2026-01-15\n"
    )
    with fresh_app.app_context():
        result = fresh_app.test_cli_runner().invoke(args=["import-districts", str(path)])
    assert result.exit_code == 0, result.output
    assert "MX-US-KANSAS-CITY -> MX-US-DENVER: 1 admin unit" in result.output
    assert "US-20001 Allen: MX-US-KANSAS-CITY -> MX-US-DENVER (official)" in result.output
    kansas = units_of(fresh_app, "MX-US-KANSAS-CITY")
    assert len(kansas) == 219 and all(kansas.values())
    assert units_of(fresh_app, "MX-US-DENVER")["US-20001"] is True
    with fresh_app.app_context():
        denver = db.session.scalar(select(ConsularDistrict).where(ConsularDistrict.code == "MX-US-DENVER"))
        assert (denver.provenance, denver.official_units, denver.source_date.isoformat()) == ("mixed", 1, "2026-01-15")
        # flask setup loads the shipped files again, and leaves the upload's unit where it put it
        said: list[str] = []
        load_official_districts(DATA / "districts", said.append)
        db.session.commit()
    assert (
        "official districts of mx-us-kansas-city.csv: 1 districts, 220 units; 1 units kept as an upload made them"
        in said
    )
    assert district_of(fresh_app, "MX", "US-20001") == ["MX-US-DENVER"]
    assert len(units_of(fresh_app, "MX-US-KANSAS-CITY")) == 219
    assert_every_unit_has_one_district_per_sending_country(fresh_app, "US")


def test_a_province_left_out_of_every_complete_district_goes_to_the_nearest_open_office(fresh_app):
    """Toronto's file names Ontario only: Manitoba, which the shipped data gives Toronto, goes to the
    nearest Mexican office whose district is not complete (Leamington or Ottawa), approximate."""
    web = login_as(fresh_app.test_client(), "ts_admin")
    response = _upload(web, "consulate_code,admin_unit_code\nMX-CA-TORONTO,CA-ON\n")
    html = web.get(response.location).get_data(as_text=True)
    assert "Manitoba (CA-MB)</td><td>MX-CA-TORONTO</td>" in html
    web.post(response.location.replace("/preview", "/commit"), data={"csrf_token": csrf_token_of(html)})
    manitoba = district_of(fresh_app, "MX", "CA-MB")
    assert len(manitoba) == 1 and manitoba[0] in {"MX-CA-LEAMINGTON", "MX-CA-OTTAWA"}
    assert units_of(fresh_app, manitoba[0]) == {"CA-MB": False}
    assert_every_unit_has_one_district_per_sending_country(fresh_app, "CA")


def test_bad_source_columns_are_refused_with_row_and_field_and_change_nothing(fresh_app):
    web = login_as(fresh_app.test_client(), "ts_admin")
    before = units_of(fresh_app, "MX-US-OXNARD")
    for content, expected in (
        (
            "consulate_code,admin_unit_code,source_date\nMX-US-OXNARD,US-06111,2022-13-01\n",
            "row 2, field &#39;source_date&#39;: &#39;2022-13-01&#39; is not a date",
        ),
        (
            "consulate_code,admin_unit_code,scope\nMX-US-OXNARD,US-06111,district\nMX-US-OXNARD,US-06083,units\n",
            "row 3, field &#39;scope&#39;: every row of MX-US-OXNARD must have the same scope",
        ),
        (
            "consulate_code,admin_unit_code,admin_unit_name\nMX-US-OXNARD,US-06111,Kern\n",
            "row 2, field &#39;admin_unit_name&#39;: US-06111 is Ventura, not &#39;Kern&#39;",
        ),
        (
            "consulate_code,admin_unit_code,secondary_source\nMX-US-OXNARD,US-06111,maybe\n",
            "field &#39;secondary_source&#39;",
        ),
    ):
        response = _upload(web, content, "bad.csv")
        preview = web.get(response.location)
        html = preview.get_data(as_text=True)
        assert preview.status_code == 400, content
        assert expected in html, html[html.find('class="notice error"') :][:400]
    assert units_of(fresh_app, "MX-US-OXNARD") == before
