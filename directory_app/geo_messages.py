"""What geo says about a geometry (a GeometryError, the repairs of a coverage area) in the reader's language.

geo gives a code and plain parameters (geo.messages, no Flask there); this module, above geo, says it
in the language of the request, or of the terminal for a command (directory_app.i18n.select_locale):
the code's English template is looked up in the message catalogs with gettext, and each number is
written the locale's way (directory_app.i18n.format_number: "50,000", "50.000", "50 000"). A part's
reason inside a message ("drawn area 2: <reason>") is translated the same way. Outside an application
context there are no catalogs: the text is geo's English, as `str()` gives it.

Every place that shows a GeometryError to a person goes through `geo_text` (or `error_text`, for an
exception that may be a ValidationError as well).
"""

from __future__ import annotations

from flask import has_app_context
from flask_babel import gettext

from directory_app.i18n import format_number
from geo.messages import GeoMessage
from geo.validate import GeometryError


def geo_text(item: GeometryError | GeoMessage) -> str:
    """A GeometryError or a repair message in the reader's language."""
    message = item.detail if isinstance(item, GeometryError) else item
    if not has_app_context():
        return str(message)
    return message.render(gettext, format_number)


def error_text(error: Exception) -> str:
    """A user error as a person reads it: a GeometryError in the reader's language, anything else as its
    str() (a ValidationError's says where and why, in the language it was raised in)."""
    return geo_text(error) if isinstance(error, GeometryError) else str(error)
