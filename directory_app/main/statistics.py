"""What the directory holds: the counts of the home page and of `flask stats`."""

from __future__ import annotations

from sqlalchemy import func, select

from directory_app.extensions import db
from directory_app.geography.models import AdminUnit, ConsularDistrict, Consulate, Country
from directory_app.organisations.models import DistrictCoverage, Location, Organisation, Service


def statistics() -> dict[str, int]:
    """Counts of what the directory holds."""

    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    return {
        "countries": count(Country),
        "admin units": count(AdminUnit),
        "consulates": count(Consulate),
        "districts": count(ConsularDistrict),
        "approximate districts": count(ConsularDistrict, ConsularDistrict.is_approximate.is_(True)),
        "organisations": count(Organisation),
        "published organisations": count(Organisation, Organisation.status == "published"),
        "services": count(Service),
        "sites": count(Location),
        "organisation-district links": count(DistrictCoverage),
    }
