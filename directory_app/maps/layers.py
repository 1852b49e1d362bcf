"""The data behind the map layers, read from the database and written as GeoJSON text.

Each layer has a version (a cheap aggregate query) that names its cached body; see maps.cache.
Every polygon is valid as served: simplified by geo.simplify and written by geo.geojson.feature,
which snaps coordinates to the layer's grid without breaking rings.
Positions of organisations that hide their exact location follow the reader's rights
(accounts.access): the public gets the approximate position only.
An organisation's point carries what a popup needs to act: its phone (organisations.contact_links:
the number in international format, its tel: link and, for a WhatsApp number, its wa.me link) and
the date it was last verified (ISO; the browser writes it in the reader's language).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import NamedTuple

import shapely
from sqlalchemy import func, select, true

from directory_app.extensions import db
from directory_app.geography.consulate_names import consulate_name
from directory_app.geography.models import AdminUnit, ConsularDistrict, Consulate, Country
from directory_app.geography.provenance import Provenance, district_provenance
from directory_app.organisations.contact_links import first_phone
from directory_app.organisations.models import (
    CoverageKind,
    DistrictCoverage,
    Location,
    Organisation,
    Phone,
    Service,
    Status,
    UnitCoverage,
)
from directory_app.organisations.queries import Services
from directory_app.organisations.service_choice import offers, service_choice
from geo.geojson import feature, feature_collection, point_feature, safe_json
from geo.simplify import low_zoom_coverage, simplify_coverage

ExactRule = Callable[[bool, str], bool]


def organisations_version() -> str:
    """Changes whenever an organisation is added, edited, published or removed."""
    count, latest = db.session.execute(select(func.count(Organisation.id), func.max(Organisation.updated_at))).one()
    return f"{count}:{latest}"


def districts_version() -> str:
    """Changes whenever consular districts are rebuilt or imported."""
    count, latest = db.session.execute(
        select(func.count(ConsularDistrict.id), func.max(ConsularDistrict.updated_at))
    ).one()
    return f"{count}:{latest}"


def organisation_points(organisation_ids, exact: ExactRule, sites=None, *, only_site: int | None = None) -> str:
    """One Point feature per site of the given organisations (a select of organisation ids), of those
    `sites` gives (a select of site ids: those in a bbox) if given, or of the site `only_site` alone:
    uuid, name, service category codes, whether the position is exact, the phone to show and the last
    verified date."""
    categories: dict[int, list[str]] = defaultdict(list)
    for organisation_id, code in db.session.execute(
        select(Service.organisation_id, Service.category_code)
        .where(Service.organisation_id.in_(organisation_ids), Service.is_active.is_(True))
        .distinct()
        .order_by(Service.organisation_id, Service.category_code)
    ):
        categories[organisation_id].append(code)
    phones: dict[int, list] = defaultdict(list)
    for phone in db.session.execute(
        select(Phone.organisation_id, Phone.number, Phone.extension, Phone.type, Phone.contact_id)
        .where(Phone.organisation_id.in_(organisation_ids))
        .order_by(Phone.id)
    ):
        phones[phone.organisation_id].append(phone)
    rows = db.session.execute(
        select(
            Location.id,
            Location.organisation_id,
            Location.lon,
            Location.lat,
            Location.public_lon,
            Location.public_lat,
            Location.city,
            Organisation.uuid,
            Organisation.name,
            Organisation.hide_exact_location,
            Organisation.country_code,
            Organisation.last_verified,
        )
        .join(Organisation, Organisation.id == Location.organisation_id)
        .where(Location.organisation_id.in_(organisation_ids))
        .where(true() if only_site is None else Location.id == only_site)
        .where(true() if sites is None else Location.id.in_(sites))
        .order_by(Location.id)
    )
    features = []
    shown_phones: dict[int, dict] = {}
    for row in rows:
        if row.organisation_id not in shown_phones:
            phone = first_phone(phones.get(row.organisation_id, []), row.country_code)
            shown_phones[row.organisation_id] = (
                {"phone": phone.text, "tel": phone.tel, "whatsapp": phone.whatsapp} if phone else {}
            )
        is_exact = exact(row.hide_exact_location, row.country_code)
        lon, lat = (row.lon, row.lat) if is_exact else (row.public_lon, row.public_lat)
        properties = {
            "org": row.uuid,
            "name": row.name,
            "city": row.city,
            "services": categories.get(row.organisation_id, []),
            "exact": is_exact,
            "verified": row.last_verified.isoformat() if row.last_verified else None,
            **shown_phones[row.organisation_id],
        }
        features.append(point_feature(row.id, properties, lon, lat))
    return feature_collection(features)


def published_ids():
    return select(Organisation.id).where(Organisation.status == Status.PUBLISHED)


def districts_overview(lang: str, sending_country: str | None = None, *, low_zoom: bool = False) -> str:
    """Every consular district, simplified together per sending country so that neighbouring
    districts still share their borders (about 350 KB gzipped for the whole region); with `low_zoom`,
    for a map's first views (geo.simplify.low_zoom_coverage: about a third of the vertices)."""
    rows = db.session.execute(
        select(
            ConsularDistrict.id,
            ConsularDistrict.code,
            ConsularDistrict.sending_country_code,
            ConsularDistrict.is_approximate,
            ConsularDistrict.provenance,
            ConsularDistrict.official_units,
            ConsularDistrict.unit_count,
            ConsularDistrict.display_wkb,
            Consulate.name_es,
            Consulate.name_en,
            Consulate.city,
        )
        .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
        .where(ConsularDistrict.display_wkb.is_not(None))
        .where(ConsularDistrict.sending_country_code == sending_country if sending_country else true())
        .order_by(ConsularDistrict.code)
    ).all()
    simplify = low_zoom_coverage if low_zoom else simplify_coverage
    geometries = simplify([shapely.from_wkb(r.display_wkb) for r in rows], [r.sending_country_code for r in rows])
    provenance = district_provenance([r.id for r in rows])
    precision = _precision(low_zoom)
    return feature_collection(
        feature(r.code, _district_properties(r, lang, provenance[r.id]), geometry, precision=precision)
        for r, geometry in zip(rows, geometries)
    )


