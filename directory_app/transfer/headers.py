"""The column headers people write, in English, Spanish and French, for every importable field.

HEADERS gives, for each target field of transfer.mapping.FIELDS (and `example`, the marker of the
template's example rows), the headers a person would write in each language; the first of each
language is the one the template (transfer.template) writes. `other` holds language-neutral
abbreviations and the names Shapefiles cut to ten characters. The field's own name ("country_code")
always matches too. Additional information (extra_<code>) is matched by its code, "extra_<code>" and
its labels in the database, handed in by the caller (`extra`).

Matching ignores accents, case, surrounding spaces, punctuation and underscores ("Nombre de la
organización", "NOMBRE_DE_LA_ORGANIZACION" and "nombre de la organizacion" are the same header); a
header that matches nothing as written is tried again without its parenthesised parts
("Latitude (WGS 84)"). `suggest_targets` guesses nothing it cannot be sure of: a header that two
fields claim, or a field that two columns claim (unless exactly one of them is the field's own
name), is left for the person to choose on the mapping page.

The table is documented in docs/import-headers.md (`markdown_table()`; a test keeps them equal).
This module is pure: no Flask, no database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

EXTRA_PREFIX = "extra_"
EXAMPLE = "example"
"""The target of the template's example marker column: a row with that cell filled is skipped."""


class Headers(NamedTuple):
    en: tuple[str, ...]
    es: tuple[str, ...]
    fr: tuple[str, ...]
    other: tuple[str, ...] = ()


