"""/transfer/template.xlsx and /transfer/template.csv: the template to fill in, for the users who may
import (routes on the transfer blueprint; directory_app.register_blueprints imports this module)."""

from __future__ import annotations

from io import BytesIO

from flask import send_file
from flask_login import current_user

from directory_app.accounts.permissions import require_role
from directory_app.i18n import current_language
from directory_app.transfer.template_files import XLSX_MIMETYPE, template_csv, template_xlsx
from directory_app.transfer.views import _IMPORTERS, bp


@bp.get("/template.xlsx")
@require_role(*_IMPORTERS)
def template_excel():
    content = template_xlsx(current_user)
    return send_file(
        BytesIO(content),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=f"cammina-template-{current_language()}.xlsx",
    )


@bp.get("/template.csv")
@require_role(*_IMPORTERS)
def template_text():
    content = template_csv(current_user)
    return send_file(
        BytesIO(content),
        mimetype="text/csv",
        as_attachment=True,
        download_name=f"cammina-template-{current_language()}.csv",
    )
