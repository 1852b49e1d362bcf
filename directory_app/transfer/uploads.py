"""Safe handling of uploaded files: size caps, type by content, zip archives checked before extraction.

Nothing here trusts a file name. The format is judged from the bytes; a zip is inspected entry by
entry (count, announced and real uncompressed size, paths, links, nested archives) before anything
is written to disk, and extraction stops as soon as the real size passes the cap. Once judged, a saved
upload is renamed to a name of our own that its reader accepts (STORED_NAMES: openpyxl reads only
.xlsx names); the user's file name is kept for messages only.
"""

from __future__ import annotations

import json
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from flask_babel import gettext as _

from directory_app.errors import ValidationError
from directory_app.i18n import format_number
from directory_app.textfiles import decode_text, has_byte_order_mark
from directory_app.transfer.hsds_shapes import looks_like_hsds
from directory_app.transfer.hsds_tables import is_package
from geo.geojson_crs import outside_crs_reference

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_ZIP_ENTRIES = 50
MAX_XLSX_ENTRIES = 500
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per entry; text compresses about 10:1
_SQLITE_HEADER = b"SQLite format 3\x00"
_GPKG_APPLICATION_IDS = {b"GPKG", b"GP10", b"GP11"}
_ARCHIVE_SUFFIXES = {".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz", ".kmz", ".xlsx", ".gpkg"}
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh", b"\xfd7zXZ")
_SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml"}
_NAME_FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".xlsx": "xlsx",
    ".geojson": "geojson",
    ".json": ("geojson", "hsds"),
    ".gpkg": "gpkg",
    ".zip": ("shapefile", "hsds_package"),
    ".shp": "shapefile",
}
STORED_NAMES = {
    "csv": "upload.csv",
    "xlsx": "upload.xlsx",
    "geojson": "upload.geojson",
    "gpkg": "upload.gpkg",
    "shapefile": "upload.zip",
    "hsds": "upload.json",
    "hsds_package": "upload-hsds.zip",
}
"""The name a saved upload gets once its format is known (the web import remembers it in its note)."""
FORMAT_NAMES = {
    "csv": "CSV",
    "xlsx": "Excel (.xlsx)",
    "geojson": "GeoJSON",
    "gpkg": "GeoPackage",
    "shapefile": "zipped Shapefile",
    "hsds": "HSDS JSON",
    "hsds_package": "HSDS CSV package (.zip)",
}


@dataclass(frozen=True)
class Upload:
    """A checked upload: where its bytes are and what format they hold."""

    path: Path
    format: str
    original_name: str


