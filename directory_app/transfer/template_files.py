"""The template as files: Excel (a data sheet with drop-down lists, an instructions sheet and the
lists of codes) and CSV (the header and the example rows), both in the reader's language.

The data sheet comes first: the import reads the first sheet of a workbook. The drop-downs are
openpyxl data validations that point at the lists sheet, which gives each label in the reader's
language beside its code (the import reads either: transfer.cell_labels); in the columns that take several codes
(transfer.template.SEVERAL) typing "food;shelter" only brings a warning. Every text cell is written as
text, so that nothing from the database (labels of additional information, options) runs as a formula.
"""

from __future__ import annotations

import csv
import io
import re

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from directory_app.accounts.models import Role
from directory_app.extra_fields.models import FieldType
from directory_app.public_links import public_url
from directory_app.transfer.template import REQUIRED, SEVERAL, Column, example_rows, template_columns

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATA_ROWS = 1000  # rows under the header that carry the drop-downs
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # as transfer.exports: a leading apostrophe, removed on import
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_EXAMPLE_FILL = PatternFill("solid", fgColor="FFF2CC")


def template_csv(user) -> bytes:
    """The header and the two example rows, UTF-8 with a byte order mark (Excel then reads the accents)."""
    columns = template_columns(user)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    for row in example_rows(user, columns):
        writer.writerow(["'" + v if v.startswith(_FORMULA_START) and not _NUMBER.match(v) else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(user) -> bytes:
    columns = template_columns(user)
    workbook = Workbook()
    data = workbook.active
    data.title = _("Organisations")
    instructions = workbook.create_sheet(_("Instructions"))
    lists = workbook.create_sheet(_("Lists"))
    _fill_data(data, columns, example_rows(user, columns), instructions.title)
    ranges = _fill_lists(lists, columns)
    _add_validations(data, columns, ranges)
    _fill_instructions(instructions, columns, user, data.title, lists.title)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text(sheet, row: int, column: int, value: str, **style):
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    cell.data_type = "s"  # never a formula
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _fill_data(sheet, columns: list[Column], examples: list[list[str]], instructions: str) -> None:
    bold = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        cell = _text(sheet, 1, index, column.header, font=bold)
        note = column.meaning + ("\n" + _("Required.") if column.field in REQUIRED else "")
        cell.comment = Comment(note + "\n" + _("See the sheet %(sheet)s.", sheet=instructions), "CAMMINA")
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(column.header) + 4))
    for row_number, row in enumerate(examples, start=2):
        for index, value in enumerate(row, start=1):
            _text(sheet, row_number, index, value, fill=_EXAMPLE_FILL)
    sheet.freeze_panes = "B2"


def _fill_lists(sheet, columns: list[Column]) -> dict[str, str]:
    """Each column's choices as two columns (the label in the reader's language, which the drop-down
    offers, and its code, which the import accepts too); {field: the range of its labels}."""
    ranges = {}
    bold = Font(bold=True)
    position = 1
    for column in columns:
        if not column.choices:
            continue
        _text(sheet, 1, position, column.header, font=bold)
        _text(sheet, 1, position + 1, _("Code"), font=bold)
        for row, (value, label) in enumerate(column.choices, start=2):
            _text(sheet, row, position, label)
            _text(sheet, row, position + 1, value)
        letter = get_column_letter(position)
        ranges[column.field] = f"{quote_sheetname(sheet.title)}!${letter}$2:${letter}${len(column.choices) + 1}"
        sheet.column_dimensions[letter].width = 36
        sheet.column_dimensions[get_column_letter(position + 1)].width = 18
        position += 3
    return ranges


def _add_validations(sheet, columns: list[Column], ranges: dict[str, str]) -> None:
    for index, column in enumerate(columns, start=1):
        if column.field not in ranges:
            continue
        several = column.field in SEVERAL
        validation = DataValidation(
            type="list",
            formula1=ranges[column.field],
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning" if several else "stop",
            promptTitle=column.header[:32],
            prompt=(_("Choose one, or type several separated by ;") if several else _("Choose one."))[:255],
            showInputMessage=True,
        )
        validation.error = (
            _("Not in the list. Several values go separated by ;") if several else _("Choose a value from the list.")
        )[:255]
        sheet.add_data_validation(validation)
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{DATA_ROWS + 1}")


def _formats(column: Column) -> str:
    """What a cell of the column holds, in words."""
    if column.field in SEVERAL:
        return _("Values from the list (labels or codes); several separated by ;")
    if column.choices:
        return _("One value from the list.")
    if column.field == "lat":
        return _("Decimal degrees (WGS 84), e.g. %(value)s", value="17.0654")
    if column.field == "lon":
        return _("Decimal degrees (WGS 84), e.g. %(value)s", value="-96.7236")
    if column.field == "last_verified" or column.extra_type == FieldType.DATE:
        return _("A date: YYYY-MM-DD")
    if column.field == "example":
        return _("Leave it empty in your rows.")
    return ""


def _fill_instructions(sheet, columns: list[Column], user, data_title: str, lists_title: str) -> None:
    wrap = Alignment(wrap_text=True, vertical="top")
    required = ", ".join(c.header for c in columns if c.field in REQUIRED)
    if user.role == Role.TS_ADMIN:
        who = _(
            "Your import is written when you confirm its preview. A new entry is a draft, which the public does "
            "not see, unless its status (this column, or the default chosen when importing) says published; "
            "published entries are shown to everyone."
        )
    else:
        who = _(
            "Every row you import becomes a proposal: the Technical Secretariat reviews it, and nothing changes "
            "in the directory before it is approved. Approved new entries are shown to everyone."
        )
    paragraphs = [
        _("How to fill in this template"),
        _(
            "Write one organisation per row in the sheet %(sheet)s, under the two example rows. The example "
            "rows (their first cell says so) are skipped on import: delete them or leave them.",
            sheet=data_title,
        ),
        _("Required columns: %(columns)s. Leave a cell empty when you do not know its value.", columns=required),
        _(
            "Columns with a drop-down take a value of its list, in your language; the sheet %(sheet)s gives the "
            "code of each, which is accepted too. Several values in one cell are separated by ;",
            sheet=lists_title,
        ),
        _(
            "Then import the file on the page %(url)s: check the column mapping and the preview; nothing is "
            "written before you confirm.",
            url=public_url("transfer.upload"),
        ),
        _("Who will see the entries: %(who)s", who=who),
        _(
            "Hide the exact location: with yes, the public sees only an approximate position without the street "
            "address; consular staff and the Technical Secretariat see the exact one."
        ),
    ]
    for row, text in enumerate(paragraphs, start=1):
        _text(sheet, row, 1, text, alignment=wrap, font=Font(bold=row == 1, size=14 if row == 1 else 11))
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        sheet.row_dimensions[row].height = 15 if row == 1 else 45
    top = len(paragraphs) + 2
    bold = Font(bold=True)
    for index, title in enumerate((_("Column"), _("Required"), _("What it holds"), _("Format")), start=1):
        _text(sheet, top, index, title, font=bold)
    for row, column in enumerate(columns, start=top + 1):
        _text(sheet, row, 1, column.header, alignment=wrap)
        _text(sheet, row, 2, _("Yes") if column.field in REQUIRED else "", alignment=wrap)
        _text(sheet, row, 3, column.meaning, alignment=wrap)
        _text(sheet, row, 4, _formats(column), alignment=wrap)
    for letter, width in zip("ABCD", (28, 10, 60, 40)):
        sheet.column_dimensions[letter].width = width
