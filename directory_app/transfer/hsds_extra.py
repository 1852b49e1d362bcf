"""Where HSDS things that have no field of ours are kept: four text fields of the organisation's
additional information (extra_fields), which the HSDS exports publish again as attributes of the
organization (api.hsds_attributes).

- hsds_identifiers: organization_identifiers (scheme, type, identifier) and tax_id;
- hsds_funding: the funding sources of the organization and of its services;
- hsds_programs: the programs (name, other name, description);
- hsds_terms: the terms of other taxonomies kept as text (taxonomy, code, name).

The fields are defined by the import that first needs them (define_missing, called before the
commit writes); a field the Technical Secretariat has since retired or given another type is left
alone, and the preview says that its text is not kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from directory_app.audit import record_event
from directory_app.extensions import db
from directory_app.extra_fields.models import ExtraField, FieldType
from directory_app.extra_fields.services import MAX_TEXT

IDENTIFIERS, FUNDING, PROGRAMS, TERMS = "hsds_identifiers", "hsds_funding", "hsds_programs", "hsds_terms"
LABELS = {  # stored labels (es, en, fr): data, like every additional field's labels
    IDENTIFIERS: ("Identificadores (HSDS)", "Identifiers (HSDS)", "Identifiants (HSDS)"),
    FUNDING: ("Financiamiento (HSDS)", "Funding (HSDS)", "Financement (HSDS)"),
    PROGRAMS: ("Programas (HSDS)", "Programs (HSDS)", "Programmes (HSDS)"),
    TERMS: ("Otras clasificaciones (HSDS)", "Other classifications (HSDS)", "Autres classifications (HSDS)"),
}
ACTIVE, MISSING, UNUSABLE = "active", "missing", "unusable"


@dataclass(frozen=True)
class FieldStates:
    """{code: ACTIVE | MISSING | UNUSABLE} of the four fields, read once per file."""

    states: dict[str, str]

    @classmethod
    def read(cls) -> FieldStates:
        fields = {f.code: f for f in db.session.scalars(select(ExtraField).where(ExtraField.code.in_(LABELS)))}
        states = {}
        for code in LABELS:
            field = fields.get(code)
            if field is None:
                states[code] = MISSING
            elif field.active and field.field_type == FieldType.TEXT:
                states[code] = ACTIVE
            else:
                states[code] = UNUSABLE
        return cls(states)

    def usable(self, code: str) -> bool:
        return self.states.get(code) in (ACTIVE, MISSING)


def label(code: str) -> str:
    return LABELS[code][1]


def joined(lines: list[str]) -> tuple[str, bool]:
    """The lines as one text of at most MAX_TEXT characters, and whether it had to be cut."""
    text = "\n".join(dict.fromkeys(line for line in lines if line))
    return (text[:MAX_TEXT], True) if len(text) > MAX_TEXT else (text, False)


def kept_text(code: str, states: FieldStates) -> str:
    """What the preview says of text kept in the field `code`."""
    if states.states.get(code) == MISSING:
        return _(
            "kept as additional information '%(label)s' (a text field the import adds to the directory)",
            label=label(code),
        )
    return _("kept as additional information '%(label)s'", label=label(code))


def unusable_text(code: str) -> str:
    return _(
        "not kept: the additional field '%(code)s' is retired or is not a text field",
        code=code,
    )


def define_missing(records, user=None) -> list[str]:
    """Define the fields that the records' additional information names and that do not exist yet
    (before the commit writes the values); the codes defined."""
    wanted = {code for _n, data in records if isinstance(data, dict) for code in (data.get("extra") or {})}
    wanted &= set(LABELS)
    if not wanted:
        return []
    existing = set(db.session.scalars(select(ExtraField.code).where(ExtraField.code.in_(wanted))))
    position = (db.session.scalar(select(func.max(ExtraField.position))) or 0) + 1
    defined = []
    for code in sorted(wanted - existing):
        es, en, fr = LABELS[code]
        db.session.add(
            ExtraField(
                code=code,
                label_es=es,
                label_en=en,
                label_fr=fr,
                field_type=FieldType.TEXT.value,
                position=position,
            )
        )
        position += 1
        defined.append(code)
    if defined:
        db.session.flush()
        record_event("extra_field_changed", user=user, detail=f"defined {', '.join(defined)} (HSDS import)")
    return defined
