"""The crisis report on the test world's real boundaries and demo organisations."""

from __future__ import annotations

from directory_app.crisis.report import build_report
from geo.crisis import geodesic_circle


def test_circle_around_tapachula_meets_its_consular_districts(ctx):
    report = build_report(geodesic_circle(-92.26, 14.91, 50), exact=False)
    codes = {d.code for d in report.districts}
    assert {"GT-MX-TAPACHULA", "SV-MX-TAPACHULA", "HN-MX-TAPACHULA"} <= codes
    assert report.area_km2 > 7000
    assert all(0 < d.district_share <= 1 and 0 < d.area_share <= 1 for d in report.districts)
    assert {g.code for g in report.services}.isdisjoint({g.code for g in report.gaps})
