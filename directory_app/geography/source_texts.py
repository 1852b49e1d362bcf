# ruff: noqa: E501  (the texts stay whole, one msgid each)
"""The titles and notes of the official district sources shipped with the directory
(data/districts/*.csv, written in English), marked here so that the catalogs translate them:
`shown(text)` is a shipped text in the reader's language. A source imported later (its own file) is
shown as written. tests/geography/test_source_texts.py checks that this list holds every text of
data/districts/."""

from __future__ import annotations

from flask_babel import gettext as _


def N_(text: str) -> str:  # noqa: N802  (pybabel's default marker: extracted, translated when shown)
    return text


SHIPPED_TEXTS = (
    N_("Citas en Español: Consulado de Honduras en Washington DC (a guide site)"),
    N_(
        "SRE, Consulate of Mexico in Leamington: jurisdictions of Mexico's offices in Canada (document legalization page)"
    ),
    N_("Dos Mundos, 10 Nov 2021: column by the head of the Consulate of Mexico in Kansas City"),
    N_("Border Eco, 29 Jun 2018: the jurisdiction of the Consulate General of Mexico in Nogales, Arizona"),
    N_(
        "Santa Barbara Independent, 27 Jul 2023: the consul in Oxnard serves Santa Barbara, San Luis Obispo and Ventura counties"
    ),
    N_("SRE communiqué on ten consular districts of Mexico in the US, reported by Milenio"),
    N_(
        "Conexión Migrante, 11 May 2022: Consulado de México en Albuquerque atenderá el norte de Texas (SRE, in force 1 June 2022)"
    ),
    N_(
        "Diario El Mundo: the Consulate General of El Salvador in Washington moves to Silver Spring (ministry communiqué)"
    ),
    N_("Secondary source: a guide site, not the Honduran ministry (SRECI); verify with the consular section."),
    N_(
        "Leamington's jurisdiction is the south of Essex County, Ontario. Admin units in Canada are provinces and territories, so all of Ontario is shown under Toronto and Leamington has no district of its own here. The Embassy in Ottawa legalizes documents from all of Canada; it has no district."
    ),
    N_(
        "The district is the 105 Kansas counties and the 115 Missouri counties and jurisdictions; its 28 western Oklahoma counties went to the consulate in Oklahoma City (opened 2022)."
    ),
    N_(
        "The jurisdiction is Santa Cruz County and Green Valley (Pima County); Green Valley is part of a county, so Pima County stays with the nearest-consulate default."
    ),
    N_(
        "The communiqué moves to Chicago the Illinois counties that were Indianapolis's, without naming them; every Illinois county is given to Chicago here, the others being Chicago's already. Verify against consulmex.sre.gob.mx/chicago."
    ),
    N_(
        "The article lists 38 northern Texas counties; its stored copy names 36 (numbers 37 and 38 are cut off), so those two stay with the nearest-consulate default until they are sourced."
    ),
    N_(
        "The communiqué gives the jurisdiction (Maryland, West Virginia, District of Columbia) and 1 February as the day of the move; the year is from El Tiempo Latino, 7 Apr 2017 (eltiempolatino.com), which reports the office open in Silver Spring since February."
    ),
)


def shown(text: str | None) -> str:
    """A shipped title or note in the reader's language (the text as it is when no catalog has it)."""
    return _(text) if text else ""
