"""Pages of notifications.

- `GET/POST /account/notifications` (notifications.settings): each signed-in person chooses, per topic
  of their role, immediate / digest / none. Linked from the account menu and from every email.
- `GET /admin/outbox` (notifications.outbox): the TS sees pending, sent and failed messages.
- `POST /admin/outbox/<id>/retry` (notifications.retry): the TS sends a failed message again.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory_app.accounts.models import Role
from directory_app.accounts.permissions import require_role
from directory_app.extensions import db
from directory_app.notifications.admin import DIGEST_LABEL, STATUS_LABELS, list_messages, retry_message
from directory_app.notifications.forms import ActionForm, settings_form
from directory_app.notifications.models import OutboxStatus
from directory_app.notifications.settings import current_modes, save_modes
from directory_app.notifications.topics import TOPIC_LABELS, topics_for

bp = Blueprint("notifications", __name__)


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def settings():
    user = current_user._get_current_object()
    topics = topics_for(user.role)
    modes = current_modes(user)
    form = settings_form(topics, modes, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        save_modes(user, {topic: form[topic].data for topic in topics})
        db.session.commit()
        flash(_("Your notification settings are saved."))
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form, topics=topics), 200 if form.errors == {} else 400


@bp.get("/admin/outbox")
@require_role(Role.TS_ADMIN)
def outbox():
    status = request.args.get("status", "")
    if status and status not in {s.value for s in OutboxStatus}:
        abort(404)
    messages = list_messages(OutboxStatus(status) if status else None)
    return render_template(
        "notifications/outbox.html",
        messages=messages,
        status=status,
        status_labels=STATUS_LABELS,
        topic_labels={**TOPIC_LABELS, "digest": DIGEST_LABEL},
        form=ActionForm(),
    )


@bp.post("/admin/outbox/<int:message_id>/retry")
@require_role(Role.TS_ADMIN)
def retry(message_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if not retry_message(message_id):
        abort(404)
    db.session.commit()
    flash(_("The message will be sent at the next run of the mail worker."))
    return redirect(url_for("notifications.outbox", status="failed"))
