"""Reading CSV files with errors that name the file, the row and the field.

Files are read as people save them (directory_app.textfiles, as the organisation import reads them):
UTF-8 with or without a byte order mark, UTF-16, or Windows-1252 and the other code pages a
spreadsheet saves in; the delimiter is `,`, `;` or tab."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from flask_babel import gettext as _

from directory_app.errors import ValidationError
from directory_app.textfiles import decode_text, sniff_delimiter


def read_rows(path: Path, required: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row number as a spreadsheet shows it, row) for each data row of a CSV (see the module
    docstring for the encodings and delimiters read).

    Raises ValidationError when the file is missing, not text in an encoding it can tell, lacks a
    required column, or a row has more cells than the header."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(_("file not found"), source=str(path))
    try:
        text = decode_text(path.read_bytes()).text
    except ValidationError as exc:
        raise ValidationError(exc.message, source=str(path)) from None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
        header = reader.fieldnames or []
        missing = [c for c in required if c not in header]
        if missing:
            raise ValidationError(
                _(
                    "missing column(s) %(missing)s; the header has: %(header)s",
                    missing=", ".join(missing),
                    header=", ".join(header) or _("nothing"),
                ),
                source=str(path),
                row=1,
            )
        for number, row in enumerate(reader, start=2):
            if None in row:
                raise ValidationError(_("this row has more cells than the header"), source=str(path), row=number)
            yield number, {k: (v or "").strip() for k, v in row.items()}
    except csv.Error as exc:
        raise ValidationError(_("malformed CSV: %(error)s", error=str(exc)), source=str(path)) from None


def parse_float(value: str, field: str, row: int, source: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValidationError(
            _("'%(value)s' is not a number", value=value), field=field, row=row, source=source
        ) from None
