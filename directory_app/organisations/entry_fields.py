"""The building blocks of an organisation's data (organisations.entry_data): ABSENT, the metadata of a
field (Spec) and the readers of its stored JSON values."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from directory_app.errors import ValidationError


class _Absent:
    """The value of a field the data does not say: leave the stored value as it is."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False

    def __copy__(self) -> _Absent:
        return self

    def __deepcopy__(self, memo: dict) -> _Absent:
        return self


ABSENT = _Absent()

SCALAR, LIST, EXTRA_KIND = "scalar", "list", "extra"
ITEM_ID = "id"  # every list item carries its row's uuid: the same item from one version to the next


@dataclass(frozen=True)
class Spec:
    """What the definition says about one field."""

    label: Any  # a lazy gettext string
    kind: str = SCALAR
    max_length: int | None = None
    required: bool = False
    clearable: bool = True  # an empty value clears it (False: an empty value says nothing)


def spec_field(label, default: Any = ABSENT, **spec) -> Any:
    factory = {"default_factory": default} if callable(default) else {"default": default}
    return dataclasses.field(metadata={"spec": Spec(label, **spec)}, **factory)


def read_text(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def read_texts(value: Any, where: str) -> list[str]:
    if value is None or value == "":
        return []
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, (str, int, float)) for v in value):
        raise ValidationError(str(_l("Give a JSON list.")), field=where)
    return [str(v) for v in value]


def read_by_language(value: Any, where: str) -> dict:
    """Texts by language: {field: {language: text}}."""
    if value is None or value == "":
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, dict) or v is None for v in value.values()):
        raise ValidationError(str(_l("Give a JSON object.")), field=where)
    return {str(k): {str(lang): read_text(t) for lang, t in (v or {}).items()} for k, v in value.items()}


def read_index(value: Any) -> Any:
    """A reference to another list's item by its place (an int); anything else as given (checked later)."""
    return value
