"""A crisis area from a zipped Shapefile, read safely: the archive is checked before anything is
unpacked (entry count, Shapefile parts only, no paths, no links, announced and real sizes capped), GDAL
opens it only with the ESRI Shapefile driver, and the polygons then get the same checks as any coverage
upload (geo.coverage_input.check_coverage_geometry)."""

from __future__ import annotations

import io
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

import numpy as np
import pyogrio
import shapely
from flask_babel import gettext as _

from directory_app.i18n import format_number
from geo import gdal_offline  # noqa: F401 - importing it keeps GDAL off the network
from geo.coverage import union_parts
from geo.coverage_input import MAX_FILE_BYTES, check_coverage_geometry
from geo.validate import MAX_VERTICES, GeometryError

MAX_ENTRIES = 12
MAX_UNPACKED_BYTES = 4 * MAX_FILE_BYTES
MAX_FEATURES = 5_000
SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml"}


class AreaError(ValueError):
    """An affected area that cannot be used; str() says why in the reader's language."""


def holds_shapefile(data: bytes) -> bool:
    """Whether `data` is a zip archive with a .shp member (a KMZ holds a .kml instead)."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return any(name.lower().endswith(".shp") for name in archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError):
        return False


def area_from_zipped_shapefile(data: bytes) -> shapely.Geometry:
    """The union of the polygons of a zipped Shapefile, in lon/lat, checked like a coverage upload."""
    with tempfile.TemporaryDirectory(prefix="crisis-shp-") as folder:
        shp = _extract(data, Path(folder))
        try:
            info = pyogrio.read_info(shp)
            if info["driver"] != "ESRI Shapefile":
                raise AreaError(
                    _("GDAL would read this file as %(found)s, not as a Shapefile: refused.", found=info["driver"])
                )
            if info["features"] > MAX_FEATURES:
                raise AreaError(
                    _(
                        "The Shapefile has %(n)s features; at most %(max)s are accepted.",
                        n=format_number(info["features"]),
                        max=format_number(MAX_FEATURES),
                    )
                )
            frame = pyogrio.read_dataframe(shp)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError) as exc:
            raise AreaError(_("The Shapefile cannot be read: %(error)s", error=str(exc)[:200])) from None
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs(4326)
    geoms = [g for g in frame.geometry if g is not None and not g.is_empty]
    if not geoms:
        raise AreaError(_("The Shapefile holds no geometry."))
    vertices = int(np.sum(shapely.get_num_coordinates(np.array(geoms, dtype=object))))
    if vertices > MAX_VERTICES:
        raise GeometryError("file_too_many_vertices", vertices=vertices, limit=MAX_VERTICES)
    pieces = [check_coverage_geometry(g).geometry for g in geoms]
    return check_coverage_geometry(union_parts(pieces)).geometry


def _extract(data: bytes, target: Path) -> Path:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError):
        raise AreaError(_("The zip archive is damaged.")) from None
    with archive:
        entries = [e for e in archive.infolist() if not e.is_dir()]
        if len(entries) > MAX_ENTRIES:
            raise AreaError(
                _(
                    "The archive has %(n)s files; a zipped Shapefile has at most %(max)s.",
                    n=len(entries),
                    max=MAX_ENTRIES,
                )
            )
        for entry in entries:
            _check_entry(entry)
        shps = [e for e in entries if e.filename.lower().endswith(".shp")]
        if len(shps) != 1:
            raise AreaError(_("The archive must hold exactly one .shp file (it holds %(n)d).", n=len(shps)))
        budget = MAX_UNPACKED_BYTES
        for entry in entries:
            out_path = target / PurePosixPath(entry.filename.replace("\\", "/")).name
            with archive.open(entry) as source, out_path.open("wb") as out:
                while chunk := source.read(64 * 1024):
                    budget -= len(chunk)
                    if budget < 0:
                        raise AreaError(
                            _("The archive unpacks to more than %(mb)s MB.", mb=MAX_UNPACKED_BYTES // 2**20)
                        )
                    out.write(chunk)
    shp = target / PurePosixPath(shps[0].filename.replace("\\", "/")).name
    with shp.open("rb") as handle:
        if handle.read(4) != b"\x00\x00\x27\x0a":  # the Shapefile file code 9994
            raise AreaError(_("The .shp file in the archive is not a Shapefile."))
    return shp


def _check_entry(entry: zipfile.ZipInfo) -> None:
    name = entry.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts:
        raise AreaError(_("The archive entry '%(name)s' points outside the archive.", name=name))
    if stat.S_ISLNK(entry.external_attr >> 16):
        raise AreaError(_("The archive entry '%(name)s' is a link; links are not accepted.", name=name))
    if PurePosixPath(name.lower()).suffix not in SHAPEFILE_PARTS:
        raise AreaError(_("The archive entry '%(name)s' is not part of a Shapefile.", name=name))
    if entry.file_size > MAX_UNPACKED_BYTES:
        raise AreaError(_("The archive unpacks to more than %(mb)s MB.", mb=MAX_UNPACKED_BYTES // 2**20))
