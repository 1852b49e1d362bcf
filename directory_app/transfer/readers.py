"""Reading checked uploads into rows: CSV and Excel with the standard library and openpyxl, GeoJSON,
GeoPackage and Shapefile with pyogrio, and only after the content was judged (uploads.check_file)
and GDAL confirms the same driver: a file that GDAL would open with any other driver (a VRT
disguised as .gpkg or .shp, for one) is refused before a single feature is read. No reader reaches the
network: importing this module keeps GDAL off it (geo.gdal_offline), uploads.check_file refuses a GeoJSON
"crs" that points outside the file, and workbook_xml checks an Excel file's XML before openpyxl parses it."""

from __future__ import annotations

import csv
import io
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyogrio
from flask_babel import gettext as _

from directory_app.errors import ValidationError
from directory_app.i18n import format_number
from directory_app.textfiles import DELIMITER_NAMES, decode_text, sniff_delimiter
from directory_app.transfer.uploads import MAX_XLSX_ENTRIES, Upload, check_zip, extract_shapefile
from directory_app.transfer.workbook_xml import check_workbook_xml
from geo import gdal_offline  # noqa: F401 - importing it keeps GDAL off the network

MAX_ROWS = 20_000
GDAL_DRIVERS = {"geojson": "GeoJSON", "gpkg": "GPKG", "shapefile": "ESRI Shapefile"}
"""The allow-list: the only GDAL driver each accepted format may be opened with."""
csv.field_size_limit(10 * 1024 * 1024)


@dataclass
class Table:
    """What a file holds: its column names and its rows (row number -> {column: value}).

    GIS rows carry their shapely geometry under the key 'geometry'. HSDS documents are already
    structured: `records` holds one organisation data dict per row and `columns` is empty."""

    format: str
    columns: list[str]
    rows: list[tuple[int, dict]] = field(default_factory=list)
    records: list[tuple[int, dict]] | None = None
    encoding: str = ""
    """Text files: the encoding they were read in (encodings.DecodedText.encoding)."""
    delimiter: str = ""
    """Text files: the delimiter found (one of DELIMITERS)."""
    hsds: object | None = None
    """HSDS files: the reading (transfer.hsds.HsdsReading: notes per record, foreign terms...)."""


def read_table(upload: Upload, hsds_options: dict | None = None) -> Table:
    """Read every row of a checked upload (at most MAX_ROWS) or raise ValidationError. `hsds_options`:
    the choices of the preview for an HSDS file (transfer.hsds_views)."""
    if upload.format in ("hsds", "hsds_package"):
        table = _read_hsds(upload, hsds_options)
    else:
        table = {"csv": _read_csv, "xlsx": _read_xlsx}.get(upload.format, _read_gis)(upload)
    count = len(table.records if table.records is not None else table.rows)
    if count == 0:
        raise ValidationError(_("The file has no data rows."), source=upload.original_name)
    if count > MAX_ROWS:
        raise ValidationError(
            _(
                "The file has %(n)s rows; at most %(max)s are accepted.",
                n=format_number(count),
                max=format_number(MAX_ROWS),
            )
        )
    return table


def _read_csv(upload: Upload) -> Table:
    decoded = decode_text(upload.path.read_bytes())
    text = decoded.text
    delimiter = sniff_delimiter(text)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = [h.strip() for h in next(reader, [])]
        _check_header(header, upload)
        rows = []
        for number, cells in enumerate(reader, start=2):  # records, as a spreadsheet numbers its rows
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                raise ValidationError(
                    _(
                        "This row has %(cells)s cells and the header %(columns)s. A cell that holds the "
                        "delimiter (%(delimiter)s) must be in quotes: a decimal comma in a comma-separated file, "
                        "for one.",
                        cells=len(cells),
                        columns=len(header),
                        delimiter=DELIMITER_NAMES[delimiter],
                    ),
                    row=number,
                    source=upload.original_name,
                )
            rows.append((number, {h: _unneutralise(c) for h, c in zip(header, cells)}))
            if len(rows) > MAX_ROWS:
                break
    except csv.Error as exc:
        raise ValidationError(_("Malformed CSV: %(error)s", error=str(exc)), source=upload.original_name) from None
    return Table("csv", header, rows, encoding=decoded.encoding, delimiter=delimiter)


