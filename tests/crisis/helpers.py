"""Organisations for the crisis tests, created through the real write path (organisations.services)."""

from __future__ import annotations

from datetime import date

from directory_app.extensions import db
from directory_app.organisations.services import create_organisation

TAPACHULA = (-92.26, 14.91)
HIDDEN = (-92.26417, 14.90853)  # a street in Tapachula: a hidden site's exact point


def add(name: str, *, status: str = "published", hidden: bool = False, coverage=None, services=("shelter",),
        site=HIDDEN, country: str = "MX") -> str:  # fmt: skip
    org = create_organisation(
        {
            "name": name,
            "kind": "shelter",
            "country_code": country,
            "status": status,
            "hide_exact_location": hidden,
            "last_verified": date(2026, 11, 1).isoformat(),
            "email": "crisis-test@example.org",
            "locations": [{"name": "Sede", "address": "Calle Escondida 9", "lon": site[0], "lat": site[1]}],
            "services": [{"category": code} for code in services],
            "coverage": coverage if coverage is not None else [{"kind": "radius", "location": 0, "radius_km": 30}],
        }
    )
    db.session.commit()
    return org.uuid


def add_tapachula_organisations() -> dict[str, str]:
    """A hidden shelter with a 30 km radius, a Chiapas-wide legal service, a draft and an archived one
    (never reported), and a Houston one (far away)."""
    return {
        "radius": add("Refugio Radio Crisis", hidden=True, services=("shelter", "food")),
        "state": add(
            "Defensoría Chiapas Crisis",
            coverage=[{"kind": "admin_unit", "unit": "MX-CHP"}],
            services=("legal_assistance",),
            site=(-93.1164, 16.7531),  # Tuxtla Gutiérrez
        ),
        "draft": add("Borrador Crisis", status="draft", coverage=[{"kind": "admin_unit", "unit": "MX-CHP"}]),
        "archived": add("Archivada Crisis", status="archived", coverage=[{"kind": "admin_unit", "unit": "MX-CHP"}]),
        "houston": add(
            "Houston Crisis Center",
            coverage=[{"kind": "admin_unit", "unit": "US-48201"}],
            site=(-95.37, 29.76),
            country="US",
        ),
    }
