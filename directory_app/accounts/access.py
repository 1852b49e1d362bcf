"""Who may see what. Every view and API that shows a location asks here, never the template.

- The public (not signed in) sees published entries, and for an organisation that asked to hide
  its exact location only the approximate public position (Location.public_lon/public_lat).
- Consular users and the Technical Secretariat see exact positions of every organisation.
- A country contact sees exact positions of their own country's organisations (they entered them).
"""

from __future__ import annotations

from flask_login import current_user

from directory_app.accounts.models import Role


def signed_in_role() -> Role | None:
    """The role of the signed-in user, or None for the public."""
    if current_user and current_user.is_authenticated:
        return current_user.role
    return None


def sees_all_exact_locations() -> bool:
    """True for the readers who see every exact location: consular users and the TS."""
    return signed_in_role() in (Role.CONSULAR, Role.TS_ADMIN)


def sees_exact_location(organisation) -> bool:
    """True when the current reader may see this organisation's exact site positions."""
    if not organisation.hide_exact_location or sees_all_exact_locations():
        return True
    return signed_in_role() == Role.COUNTRY_CONTACT and current_user.country_code == organisation.country_code


def site_position(location, organisation) -> tuple[float, float, bool]:
    """(lon, lat, is_exact) of a site as the current reader may see it."""
    if sees_exact_location(organisation):
        return location.lon, location.lat, True
    return location.public_lon, location.public_lat, False


def exact_location_rule():
    """A function (hide_exact_location, country_code) -> bool for many organisations at once
    (map layers), equivalent to sees_exact_location."""
    if sees_all_exact_locations():
        return lambda hidden, country: True
    if signed_in_role() == Role.COUNTRY_CONTACT:
        own = current_user.country_code
        return lambda hidden, country: not hidden or country == own
    return lambda hidden, country: not hidden


def viewer_key() -> str:
    """What a layer that shows positions depends on: 'public', 'all' or 'country:XX'."""
    if sees_all_exact_locations():
        return "all"
    if signed_in_role() == Role.COUNTRY_CONTACT:
        return f"country:{current_user.country_code}"
    return "public"
