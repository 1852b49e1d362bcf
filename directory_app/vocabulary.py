"""The controlled vocabularies: stable codes with Spanish, English and French labels.

Codes never change once published (they are the HSDS taxonomy term codes and appear in URLs
and exports); labels may be improved. `flask --app directory_app setup` writes them into the
database, so that services and populations reference them by foreign key.
"""

from __future__ import annotations

from typing import NamedTuple


class Term(NamedTuple):
    code: str
    es: str
    en: str
    fr: str


SERVICE_CATEGORIES: tuple[Term, ...] = (
    Term("shelter", "Albergue", "Shelter", "Hébergement"),
    Term("food", "Alimentación", "Food", "Alimentation"),
    Term("legal_assistance", "Asesoría jurídica", "Legal assistance", "Assistance juridique"),
    Term("asylum", "Asilo y refugio", "Asylum and refugee procedures", "Asile et procédures de réfugié"),
    Term("health_care", "Atención médica", "Health care", "Soins de santé"),
    Term(
        "mental_health",
        "Salud mental y apoyo psicosocial",
        "Mental health and psychosocial support",
        "Santé mentale et soutien psychosocial",
    ),
    Term("identity_documents", "Documentos de identidad", "Identity documents", "Documents d'identité"),
    Term(
        "family_search",
        "Reunificación familiar y búsqueda de personas migrantes desaparecidas",
        "Family reunification and search for missing migrants",
        "Regroupement familial et recherche de migrants disparus",
    ),
    Term("repatriation_remains", "Repatriación de restos", "Repatriation of remains", "Rapatriement des dépouilles"),
    Term("labour_rights", "Derechos laborales", "Labour rights", "Droits du travail"),
    Term("education", "Educación", "Education", "Éducation"),
    Term("transport", "Transporte humanitario", "Humanitarian transport", "Transport humanitaire"),
    Term(
        "crisis_assistance",
        "Asistencia en crisis y desastres",
        "Crisis and disaster assistance",
        "Assistance en cas de crise et de catastrophe",
    ),
    Term(
        "detention_monitoring",
        "Monitoreo y visitas a centros de detención",
        "Detention monitoring and visits",
        "Surveillance des lieux de détention et visites",
    ),
    Term("reintegration", "Retorno y reintegración", "Return and reintegration", "Retour et réintégration"),
)

POPULATIONS: tuple[Term, ...] = (
    Term(
        "unaccompanied_children",
        "Niñas, niños y adolescentes no acompañados",
        "Unaccompanied children",
        "Enfants non accompagnés",
    ),
    Term("women", "Mujeres", "Women", "Femmes"),
    Term("lgbtiq", "Personas LGBTIQ+", "LGBTIQ+ people", "Personnes LGBTIQ+"),
    Term("indigenous", "Pueblos indígenas", "Indigenous peoples", "Peuples autochtones"),
    Term("migrant_workers", "Personas trabajadoras migrantes", "Migrant workers", "Travailleurs migrants"),
    Term("returnees", "Personas retornadas", "Returnees", "Personnes rapatriées"),
    Term("asylum_seekers", "Personas solicitantes de asilo", "Asylum seekers", "Demandeurs d'asile"),
    Term("disabilities", "Personas con discapacidad", "People with disabilities", "Personnes handicapées"),
)

ORGANISATION_KINDS: tuple[Term, ...] = (
    Term("ngo", "Organización no gubernamental", "Non-governmental organisation", "Organisation non gouvernementale"),
    Term(
        "faith_based",
        "Organización de inspiración religiosa",
        "Faith-based organisation",
        "Organisation confessionnelle",
    ),
    Term("shelter", "Casa del migrante o albergue", "Migrant shelter", "Maison des migrants ou foyer"),
    Term("legal_clinic", "Clínica jurídica", "Legal clinic", "Clinique juridique"),
    Term("community", "Organización comunitaria", "Community organisation", "Organisation communautaire"),
    Term("academic", "Institución académica", "Academic institution", "Établissement universitaire"),
    Term("network", "Red de organizaciones", "Network of organisations", "Réseau d'organisations"),
    Term("international", "Organismo internacional", "International organisation", "Organisation internationale"),
)

SERVICE_CODES = frozenset(t.code for t in SERVICE_CATEGORIES)
POPULATION_CODES = frozenset(t.code for t in POPULATIONS)
ORGANISATION_KIND_CODES = frozenset(t.code for t in ORGANISATION_KINDS)

# The external ids of the demo organisations (`flask demo`) start with this: while any exists, the
# directory says that it holds sample data (organisations.sample_data).
SAMPLE_DATA_PREFIX = "demo-"


def label(terms: tuple[Term, ...], code: str, lang: str = "es") -> str:
    for term in terms:
        if term.code == code:
            return getattr(term, lang, term.en)
    raise KeyError(code)


NETWORKS: tuple[tuple[str, str, str], ...] = (
    (
        "RNCOM",
        "Red Regional de Organizaciones Civiles para las Migraciones",
        "Regional network of civil organisations for migration, partner of the Regional Conference on Migration.",
    ),
    (
        "CAMMINA",
        "Central America and Mexico Migration Alliance",
        "Alliance of funders and civil-society organisations working on migration in Central America and Mexico.",
    ),
)
