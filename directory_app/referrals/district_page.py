"""A district page's content, shared by the page and its PDF (referrals.sheet_views): the district
found by its code, and everything templates/geography/district.html shows."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from directory_app import vocabulary
from directory_app.extensions import db
from directory_app.geography.consular_services import networks_of, source_parts, windows_of
from directory_app.geography.models import AdminUnit, ConsularDistrict, Consulate, district_unit
from directory_app.geography.network_models import ConsularNetworkMember
from directory_app.geography.provenance import provenance_of
from directory_app.i18n import unit_name
from directory_app.organisations.service_choice import ServiceChoice
from directory_app.referrals import maps
from directory_app.referrals.district_referrals import PER_SERVICE, district_sheet
from directory_app.referrals.links import reader_language
from directory_app.referrals.sheet_html import sheet_html
from directory_app.referrals.sheet_links import sheet_links


def find_district(code: str) -> ConsularDistrict | None:
    """The district of this code, with its consulate and countries, or None (one query: the district
    joined to its consulate, its countries, the consulate's sending countries, its service windows and its
    networks' memberships, one row for each combination of those, which are a few at most)."""
    return db.session.execute(_DISTRICT, {"code": code}).unique().scalar_one_or_none()


_DISTRICT = (
    select(ConsularDistrict)
    .where(ConsularDistrict.code == bindparam("code"))
    .options(
        joinedload(ConsularDistrict.consulate).joinedload(Consulate.sending_countries),
        joinedload(ConsularDistrict.consulate).joinedload(Consulate.host_country),
        joinedload(ConsularDistrict.sending_country),
        joinedload(ConsularDistrict.consulate).joinedload(Consulate.windows),
        joinedload(ConsularDistrict.consulate)
        .joinedload(Consulate.network_memberships)
        .joinedload(ConsularNetworkMember.network),
    )
)


def district_page_context(district: ConsularDistrict, choice: ServiceChoice, with_map: bool = True) -> dict:
    """What templates/geography/district.html needs: the page, or its PDF (with_map=False: a PDF
    draws no map)."""
    per_service = current_app.config.get("DISTRICT_PAGE_PER_SERVICE", PER_SERVICE)
    lang = reader_language()
    sheet = district_sheet(district, per_service, choice)
    units = district_units(district.id, lang)
    return dict(
        district=district,
        consulate=district.consulate,
        sheet=sheet,
        sheet_html=sheet_html(sheet),
        sheet_links=sheet_links(district, district.consulate.name(lang), sheet, lang),
        categories=vocabulary.SERVICE_CATEGORIES,
        kind_label=consulate_kind_label(district.consulate.kind),
        map_html=maps.district_map(district, choice) if with_map else "",
        lang=lang,
        provenance=provenance_of(district, (unit.source_id for unit in units)),
        units=units,
        office_sources=source_parts(district.consulate.source),
        windows=windows_of(district.consulate),
        networks=networks_of(district.consulate, lang),
        source_parts=source_parts,
    )


# The district's units as the page lists them, without loading whole AdminUnit objects.
_UNITS = (
    select(
        AdminUnit.id,
        AdminUnit.code,
        AdminUnit.name_local,
        AdminUnit.name_es,
        AdminUnit.name_en,
        district_unit.c.source_id,
    )
    .join(district_unit, district_unit.c.admin_unit_id == AdminUnit.id)
    .where(district_unit.c.district_id == bindparam("district_id"))
    .order_by(AdminUnit.code)
)


@dataclass(frozen=True)
class UnitLine:
    """One of a district's units as its page lists it: its name (i18n.unit_name) and code, and the official
    source that assigns it (its district_unit row's source, None for an approximate unit)."""

    id: int
    code: str
    name: str
    source_id: int | None

    @property
    def official(self) -> bool:
        return self.source_id is not None


def district_units(district_id: int, language: str) -> list[UnitLine]:
    """The district's admin units in code order (as ConsularDistrict.units), named in `language`."""
    rows = db.session.connection().execute(_UNITS, {"district_id": district_id}).all()
    return [UnitLine(row.id, row.code, unit_name(row, language), row.source_id) for row in rows]


def consulate_kind_label(kind) -> str:
    """The kind of consular office, in words."""
    labels = {
        "consulate_general": _("Consulate general"),
        "consulate": _("Consulate"),
        "consular_section": _("Consular section"),
        "mobile_consulate": _("Mobile consulate"),
        "service_window": _("Service window"),
    }
    return labels.get(str(kind.value if hasattr(kind, "value") else kind), str(kind))