def _unneutralise(cell: str) -> str:
    """Undo the apostrophe our CSV exports put before a cell a spreadsheet would run as a formula."""
    if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@", "\t", "\r") and cell[1:2]:
        return cell[1:]
    return cell


def _check_header(header: list[str], upload: Upload) -> None:
    if not header or not any(header):
        raise ValidationError(_("The first row must name the columns."), row=1, source=upload.original_name)
    if len(set(header)) != len(header):
        raise ValidationError(_("Two columns have the same name."), row=1, source=upload.original_name)


def _read_xlsx(upload: Upload) -> Table:
    from openpyxl import load_workbook

    check_zip(upload.path, max_entries=MAX_XLSX_ENTRIES)
    check_workbook_xml(upload.path, upload.original_name)  # no DTD, entity or XInclude reaches openpyxl
    try:
        workbook = load_workbook(upload.path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged workbooks
        raise ValidationError(_("The Excel file cannot be read: %(error)s", error=str(exc)[:200])) from None
    try:
        sheet = workbook.worksheets[0]
        lines = enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)  # the sheet's own row numbers
        header: list[str] = []
        for _number, cells in lines:  # the first row with a value names the columns
            header = [str(h).strip() if h is not None else "" for h in cells]
            if any(header):
                break
        while header and not header[-1]:
            header.pop()
        _check_header(header, upload)
        rows = []
        for number, cells in lines:
            values = {h: _cell(c) for h, c in zip(header, cells) if h}
            if any(v != "" for v in values.values()):
                rows.append((number, values))
            if len(rows) > MAX_ROWS:
                break
    finally:
        workbook.close()
    return Table("xlsx", [h for h in header if h], rows)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def _read_gis(upload: Upload) -> Table:
    with tempfile.TemporaryDirectory(prefix="cammina-shp-") as folder:
        path = upload.path
        if upload.format == "shapefile":
            path = extract_shapefile(upload.path, Path(folder))
        frame = _open_with_driver(path, GDAL_DRIVERS[upload.format], upload)
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs(4326)
    columns = [c for c in frame.columns if c != "geometry"]
    rows = []
    for number, record in enumerate(frame.to_dict("records"), start=1):
        values = {c: _gis_value(record[c]) for c in columns}
        values["geometry"] = record.get("geometry")
        rows.append((number, values))
    return Table(upload.format, columns, rows)


def _open_with_driver(path: Path, driver: str, upload: Upload):
    try:
        info = pyogrio.read_info(path)
        if info["driver"] != driver:
            raise ValidationError(
                _(
                    "GDAL would read this file as %(found)s, not %(expected)s: refused.",
                    found=info["driver"],
                    expected=driver,
                )
            )
        if info["features"] > MAX_ROWS:
            raise ValidationError(
                _(
                    "The file has %(n)s features; at most %(max)s are accepted.",
                    n=format_number(info["features"]),
                    max=format_number(MAX_ROWS),
                )
            )
        return pyogrio.read_dataframe(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError) as exc:
        raise ValidationError(
            _("The file cannot be read as %(driver)s: %(error)s", driver=driver, error=str(exc)[:200]),
            source=upload.original_name,
        ) from None


def _gis_value(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def _read_hsds(upload: Upload, options: dict | None) -> Table:
    """An HSDS JSON file or CSV package: one record per organization (transfer.hsds)."""
    from directory_app.transfer.hsds import read_upload

    reading = read_upload(upload, options)
    return Table(upload.format, [], records=reading.records, hsds=reading)