def _precision(low_zoom: bool) -> int:
    """Decimals of the coordinates of an overview layer: its grid's (geo.simplify)."""
    return 2 if low_zoom else 3


def district_outline(district: ConsularDistrict, lang: str) -> str:
    """One district at display detail."""
    consulate = district.consulate
    properties = {
        "code": district.code,
        "name": consulate.name(lang),
        "city": consulate.city,
        "country": district.sending_country_code,
        "approximate": district.is_approximate,
        **_provenance_properties(district_provenance([district.id])[district.id]),
    }
    geometry = shapely.from_wkb(district.display_wkb) if district.display_wkb else None
    return feature_collection([feature(district.code, properties, geometry, precision=4)])


def _district_properties(row, lang: str, provenance: Provenance) -> dict:
    return {
        "code": row.code,
        "name": consulate_name(row.name_es, row.name_en, lang),
        "city": row.city,
        "country": row.sending_country_code,
        "approximate": row.is_approximate,
        **_provenance_properties(provenance),
    }


def _provenance_properties(provenance: Provenance) -> dict:
    """Where the district comes from, for its popup: official / approximate / mixed, the official units of
    all, and the sentence ("official, source X, as of DATE" or "approximate: nearest consulate")."""
    return {
        "provenance": provenance.kind,
        "official_units": provenance.official_units,
        "units": provenance.unit_count,
        "provenance_text": provenance.text(),
    }


def district_counts(category: Services) -> str:
    """{district code: number of published organisations serving it} (offering `category`: one
    category, several, or a ServiceChoice, any or all of them)."""
    return safe_json({row.code: row.count for row in district_count_rows(category)})


def sending_countries_with_districts() -> list[str]:
    return list(
        db.session.scalars(
            select(ConsularDistrict.sending_country_code).distinct().order_by(ConsularDistrict.sending_country_code)
        )
    )


def district_count_rows(category: Services, sending_country: str | None = None) -> list:
    """Every district (code, consulate names, city, sending country) with the number of published
    organisations serving it that offer `category` (any service when None)."""
    statement = (
        select(DistrictCoverage.district_id, func.count(func.distinct(DistrictCoverage.organisation_id)))
        .where(DistrictCoverage.status == Status.PUBLISHED)
        .group_by(DistrictCoverage.district_id)
    )
    choice = service_choice(category)
    if choice:
        statement = statement.where(offers(choice, DistrictCoverage.organisation_id))
    counts = dict(db.session.execute(statement).all())
    districts = db.session.execute(
        select(
            ConsularDistrict.id,
            ConsularDistrict.code,
            ConsularDistrict.sending_country_code,
            Consulate.name_es,
            Consulate.name_en,
            Consulate.city,
        )
        .join(Consulate, Consulate.id == ConsularDistrict.consulate_id)
        .where(ConsularDistrict.sending_country_code == sending_country if sending_country else true())
        .order_by(ConsularDistrict.sending_country_code, Consulate.city)
    ).all()
    return [
        DistrictCount(d.code, d.name_es, d.name_en, d.city, d.sending_country_code, counts.get(d.id, 0))
        for d in districts
    ]


