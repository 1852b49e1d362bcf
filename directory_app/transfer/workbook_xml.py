"""The XML inside an Excel upload, checked before openpyxl reads it.

An .xlsx is a zip of XML documents. openpyxl parses them with defusedxml (openpyxl.xml.DEFUSEDXML),
which refuses entity declarations: no external entity (a URL or a local file read into a cell), no
"billion laughs". That refusal comes as an exception in the middle of reading, so every member is
first read here (whatever its name: the workbook's relations may point at any) with defusedxml up to
its root element: a document type declaration (Excel never writes one) is refused with a message
that names the file and the member. XInclude is never performed
by openpyxl either; a member that declares the XInclude namespace is refused all the same, so that the
person learns the workbook is not what it seems rather than seeing cells silently missing.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse
from flask_babel import gettext as _

from directory_app.errors import ValidationError

_XINCLUDE = b"http://www.w3.org/2001/XInclude"
_CHUNK = 1024 * 1024


def check_workbook_xml(path: Path, name: str) -> None:
    """ValidationError when an XML member of the workbook declares a DTD or entities, or uses
    XInclude; also when openpyxl would not parse with defusedxml (a broken installation)."""
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:
        raise RuntimeError("openpyxl does not use defusedxml: Excel files cannot be read safely")
    with zipfile.ZipFile(path) as archive:
        for entry in archive.infolist():
            if entry.is_dir():
                continue
            with archive.open(entry) as handle:
                declares = _declares_dtd(handle)
            if declares:
                raise ValidationError(
                    _(
                        "The Excel file %(name)s declares XML entities or a document type (in %(part)s); "
                        "such files are refused: save it again from a spreadsheet program.",
                        name=name,
                        part=entry.filename,
                    ),
                    source=name,
                )
            with archive.open(entry) as handle:
                if _mentions(handle, _XINCLUDE):
                    raise ValidationError(
                        _(
                            "The Excel file %(name)s includes other files with XInclude (in %(part)s); "
                            "included files are never read: save it again from a spreadsheet program.",
                            name=name,
                            part=entry.filename,
                        ),
                        source=name,
                    )


def _declares_dtd(handle) -> bool:
    """True when the document has a DOCTYPE (read only up to the root element's start)."""
    try:
        for _event, _element in iterparse(handle, events=("start",), forbid_dtd=True):
            return False
    except DefusedXmlException:
        return True
    except ParseError:
        return False  # not well-formed: openpyxl's own error says so
    return False


def _mentions(handle, needle: bytes) -> bool:
    tail = b""
    while chunk := handle.read(_CHUNK):
        if needle in tail + chunk:
            return True
        tail = chunk[-len(needle) :]
    return False
