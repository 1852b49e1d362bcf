"""A consulate's name in the reader's language. Consulates have a Spanish and an English name (from
data/consulates.csv); for any other language (French) the name is said from the English one's parts,
each translated: "Consulate General of Mexico in Houston" -> "Consulat général du Mexique à Houston",
"Consular Section of the Embassy of Honduras in Washington" -> "Section consulaire de l'ambassade du
Honduras à Washington". A name of another shape stays in English, the language of the directory's
data sources (every name of data/consulates.csv has the shape; a test checks it)."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

_SHAPE = re.compile(
    r"^(?P<office>Consulate General|Consulate|Mobile Consulate|Consular Section)"
    r" of (?P<embassy>the Embassy of )?(?P<country>.+?) in (?P<city>.+)$"
)
OFFICES = {
    "Consulate General": _l("Consulate General"),
    "Consulate": _l("Consulate"),
    "Mobile Consulate": _l("Mobile Consulate"),
}
OF_COUNTRY = {
    "Belize": _l("of Belize"),
    "Canada": _l("of Canada"),
    "Costa Rica": _l("of Costa Rica"),
    "El Salvador": _l("of El Salvador"),
    "Guatemala": _l("of Guatemala"),
    "Honduras": _l("of Honduras"),
    "Mexico": _l("of Mexico"),
    "Nicaragua": _l("of Nicaragua"),
    "Panama": _l("of Panama"),
    "the Dominican Republic": _l("of the Dominican Republic"),
    "the United States": _l("of the United States"),
}


def consulate_name(name_es: str, name_en: str, lang: str) -> str:
    """The name for a reader of `lang` (see the module docstring)."""
    if lang == "es":
        return name_es
    found = _SHAPE.match(name_en or "") if lang != "en" else None
    if found is None or found["country"] not in OF_COUNTRY:
        return name_en
    of_country, city = OF_COUNTRY[found["country"]], found["city"]
    if found["embassy"]:
        if found["office"] != "Consular Section":
            return name_en
        return _("Consular Section of the Embassy %(of_country)s in %(city)s", of_country=of_country, city=city)
    if found["office"] not in OFFICES:
        return name_en
    return _("%(office)s %(of_country)s in %(city)s", office=OFFICES[found["office"]], of_country=of_country, city=city)
