"""organisation search text and sort name, with a backfill

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 08:50:00

The folding below is a frozen copy of directory_app.organisations.searchtext (a migration must not
change when the application does): NFKD, combining marks removed, casefolded, each word once.
"""

import re
import unicodedata
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_LABELS = {
    "shelter": "Albergue Shelter Hébergement",
    "food": "Alimentación Food Alimentation",
    "legal_assistance": "Asesoría jurídica Legal assistance Assistance juridique",
    "asylum": "Asilo y refugio Asylum and refugee procedures Asile et procédures de réfugié",
    "health_care": "Atención médica Health care Soins de santé",
    "mental_health": "Salud mental y apoyo psicosocial Mental health and psychosocial support "
    "Santé mentale et soutien psychosocial",
    "identity_documents": "Documentos de identidad Identity documents Documents d'identité",
    "family_search": "Reunificación familiar y búsqueda de personas migrantes desaparecidas "
    "Family reunification and search for missing migrants Regroupement familial et recherche de migrants disparus",
    "repatriation_remains": "Repatriación de restos Repatriation of remains Rapatriement des dépouilles",
    "labour_rights": "Derechos laborales Labour rights Droits du travail",
    "education": "Educación Education Éducation",
    "transport": "Transporte humanitario Humanitarian transport Transport humanitaire",
    "crisis_assistance": "Asistencia en crisis y desastres Crisis and disaster assistance "
    "Assistance en cas de crise et de catastrophe",
    "detention_monitoring": "Monitoreo y visitas a centros de detención Detention monitoring and visits "
    "Surveillance des lieux de détention et visites",
    "reintegration": "Retorno y reintegración Return and reintegration Retour et réintégration",
}


def _fold(text):
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped.casefold()).strip()


def _backfill(bind) -> None:
    org = sa.table(
        "organisation",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("alternate_name", sa.String),
        sa.column("description", sa.Text),
        sa.column("search_text", sa.Text),
        sa.column("sort_name", sa.String),
    )
    parts, places = defaultdict(list), defaultdict(list)
    for org_id, category, name, description in bind.execute(
        sa.text(
            "SELECT organisation_id, category_code, name, description FROM service WHERE is_active = :yes ORDER BY id"
        ),
        {"yes": True},
    ):
        parts[org_id] += [_LABELS.get(category, ""), name, description]
    for org_id, city, region in bind.execute(sa.text("SELECT organisation_id, city, region FROM location ORDER BY id")):
        places[org_id] += [p for p in (city, region) if p and p not in places[org_id]]
    for org_id in places:
        parts[org_id] += places[org_id]
    for org_id, name in bind.execute(
        sa.text(
            "SELECT organisation_network.organisation_id, network.name FROM organisation_network "
            "JOIN network ON network.id = organisation_network.network_id ORDER BY network.code"
        )
    ):
        parts[org_id].append(name)
    rows = [
        {
            "_id": org_id,
            "search_text": " ".join(
                dict.fromkeys(_fold(" ".join(p for p in (name, alternate, description, *parts[org_id]) if p)).split())
            ),
            "sort_name": _fold(name)[:300],
        }
        for org_id, name, alternate, description in bind.execute(
            sa.select(org.c.id, org.c.name, org.c.alternate_name, org.c.description)
        )
    ]
    if rows:
        bind.execute(
            org.update()
            .where(org.c.id == sa.bindparam("_id"))
            .values(search_text=sa.bindparam("search_text"), sort_name=sa.bindparam("sort_name")),
            rows,
        )


def upgrade():
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("sort_name", sa.String(length=300), nullable=False, server_default=""))
        batch_op.create_index("ix_organisation_listing", ["status", "sort_name", "id"], unique=False)
    _backfill(op.get_bind())


def downgrade():
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index("ix_organisation_listing")
        batch_op.drop_column("sort_name")
        batch_op.drop_column("search_text")
