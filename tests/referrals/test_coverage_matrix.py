"""The coverage overview: counts equal a direct count, sorting, filtering, gaps marked in
text, and the CSV download with formula cells neutralised."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from directory_app import vocabulary
from directory_app.extensions import db
from directory_app.geography.models import ConsularDistrict, Consulate
from directory_app.organisations.models import DistrictCoverage, Service, Status
from directory_app.referrals.coverage_matrix import coverage_matrix, neutralise_cell

CATEGORIES = [t.code for t in vocabulary.SERVICE_CATEGORIES]


@pytest.fixture
def rctx(app):
    with app.test_request_context("/"):
        yield
        db.session.rollback()


def direct_counts() -> dict[str, dict[str | None, int]]:
    """district code -> {category: organisations, None: all}, counted in Python."""
    codes = dict(db.session.execute(select(ConsularDistrict.id, ConsularDistrict.code)).all())
    categories: dict[int, set[str]] = {}
    for org_id, code in db.session.execute(select(Service.organisation_id, Service.category_code)):
        categories.setdefault(org_id, set()).add(code)
    counts: dict[str, dict[str | None, int]] = {code: {} for code in codes.values()}
    for district_id, org_id, status in db.session.execute(
        select(DistrictCoverage.district_id, DistrictCoverage.organisation_id, DistrictCoverage.status)
    ):
        if status != Status.PUBLISHED:
            continue
        cells = counts[codes[district_id]]
        cells[None] = cells.get(None, 0) + 1
        for category in categories.get(org_id, ()):
            cells[category] = cells.get(category, 0) + 1
    return counts


@pytest.mark.usefixtures("rctx")
def test_counts_equal_a_direct_count():
    expected = direct_counts()
    rows = coverage_matrix()
    assert {r.code for r in rows} == set(expected)
    for row in rows:
        assert row.total == expected[row.code].get(None, 0)
        for category in CATEGORIES:
            assert row.count(category) == expected[row.code].get(category, 0), (row.code, category)
    assert any(r.total for r in rows) and any(r.count(c) == 0 for r in rows for c in CATEGORIES)


@pytest.mark.usefixtures("rctx")
def test_sorting_and_filtering():
    by_name = coverage_matrix(sort="district")
    assert [r.name.casefold() for r in by_name] == sorted(r.name.casefold() for r in by_name)
    by_total = coverage_matrix(sort="total")
    assert [r.total for r in by_total] == sorted((r.total for r in by_total), reverse=True)
    by_legal = coverage_matrix(sort="legal_assistance")
    legal = [r.count("legal_assistance") for r in by_legal]
    assert legal == sorted(legal, reverse=True)
    guatemala = coverage_matrix("GT")
    assert guatemala and {r.sending_country_code for r in guatemala} == {"GT"}
    assert {r.code: r.counts for r in guatemala} == {
        r.code: r.counts for r in by_name if r.sending_country_code == "GT"
    }
    with pytest.raises(ValueError):
        coverage_matrix(sort="name; drop table")


def test_page_shows_the_matrix_with_gaps_marked_in_text(client):
    page = client.get("/coverage?sending=GT&lang=en")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    with client.application.test_request_context("/"):
        rows = coverage_matrix("GT", lang="en")
    body = text.split("<tbody>")[1].split("</tbody>")[0]
    assert body.count("<tr>") == len(rows)
    zeros = sum(1 for r in rows for c in CATEGORIES if r.count(c) == 0)
    assert body.count('<td class="num zero">0<span class="visually-hidden"> (gap)</span></td>') == zeros
    first = rows[0]
    cells = body.split("</tr>")[0]
    assert first.code in cells
    numbers = [int(n) for n in re.findall(r'<td class="num[^"]*">(?:<a [^>]*>)?(\d+)', cells)]
    assert numbers == [first.total] + [first.count(c) for c in CATEGORIES]
    assert '<option value="GT" selected>' in text
    assert "/organisations?district=" in body


def test_page_sorts_by_a_service(client):
    text = client.get("/coverage?sort=shelter&lang=en").get_data(as_text=True)
    assert '<option value="shelter" selected>' in text
    with client.application.test_request_context("/"):
        rows = coverage_matrix(sort="shelter", lang="en")
    links = re.findall(r'<th scope="row"><a href="/districts/([^"]+)">', text)
    assert links == [r.code for r in rows]


@pytest.mark.parametrize("query", ["sort=bogus", "sending=ZZ", "sending=<b>", "sending=GTM"])
def test_bad_filters_get_a_message(client, query):
    page = client.get(f"/coverage?{query}&lang=en")
    assert page.status_code == 400
    assert "Unknown" in page.get_data(as_text=True)
    assert client.get(f"/coverage.csv?{query}").status_code == 400


def test_csv_download_has_the_same_numbers(client):
    response = client.get("/coverage.csv?sending=MX&sort=total")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    # "sample-data-coverage-mx.csv" while the demo organisations exist (tests/main/test_sample_data.py)
    assert response.headers["Content-Disposition"].endswith('coverage-mx.csv"')
    table = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    header, data = table[0], table[1:]
    assert header[:7] == ["district", "consulate", "city", "host_country", "sending_country", "approximate", "total"]
    assert header[7 : 7 + len(CATEGORIES)] == CATEGORIES
    with client.application.test_request_context("/"):
        rows = coverage_matrix("MX", "total", "en")
    assert [d[0] for d in data] == [r.code for r in rows]
    for d, r in zip(data, rows):
        assert int(d[6]) == r.total
        assert [int(x) for x in d[7 : 7 + len(CATEGORIES)]] == [r.count(c) for c in CATEGORIES]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_cells_are_neutralised(start):
    assert neutralise_cell(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"
    assert neutralise_cell("Consulado =1") == "Consulado =1"
    assert neutralise_cell(5) == 5


def test_csv_neutralises_a_formula_in_a_consulate_name(fresh_app):
    with fresh_app.app_context():
        consulate = db.session.scalar(select(Consulate).where(Consulate.code == "MX-US-LOS-ANGELES"))
        consulate.name_es = consulate.name_en = '=HYPERLINK("http://evil.example","x")'
        consulate.city = "@SUM(A1)"
        db.session.commit()
    text = fresh_app.test_client().get("/coverage.csv?sending=MX").get_data().decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(text)) if r[0] == "MX-US-LOS-ANGELES")
    assert row[1] == '\'=HYPERLINK("http://evil.example","x")'
    assert row[2] == "'@SUM(A1)"