HEADERS: dict[str, Headers] = {
    EXAMPLE: Headers(("Example", "Example row"), ("Ejemplo", "Fila de ejemplo"), ("Exemple", "Ligne d'exemple")),
    "external_id": Headers(
        ("Identifier", "External id", "Id", "Code", "Reference"),
        ("Identificador", "Código", "Clave", "Referencia"),
        ("Identifiant", "Référence", "Code"),
        ("ref", "externalid"),
    ),
    "organisation_id": Headers(
        ("Directory id", "Organisation id", "Organization id", "UUID"),
        ("Id del directorio", "Id de la organización"),
        ("Identifiant de l'annuaire", "Id de l'organisation"),
        ("organisati",),
    ),
    "name": Headers(
        ("Name", "Organisation name", "Organization name", "Organisation", "Organization"),
        ("Nombre", "Nombre de la organización", "Organización"),
        ("Nom", "Nom de l'organisation", "Organisation"),
    ),
    "alternate_name": Headers(
        ("Acronym", "Alternate name", "Other name", "Short name", "Abbreviation"),
        ("Siglas", "Sigla", "Acrónimo", "Otro nombre", "Nombre corto"),
        ("Sigle", "Acronyme", "Autre nom", "Nom court"),
        ("alternate_",),
    ),
    "description": Headers(("Description", "About"), ("Descripción",), ("Description",), ("descriptio",)),
    "kind": Headers(
        ("Kind", "Type", "Organisation type", "Organization type", "Kind of organisation"),
        ("Tipo", "Tipo de organización"),
        ("Type", "Type d'organisation"),
    ),
    "website": Headers(
        ("Website", "Web site", "Web", "URL", "Web page"),
        ("Sitio web", "Página web", "Web"),
        ("Site web", "Site internet", "Page web"),
    ),
    "email": Headers(
        ("Email", "E-mail", "Email address", "Mail"),
        ("Correo electrónico", "Correo", "Email"),
        ("Courriel", "Adresse électronique", "Adresse courriel", "E-mail"),
    ),
    "country_code": Headers(
        ("Country", "Country code", "Member country"),
        ("País", "Código de país", "País miembro"),
        ("Pays", "Code pays", "Code du pays", "Pays membre"),
        ("iso", "iso2", "country_co"),
    ),
    "status": Headers(
        ("Status", "Publication status"),
        ("Estado de publicación", "Estatus", "Publicación"),
        ("Statut", "Statut de publication", "État de publication"),
    ),
    "hide_exact_location": Headers(
        ("Hide exact location", "Hide location", "Hidden location", "Hidden"),
        ("Ocultar ubicación exacta", "Ocultar ubicación", "Ubicación oculta"),
        ("Masquer l'emplacement exact", "Masquer l'emplacement", "Emplacement masqué"),
        ("hide_exact",),
    ),
    "last_verified": Headers(
        ("Last verified", "Verified", "Verified on", "Date verified"),
        ("Última verificación", "Verificado", "Fecha de verificación"),
        ("Dernière vérification", "Vérifié le", "Date de vérification"),
        ("last_verif",),
    ),
    "networks": Headers(("Networks", "Network"), ("Redes", "Red"), ("Réseaux", "Réseau")),
    "phone": Headers(
        ("Phone", "Telephone", "Phone number", "Phones", "Tel"),
        ("Teléfono", "Número de teléfono", "Teléfonos", "Tel"),
        ("Téléphone", "Numéro de téléphone", "Téléphones", "Tél"),
    ),
    "site_name": Headers(
        ("Site name", "Office name", "Office"),
        ("Nombre de la sede", "Sede", "Oficina"),
        ("Nom du site", "Antenne", "Bureau"),
    ),
    "address": Headers(
        ("Address", "Street address", "Street"),
        ("Dirección", "Domicilio", "Calle"),
        ("Adresse", "Adresse postale", "Rue"),
    ),
    "city": Headers(
        ("City", "Town", "Municipality"),
        ("Ciudad", "Municipio", "Localidad"),
        ("Ville", "Commune", "Municipalité"),
    ),
    "region": Headers(
        ("State or province", "State", "Province", "Region"),
        ("Estado o provincia", "Estado", "Provincia", "Departamento", "Región"),
        ("État ou province", "État", "Province", "Région", "Département"),
    ),
    "postal_code": Headers(
        ("Postal code", "Postcode", "ZIP code", "ZIP"),
        ("Código postal", "CP"),
        ("Code postal",),
        ("postal_cod",),
    ),
    "lon": Headers(("Longitude", "Long"), ("Longitud",), ("Longitude",), ("lng", "x")),
    "lat": Headers(("Latitude",), ("Latitud",), ("Latitude",), ("y",)),
    "location_precision": Headers(
        ("Location precision", "Precision"),
        ("Precisión de la ubicación", "Precisión"),
        ("Précision de l'emplacement", "Précision"),
        ("location_p", "precision_ubicacion"),
    ),
    "last_modified": Headers(
        ("Last modified", "Modified", "Last updated", "Updated", "Updated at"),
        ("Última modificación", "Fecha de modificación", "Modificado", "Actualizado"),
        ("Dernière modification", "Modifié le", "Mis à jour le"),
        ("last_modif",),
    ),
    "service_categories": Headers(
        ("Services", "Service categories", "Service", "Categories"),
        ("Servicios", "Categorías de servicio", "Servicio", "Categorías"),
        ("Services", "Catégories de services", "Service", "Catégories"),
        ("service_ca",),
    ),
    "languages": Headers(
        ("Languages", "Language", "Languages spoken"),
        ("Idiomas", "Idioma", "Lenguas", "Idiomas de atención"),
        ("Langues", "Langue", "Langues parlées"),
    ),
    "populations": Headers(
        ("Populations", "Population", "Populations served", "Target groups"),
        ("Poblaciones", "Población", "Población atendida", "Poblaciones atendidas"),
        ("Populations", "Population", "Publics", "Public cible"),
        ("population",),
    ),
    "coverage_units": Headers(
        ("Areas covered", "Coverage", "Coverage units", "Admin units covered"),
        ("Zonas de cobertura", "Cobertura", "Unidades cubiertas", "Municipios cubiertos"),
        ("Zones couvertes", "Couverture", "Unités couvertes"),
        ("coverage_u",),
    ),
    "coverage_countries": Headers(
        ("Countries covered", "Coverage countries"),
        ("Países cubiertos", "Países de cobertura"),
        ("Pays couverts",),
        ("coverage_c",),
    ),
    "original_language": Headers(
        ("Language of the entry", "Original language", "Entry language", "Written in"),
        ("Idioma de la ficha", "Idioma original", "Redactado en"),
        ("Langue de la fiche", "Langue originale", "Rédigé en"),
        ("original_l",),
    ),
    "translations_json": Headers(
        ("Translations (JSON)", "Translations"),
        ("Traducciones (JSON)", "Traducciones"),
        ("Traductions (JSON)", "Traductions"),
        ("translatio",),
    ),
    "phones_json": Headers(("Phones (JSON)",), ("Teléfonos (JSON)",), ("Téléphones (JSON)",), ("phones_jso",)),
    "contacts_json": Headers(
        ("Contacts (JSON)", "Contacts"), ("Contactos (JSON)", "Contactos"), ("Contacts (JSON)",), ("contacts_j",)
    ),
    "locations_json": Headers(
        ("Sites (JSON)", "Locations (JSON)"),
        ("Sedes (JSON)", "Ubicaciones (JSON)"),
        ("Sites (JSON)", "Emplacements (JSON)"),
        ("locations_",),
    ),
    "services_json": Headers(("Services (JSON)",), ("Servicios (JSON)",), ("Services (JSON)",), ("services_j",)),
    "coverage_json": Headers(("Coverage (JSON)",), ("Cobertura (JSON)",), ("Couverture (JSON)",), ("coverage_j",)),
}
LANGUAGES = ("en", "es", "fr")
_PARENTHESISED = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def normalise(header: str) -> str:
    """The header without accents, case, spaces, punctuation and underscores: "País" -> "pais"."""
    return re.sub(r"[\W_]+", "", _unaccented(header).casefold())


