"""A full referral sheet for Houston: the test world holds only a few organisations serving Guatemala's
Houston district with shelter or legal aid, so the tests of the printed sheet first add the most the
sheet lists for those two services (10 nearest per service: 20 organisations, 10 offering each), each
with a long name, three services with hours and fees, an address, two phones (one WhatsApp), an email,
a contact person and a website, as a real entry would have."""

from __future__ import annotations

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.geography.models import Consulate
from directory_app.organisations.models import Organisation
from directory_app.organisations.services import create_organisation

HOUSTON = "GT-US-HOUSTON"
PREFIX = "Sheet test"
OTHER_SERVICES = ("health_care", "food", "identity_documents", "transport", "education")


def entry(index: int, lon: float, lat: float) -> dict:
    chosen = "shelter" if index % 2 else "legal_assistance"
    services = [chosen, OTHER_SERVICES[index % 5], OTHER_SERVICES[(index + 2) % 5]]
    return {
        "name": f"{PREFIX} {index:02d} Centro Comunitario de Apoyo al Migrante y su Familia",
        "kind": "ngo",
        "country_code": "US",
        "status": "published",
        "email": f"contacto{index}@centro-{index}.example.org",
        "website": f"https://www.centro-comunitario-{index}.example.org/servicios",
        "locations": [
            {
                "lon": lon + 0.01 * (index % 5),
                "lat": lat + 0.01 * (index // 5),
                "address": f"{1000 + index} Long Point Road, Suite {index}",
                "city": "Houston",
                "region": "Texas",
            }
        ],
        "services": [
            {
                "category": code,
                "schedule": "Lunes a viernes 9:00-17:00; sábados 9:00-13:00",
                "fees": "Gratuito",
            }
            for code in services
        ],
        "phones": [
            {"number": f"+1 713 555 01{index:02d}"},
            {"number": f"+1 832 555 02{index:02d}", "type": "whatsapp"},
        ],
        "contacts": [{"name": f"Persona de contacto {index}", "email": f"persona{index}@example.org"}],
        "coverage": [{"kind": "admin_unit", "unit": "US-48201"}],  # Harris County
    }


def add_full_houston(app) -> None:
    """Add the 20 organisations (once: nothing when they are there)."""
    with app.app_context():
        if db.session.scalar(select(Organisation.id).where(Organisation.name.startswith(PREFIX))):
            return
        consulate = db.session.scalar(select(Consulate).where(Consulate.code == HOUSTON))
        for index in range(20):
            create_organisation(entry(index, consulate.lon, consulate.lat))
        db.session.commit()
