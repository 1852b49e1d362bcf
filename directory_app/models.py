"""Every model, imported in one place for Alembic and the app factory."""

from directory_app.accounts.models import Role, User  # noqa: F401
from directory_app.audit.models import AuditEvent  # noqa: F401, E402
from directory_app.crisis.models import Crisis  # noqa: F401, E402
from directory_app.extra_fields.models import ExtraField, ExtraFieldValue  # noqa: F401, E402
from directory_app.geography.models import (  # noqa: F401
    AdminUnit,
    ConsularDistrict,
    Consulate,
    Country,
)
from directory_app.geography.network_models import (  # noqa: F401
    ConsularNetwork,
    ConsularNetworkMember,
    ConsularWindow,
)
from directory_app.notifications.models import NotificationSetting, OutboxMessage  # noqa: F401, E402
from directory_app.organisations.models import (  # noqa: F401
    Contact,
    CoveragePart,
    DistrictCount,
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
from directory_app.organisations.translations import OrganisationTranslation, ServiceTranslation  # noqa: F401
from directory_app.registry.models import ContactPerson  # noqa: F401, E402
from directory_app.review.models import ChangeProposal, Revision  # noqa: F401, E402
from directory_app.watch.models import ReminderSchedule, Watch  # noqa: F401, E402
