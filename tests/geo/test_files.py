import geopandas as gpd
import pytest
from shapely.geometry import box

from geo.files import detect_format, read_vector
from geo.validate import GeometryError


def test_real_geojson_and_geopackage_are_recognised(tmp_path):
    frame = gpd.GeoDataFrame({"consulate_code": ["X"]}, geometry=[box(0, 0, 1, 1)], crs=4326)
    frame.to_file(tmp_path / "d.geojson", driver="GeoJSON")
    frame.to_file(tmp_path / "d.gpkg", driver="GPKG")
    assert detect_format(tmp_path / "d.geojson") == "GeoJSON"
    assert detect_format(tmp_path / "d.gpkg") == "GPKG"
    assert read_vector(tmp_path / "d.gpkg", "GPKG")["consulate_code"].tolist() == ["X"]


def test_a_vrt_under_another_name_is_refused_before_gdal_opens_it(tmp_path):
    vrt = tmp_path / "districts.gpkg"
    vrt.write_text(
        '<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>'
        "</OGRVRTLayer></OGRVRTDataSource>"
    )
    with pytest.raises(GeometryError, match="neither GeoJSON nor a GeoPackage"):
        read_vector(vrt, "GPKG")


def test_content_must_match_the_expected_format(tmp_path):
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[box(0, 0, 1, 1)], crs=4326)
    frame.to_file(tmp_path / "really.gpkg", driver="GPKG")
    disguised = tmp_path / "named.geojson"
    disguised.write_bytes((tmp_path / "really.gpkg").read_bytes())
    with pytest.raises(GeometryError, match="holds GPKG, not GeoJSON"):
        read_vector(disguised, "GeoJSON")


def test_broken_json_gets_an_error(tmp_path):
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(GeometryError, match="cannot be read as GeoJSON"):
        read_vector(broken, "GeoJSON")
