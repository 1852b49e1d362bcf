"""Every model, imported in one place for Alembic and the app factory."""

from directory_app.accounts.models import Role, User  # noqa: F401
from directory_app.geography.models import (  # noqa: F401
    AdminUnit,
    ConsularDistrict,
    Consulate,
    Country,
)
from directory_app.organisations.models import (  # noqa: F401
    Contact,
    CoveragePart,
    DistrictCoverage,
    Location,
    Network,
    Organisation,
    Phone,
    Population,
    Service,
    ServiceCategory,
    ServiceLanguage,
    UnitCoverage,
)
