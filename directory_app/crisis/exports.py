"""A crisis report as files: CSV, XLSX, GeoJSON (the PDF is the report page laid out by WeasyPrint:
referrals.sheet_pdf, in crisis.views).

Every export is made from the report the reader was given (crisis.report.build_report with the reader's
`exact`): a public reader's file holds only public site positions. Text cells that a spreadsheet could
run as a formula are neutralised (referrals.coverage_matrix.neutralise_cell, the guard of every CSV the
directory writes); XLSX cells are written as text, never as formulas.
"""

from __future__ import annotations

import csv
import io
import json

import shapely

from directory_app.referrals.coverage_matrix import neutralise_cell

COLUMNS = (
    "section",
    "code",
    "name",
    "country",
    "share_of_area",
    "share_of_district",
    "services",
    "phones",
    "emails",
    "website",
    "last_verified",
    "site_inside_area",
    "consulate",
    "consulate_city",
)
DISTRICT_COLUMNS = (
    "code",
    "name",
    "sending_country",
    "host_country",
    "share_of_district",
    "share_of_area",
    "consulate",
    "consulate_city",
    "consulate_phone",
    "consulate_email",
    "consulate_url",
)
ORGANISATION_COLUMNS = (
    "id",
    "name",
    "country",
    "share_of_area",
    "services",
    "phones",
    "emails",
    "website",
    "last_verified",
    "site_inside_area",
    "page",
)


def _share(value: float) -> float:
    return round(float(value), 4)


def district_rows(report) -> list[tuple]:
    """One row per affected district (DISTRICT_COLUMNS)."""
    return [
        (
            d.code,
            d.name,
            d.sending_country,
            d.host_country,
            _share(d.district_share),
            _share(d.area_share),
            d.consulate_name,
            d.consulate_city,
            d.consulate_phone or "",
            d.consulate_email or "",
            d.consulate_url or "",
        )
        for d in report.districts
    ]


def organisation_rows(report, page_url) -> list[tuple]:
    """One row per organisation (ORGANISATION_COLUMNS); `page_url(id)` gives its page's address."""
    return [
        (
            h.id,
            h.name,
            h.country,
            _share(h.area_share),
            " ".join(h.services),
            " | ".join(h.phones),
            " | ".join(h.emails),
            h.website or "",
            h.last_verified.isoformat() if h.last_verified else "",
            "yes" if h.site_inside else "no",
            page_url(h.id),
        )
        for h in report.organisations
    ]


def report_csv(report, page_url) -> bytes:
    """The report as one CSV table (COLUMNS): a row per district, per organisation, per service gap."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for d in report.districts:
        writer.writerow(
            _safe(
                [
                    "district",
                    d.code,
                    d.name,
                    d.sending_country,
                    _share(d.area_share),
                    _share(d.district_share),
                    "",
                    d.consulate_phone or "",
                    d.consulate_email or "",
                    d.consulate_url or "",
                    "",
                    "",
                    d.consulate_name,
                    d.consulate_city,
                ]
            )
        )
    for h in report.organisations:
        writer.writerow(
            _safe(
                [
                    "organisation",
                    h.id,
                    h.name,
                    h.country,
                    _share(h.area_share),
                    "",
                    " ".join(h.services),
                    " | ".join(h.phones),
                    " | ".join(h.emails),
                    h.website or page_url(h.id),
                    h.last_verified.isoformat() if h.last_verified else "",
                    "yes" if h.site_inside else "no",
                    "",
                    "",
                ]
            )
        )
    for g in report.gaps:
        writer.writerow(_safe(["service_gap", g.code, g.label] + [""] * (len(COLUMNS) - 3)))
    return out.getvalue().encode("utf-8-sig")


def report_xlsx(report, page_url, title: str) -> bytes:
    """The report as a workbook: sheets `crisis` (title, area), `districts`, `organisations`, `gaps`."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    about = workbook.create_sheet("crisis")
    about.append(_cells(about, ["title", title]))
    about.append(_cells(about, ["area_km2", round(report.area_km2, 1)]))
    for name, columns, rows in (
        ("districts", DISTRICT_COLUMNS, district_rows(report)),
        ("organisations", ORGANISATION_COLUMNS, organisation_rows(report, page_url)),
        ("gaps", ("service", "label"), [(g.code, g.label) for g in report.gaps]),
    ):
        sheet = workbook.create_sheet(name)
        sheet.append(_cells(sheet, list(columns)))
        for row in rows:
            sheet.append(_cells(sheet, list(row)))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def report_geojson(report, page_url, title: str) -> bytes:
    """The area (a Polygon/MultiPolygon feature, kind "area") and each organisation's sites (Point
    features, kind "site", at the positions the reader may see), with the districts in the area's
    properties."""
    area = {
        "type": "Feature",
        "geometry": json.loads(shapely.to_geojson(report.area)),
        "properties": {
            "kind": "area",
            "title": title,
            "area_km2": round(report.area_km2, 1),
            "districts": [dict(zip(DISTRICT_COLUMNS, row)) for row in district_rows(report)],
            "service_gaps": [g.code for g in report.gaps],
        },
    }
    features = [area]
    for row, hit in zip(organisation_rows(report, page_url), report.organisations):
        properties = dict(zip(ORGANISATION_COLUMNS, row)) | {"kind": "site", "exact": bool(report.exact)}
        for lon, lat in hit.positions:
            features.append(
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties}
            )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()


def _safe(cells: list) -> list:
    return [neutralise_cell(c) for c in cells]


def _cells(sheet, values: list) -> list:
    """Write-only cells: numbers as numbers, everything else as text (never a formula)."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value if isinstance(value, int | float) else str(value)[:32_000])
        if not isinstance(value, int | float):
            cell.data_type = "s"
        cells.append(cell)
    return cells