def save_upload(stream, original_name: str, folder: Path, max_bytes: int = MAX_UPLOAD_BYTES) -> Upload:
    """Copy an uploaded stream to `folder` (at most `max_bytes`), check it (see check_file), then
    rename it to STORED_NAMES[format], a name its reader accepts."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "upload.bin"
    written = 0
    with target.open("wb") as out:
        while chunk := stream.read(64 * 1024):
            written += len(chunk)
            if written > max_bytes:
                out.close()
                target.unlink()
                raise ValidationError(
                    _("The file is larger than %(mb)s MB.", mb=format_number(max_bytes // (1024 * 1024)))
                )
            out.write(chunk)
    checked = check_file(target, original_name, max_bytes)
    stored = target.rename(folder / STORED_NAMES[checked.format])
    return Upload(stored, checked.format, checked.original_name)


def check_file(path: Path, original_name: str | None = None, max_bytes: int = MAX_UPLOAD_BYTES) -> Upload:
    """Decide the format of a file from its content and refuse anything unsafe.

    ValidationError (with a message for people) for: an empty or too large file, an unknown
    type, a name that promises another format than the content holds, an unsafe zip."""
    path = Path(path)
    name = original_name or path.name
    if not path.is_file():
        raise ValidationError(_("File not found."), source=name)
    size = path.stat().st_size
    if size == 0:
        raise ValidationError(_("The file is empty."), source=name)
    if size > max_bytes:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.", mb=format_number(max_bytes // (1024 * 1024))), source=name
        )
    found = detect_format(path, name)
    expected = _NAME_FORMATS.get(PurePosixPath(name.lower()).suffix)
    if expected is not None and found not in (expected if isinstance(expected, tuple) else (expected,)):
        raise ValidationError(
            _("The file is named like %(named)s but holds %(found)s.", named=name, found=FORMAT_NAMES[found]),
            source=name,
        )
    return Upload(path, found, name)


def detect_format(path: Path, name: str | None = None) -> str:
    """One of FORMAT_NAMES, judged from the bytes, or ValidationError (`name`: the file's, for messages)."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    if head.startswith(_SQLITE_HEADER):
        if head[68:72] in _GPKG_APPLICATION_IDS:
            return "gpkg"
        raise ValidationError(_("This SQLite database is not a GeoPackage."))
    if any(head.startswith(magic) for magic in _ARCHIVE_MAGIC):
        raise ValidationError(_("Compressed files other than .zip are not accepted."))
    try:
        decoded = decode_text(path.read_bytes())
    except ValidationError:
        if b"\x00" in head and not has_byte_order_mark(head):  # binary, not text without a mark
            raise ValidationError(
                _("This file type is not accepted: use CSV, Excel, GeoJSON, GeoPackage or zipped Shapefile.")
            ) from None
        raise
    text = decoded.text.lstrip(" \t\r\n")
    if text.startswith("<"):
        raise ValidationError(_("XML files (GDAL VRT, KML, GML) are not accepted."))
    if text.startswith(("{", "[")):
        if not decoded.encoding.startswith("UTF-8"):
            raise ValidationError(
                _("A JSON file must be UTF-8 text; this one is %(encoding)s.", encoding=decoded.encoding)
            )
        return _json_kind(path, name or path.name)
    return "csv"


def _json_kind(path: Path, name: str) -> str:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError(_("The file is not valid JSON: %(error)s", error=str(exc)[:200])) from None
    if isinstance(document, dict) and document.get("type") in ("FeatureCollection", "Feature"):
        if reference := outside_crs_reference(document):  # GDAL would fetch a "link" crs: refused first
            raise ValidationError(
                _(
                    "The file %(name)s refers to a coordinate system outside the file (%(crs)s); such "
                    'references are never followed. Remove the "crs" member: GeoJSON coordinates are '
                    "longitude and latitude (WGS 84).",
                    name=name,
                    crs=reference,
                ),
                source=name,
            )
        return "geojson"
    if looks_like_hsds(document):
        return "hsds"
    raise ValidationError(
        _("This JSON is neither GeoJSON nor HSDS (an organization or a service, a list or a page of them).")
    )


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        raise ValidationError(_("The zip archive is damaged.")) from None
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return "xlsx"
    if is_package(list(names)):
        return "hsds_package"
    if any(n.lower().endswith(".shp") for n in names):
        return "shapefile"
    raise ValidationError(
        _(
            "The zip archive holds no Shapefile (.shp) and no HSDS package (datapackage.json), and is not an "
            "Excel workbook."
        )
    )


def check_zip(
    path: Path, *, max_entries: int = MAX_ZIP_ENTRIES, allowed: set[str] | None = None
) -> list[zipfile.ZipInfo]:
    """The entries of a zip, after refusing: too many entries, a total announced size above the cap,
    an extreme compression ratio, absolute paths, '..', links, and archives inside the archive."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise ValidationError(_("The zip archive is damaged.")) from None
    with archive:
        entries = archive.infolist()
    if len(entries) > max_entries:
        raise ValidationError(
            _(
                "The archive has %(n)s entries; at most %(max)s are accepted.",
                n=format_number(len(entries)),
                max=format_number(max_entries),
            )
        )
    total = sum(e.file_size for e in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ValidationError(
            _(
                "The archive would unpack to %(mb)s MB; at most %(max)s MB are accepted.",
                mb=format_number(total // 2**20),
                max=format_number(MAX_UNCOMPRESSED_BYTES // 2**20),
            )
        )
    for entry in entries:
        _check_entry(entry, allowed)
    return entries


def _check_entry(entry: zipfile.ZipInfo, allowed: set[str] | None) -> None:
    name = entry.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts:
        raise ValidationError(_("The archive entry '%(name)s' points outside the archive.", name=name))
    mode = entry.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise ValidationError(_("The archive entry '%(name)s' is a link; links are not accepted.", name=name))
    if entry.is_dir():
        return
    suffix = PurePosixPath(name.lower()).suffix
    if suffix in _ARCHIVE_SUFFIXES and allowed is not None:
        raise ValidationError(
            _("The archive holds another archive ('%(name)s'); nested archives are not accepted.", name=name)
        )
    if allowed is not None and suffix not in allowed:
        raise ValidationError(_("The archive entry '%(name)s' is not part of a Shapefile.", name=name))
    if entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO:
        raise ValidationError(
            _("The archive entry '%(name)s' is compressed suspiciously well (a zip bomb?).", name=name)
        )


def extract_shapefile(path: Path, target: Path) -> Path:
    """Extract a checked zipped Shapefile into `target` (flat, no folders) and return the .shp path.

    The real number of bytes written is counted, whatever the archive announces."""
    entries = check_zip(path, allowed=_SHAPEFILE_PARTS)
    files = [e for e in entries if not e.is_dir()]
    shps = [e for e in files if e.filename.lower().endswith(".shp")]
    if len(shps) != 1:
        raise ValidationError(_("The archive must hold exactly one .shp file (it holds %(n)d).", n=len(shps)))
    target.mkdir(parents=True, exist_ok=True)
    budget = MAX_UNCOMPRESSED_BYTES
    with zipfile.ZipFile(path) as archive:
        for entry in files:
            out_path = target / PurePosixPath(entry.filename.replace("\\", "/")).name
            with archive.open(entry) as source, out_path.open("wb") as out:
                while chunk := source.read(64 * 1024):
                    budget -= len(chunk)
                    if budget < 0:
                        raise ValidationError(_("The archive unpacks to more than it announced (a zip bomb?)."))
                    out.write(chunk)
            with out_path.open("rb") as written:
                nested = any(written.read(8).startswith(magic) for magic in _ARCHIVE_MAGIC)
            if nested:
                raise ValidationError(_("The archive holds another archive; nested archives are not accepted."))
    shp = target / PurePosixPath(shps[0].filename.replace("\\", "/")).name
    with shp.open("rb") as handle:
        if handle.read(4) != b"\x00\x00\x27\x0a":  # the Shapefile file code 9994
            raise ValidationError(_("The .shp file in the archive is not a Shapefile."))
    return shp
