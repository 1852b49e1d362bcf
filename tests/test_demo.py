"""The demo generator: deterministic, clearly labelled, every kind of coverage."""

import hashlib

import phonenumbers
import pytest
from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Contact, CoveragePart, Location, Organisation, Phone

pytestmark = pytest.mark.usefixtures("ctx")


def fingerprint() -> str:
    rows = db.session.execute(
        select(Organisation.external_id, Organisation.name, Organisation.status, Location.lon, Location.lat)
        .join(Location)
        .order_by(Organisation.external_id, Location.id)
    ).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_demo_is_the_same_on_every_backend(worlds):
    from tests.conftest import make_app

    prints = []
    for backend in ("sqlite", "postgresql"):
        with make_app(worlds(backend)).app_context():
            prints.append(fingerprint())
    assert prints[0] == prints[1]


def test_demo_is_labelled_and_invents_no_real_contact():
    names = db.session.scalars(select(Organisation.name)).all()
    assert names and all(n.startswith("DEMO ") for n in names)
    emails = db.session.scalars(select(Contact.email)).all() + db.session.scalars(select(Organisation.email)).all()
    assert all(e.endswith("@example.org") for e in emails)
    numbers = db.session.scalars(select(Phone.number)).all()
    assert all(" 555 01" in n for n in numbers)  # the range kept for fiction
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(n)) for n in numbers)  # as a save requires


def test_demo_has_every_kind_of_coverage_and_hidden_sites():
    kinds = set(db.session.scalars(select(CoveragePart.kind)))
    assert {"admin_unit", "radius", "polygon"} <= {k.value for k in kinds}
    hidden = db.session.scalars(select(Organisation).where(Organisation.hide_exact_location.is_(True))).all()
    assert hidden
    for org in hidden:
        for site in org.locations:
            assert (site.public_lon, site.public_lat) != (site.lon, site.lat)
    countries = set(db.session.scalars(select(Organisation.country_code)))
    assert {"MX", "US", "GT"} <= countries