class DistrictCount(NamedTuple):
    code: str
    name_es: str
    name_en: str
    city: str
    country: str
    count: int

    def name(self, lang: str) -> str:
        return consulate_name(self.name_es, self.name_en, lang)


def organisation_coverage(organisation: Organisation, exact: bool) -> str:
    """The organisation's coverage: drawn areas, admin units and countries. For a reader who may
    not see the exact location, an area drawn around a site (radius or polygon) would give the
    site away: the admin units it overlaps are shown instead."""
    features = []
    unit_ids = []
    for part in organisation.coverage_parts:
        if part.kind == CoverageKind.COUNTRY:
            country = db.session.get(Country, part.country_code)
            geometry = shapely.from_wkb(country.display_wkb) if country and country.display_wkb else None
            features.append(feature(f"part-{part.id}", {"kind": "country", "label": country.name_en}, geometry, 3))
        elif part.kind == CoverageKind.ADMIN_UNIT:
            unit_ids.append(part.admin_unit_id)
        elif exact:
            features.append(
                feature(f"part-{part.id}", {"kind": part.kind.value, "label": part.label}, part.geometry, 4)
            )
    if not exact and any(p.kind in (CoverageKind.RADIUS, CoverageKind.POLYGON) for p in organisation.coverage_parts):
        unit_ids += db.session.scalars(
            select(UnitCoverage.admin_unit_id).where(UnitCoverage.organisation_id == organisation.id)
        ).all()
    for unit in db.session.scalars(select(AdminUnit).where(AdminUnit.id.in_(set(unit_ids)))):
        geometry = shapely.from_wkb(unit.display_wkb) if unit.display_wkb else None
        features.append(feature(f"unit-{unit.code}", {"kind": "admin_unit", "label": unit.name_local}, geometry, 4))
    return feature_collection(features)


def consulate_points(lang: str) -> str:
    """Every consulate, with its kind and sending countries."""
    consulates = db.session.scalars(select(Consulate).order_by(Consulate.code)).all()
    return feature_collection(
        point_feature(
            c.code,
            {
                "name": c.name(lang),
                "city": c.city,
                "kind": c.kind.value,
                "countries": [s.code for s in c.sending_countries],
            },
            c.lon,
            c.lat,
        )
        for c in consulates
    )


def base_layer(lang: str = "en", *, low_zoom: bool = False) -> str:
    """The member countries and their admin-1 units, simplified, each with its name in `lang` and a
    point to write it at: the map's own base layer, readable with no tile server (an intranet, no
    internet); directory-map.js writes the names and the gazetteer's cities over it. With `low_zoom`,
    for a map's first views (geo.simplify.low_zoom_coverage)."""
    countries = db.session.execute(
        select(Country.code, Country.name_es, Country.name_en, Country.name_fr, Country.display_wkb).order_by(
            Country.code
        )
    ).all()
    units = db.session.execute(
        select(
            AdminUnit.code,
            AdminUnit.country_code,
            AdminUnit.display_wkb,
            AdminUnit.name_local,
            AdminUnit.name_es,
            AdminUnit.name_en,
            AdminUnit.label_lon,
            AdminUnit.label_lat,
        )
        .where(AdminUnit.level == 1)
        .order_by(AdminUnit.code)
    ).all()
    simplify = low_zoom_coverage if low_zoom else simplify_coverage
    country_shapes = simplify([shapely.from_wkb(c.display_wkb) for c in countries])
    unit_shapes = simplify([shapely.from_wkb(u.display_wkb) for u in units], [u.country_code for u in units])
    precision = _precision(low_zoom)
    features = []
    for c, g in zip(countries, country_shapes):
        point = shapely.point_on_surface(max(getattr(g, "geoms", [g]), key=lambda p: p.area)) if g else None
        label = [round(point.x, 3), round(point.y, 3)] if point is not None else None
        name = getattr(c, f"name_{lang}", None) or c.name_en
        features.append(feature(c.code, {"level": 0, "name": name, "label": label}, g, precision))
    for u, g in zip(units, unit_shapes):
        name = u.name_es if lang == "es" and u.name_es else u.name_local
        label = [round(u.label_lon, 3), round(u.label_lat, 3)]
        features.append(feature(u.code, {"level": 1, "name": name, "label": label}, g, precision))
    return feature_collection(features)
