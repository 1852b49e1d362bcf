"""Unsafe uploads are refused with a clear message before anything reads them."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest
from flask import Flask
from flask_babel import Babel

from directory_app.errors import ValidationError
from directory_app.transfer.readers import read_table
from directory_app.transfer.uploads import check_file, extract_shapefile, save_upload

VRT = (
    b'<OGRVRTDataSource><OGRVRTLayer name="x">'
    b"<SrcDataSource>/etc/passwd</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"
)


@pytest.fixture(autouse=True)
def babel_context():
    app = Flask(__name__)
    Babel(app)
    with app.app_context():
        yield


def _zip(path, entries: dict[str, bytes], *, link: str | None = None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return path


def _refused(path, name=None, match=""):
    with pytest.raises(ValidationError, match=match):
        upload = check_file(path, name)
        if upload.format == "shapefile":
            extract_shapefile(upload.path, path.parent / "out")
        read_table(upload)


def test_empty_file(tmp_path):
    (tmp_path / "a.csv").write_bytes(b"")
    _refused(tmp_path / "a.csv", match="empty")


def test_too_large(tmp_path):
    with pytest.raises(ValidationError, match="larger than"):
        save_upload(io.BytesIO(b"name\n" + b"x" * 3_000_000), "big.csv", tmp_path / "up", max_bytes=2 * 1024 * 1024)
    assert not (tmp_path / "up" / "upload.bin").exists()


def test_wrong_type(tmp_path):
    (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 50)
    _refused(tmp_path / "a.png", match="not accepted")


def test_name_promises_other_format(tmp_path):
    (tmp_path / "list.xlsx").write_text("name,kind\nA,ngo\n")
    _refused(tmp_path / "list.xlsx", match="holds CSV")


def test_vrt_disguised_as_geopackage(tmp_path):
    (tmp_path / "districts.gpkg").write_bytes(VRT)
    _refused(tmp_path / "districts.gpkg", match="XML")


def test_vrt_disguised_as_shapefile_in_zip(tmp_path):
    path = _zip(tmp_path / "a.zip", {"a.shp": VRT, "a.dbf": b"\x03", "a.shx": b""})
    _refused(path, match="not a Shapefile")


def test_vrt_disguised_as_geojson(tmp_path):
    (tmp_path / "a.geojson").write_bytes(VRT)
    _refused(tmp_path / "a.geojson", match="XML")


def test_zip_bomb_by_announced_size(tmp_path):
    path = _zip(tmp_path / "bomb.zip", {"a.shp": b"\x00" * (101 * 1024 * 1024)})
    _refused(path, match="unpack to")


def test_zip_bomb_by_ratio(tmp_path):
    path = _zip(tmp_path / "bomb.zip", {"a.shp": b"\x00\x00\x27\x0a" + b"\x00" * (20 * 1024 * 1024)})
    _refused(path, match="zip bomb")


def test_too_many_entries(tmp_path):
    path = _zip(tmp_path / "many.zip", {f"a{i}.xml": b"x" for i in range(60)} | {"a.shp": b"x"})
    _refused(path, match="entries")


@pytest.mark.parametrize("name", ["../a.shp", "/tmp/a.shp", "dir/../../a.shp", "C:/a.shp"])
def test_paths_outside_the_archive(tmp_path, name):
    path = _zip(tmp_path / "a.zip", {name: b"\x00\x00\x27\x0a", "a.dbf": b"x"})
    _refused(path, match="outside the archive")


def test_symlink_entry(tmp_path):
    path = _zip(tmp_path / "a.zip", {"a.shp": b"\x00\x00\x27\x0a"}, link="a.dbf")
    _refused(path, match="link")


def test_nested_archive(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("b.shp", b"x")
    path = _zip(tmp_path / "a.zip", {"a.shp": b"\x00\x00\x27\x0a", "inner.zip": inner.getvalue()})
    _refused(path, match="nested")


def test_geopackage_header_of_another_sqlite(tmp_path):
    (tmp_path / "a.gpkg").write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    _refused(tmp_path / "a.gpkg", match="not a GeoPackage")


def test_a_real_csv_passes(tmp_path):
    (tmp_path / "a.csv").write_text("name;kind\nCasa;ngo\n", encoding="utf-8")
    table = read_table(check_file(tmp_path / "a.csv"))
    assert table.columns == ["name", "kind"] and table.rows == [(2, {"name": "Casa", "kind": "ngo"})]