def _unaccented(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def header_for(field: str, language: str) -> str:
    """The header the template writes for `field` in `language` (es, en or fr)."""
    return getattr(HEADERS[field], language if language in LANGUAGES else "en")[0]


def synonyms(field: str) -> tuple[str, ...]:
    """Every header of `field` in the table, in table order (its own name first)."""
    entry = HEADERS[field]
    return tuple(dict.fromkeys((field, *entry.en, *entry.es, *entry.fr, *entry.other)))


def extra_headers(code: str, labels: Iterable[str]) -> tuple[str, ...]:
    """The headers of an additional field: "extra_<code>", its code and its labels."""
    return (f"{EXTRA_PREFIX}{code}", code, *[label for label in labels if label])


def _lookup(extra: dict[str, Iterable[str]]) -> tuple[dict[str, str], dict[str, set[str]]]:
    """({normalised own name: field}, {normalised header: the fields that claim it})."""
    own = {normalise(field): field for field in HEADERS}
    own.update({normalise(target): target for target in extra})
    claims: dict[str, set[str]] = {}
    entries = [(field, synonyms(field)) for field in HEADERS] + [(t, tuple(h)) for t, h in extra.items()]
    for target, headers in entries:
        for header in headers:
            claims.setdefault(normalise(header), set()).add(target)
    return own, claims


def match_header(header: str, extra: dict[str, Iterable[str]] | None = None) -> tuple[str | None, bool]:
    """(the field a header names, whether it is the field's own name), or (None, False) when it names
    none or more than one. A header "extra_<code>" that nothing else claims names that target."""
    own, claims = _lookup(extra or {})
    return _match(header, own, claims)


def _match(header: str, own: dict[str, str], claims: dict[str, set[str]]) -> tuple[str | None, bool]:
    for candidate in (header, _PARENTHESISED.sub(" ", header)):
        key = normalise(candidate)
        if not key:
            continue
        if key in own:
            return own[key], True
        found = claims.get(key, set())
        if len(found) == 1:
            return next(iter(found)), False
        if found:
            return None, False  # two fields claim this header: the person chooses
    name = re.sub(r"[^a-z0-9]+", "_", _unaccented(header).casefold()).strip("_")
    if name.startswith(EXTRA_PREFIX) and len(name) > len(EXTRA_PREFIX):
        return name, True  # additional information the directory may not have: the row says which
    return None, False


def suggest_targets(columns: list[str], extra: dict[str, Iterable[str]] | None = None) -> dict[str, str]:
    """{column: field} for the columns whose header names one field for sure (see the module
    docstring); each field is given to one column at most, never guessed between two."""
    own, claims = _lookup(extra or {})
    found: dict[str, list[tuple[str, bool]]] = {}
    for column in columns:
        target, exact = _match(column, own, claims)
        if target is not None:
            found.setdefault(target, []).append((column, exact))
    mapping: dict[str, str] = {}
    for target, candidates in found.items():
        exact = [column for column, is_own in candidates if is_own]
        if len(candidates) == 1:
            mapping[candidates[0][0]] = target
        elif len(exact) == 1:
            mapping[exact[0]] = target
    return {column: mapping[column] for column in columns if column in mapping}


def markdown_table() -> str:
    """The table as docs/import-headers.md shows it."""
    lines = [
        "| Field | English | Spanish | French | Other |",
        "| --- | --- | --- | --- | --- |",
    ]
    for field, entry in HEADERS.items():
        cells = [", ".join(f"`{h}`" for h in headers) for headers in (entry.en, entry.es, entry.fr, entry.other)]
        lines.append(f"| `{field}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
