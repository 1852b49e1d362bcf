"""The pages of freshness reminders: the "still correct" link of a reminder, and the TS's schedule.

GET  /organisations/<uuid>/still-correct   watch.still_correct  who may edit the entry: a page that
                                            asks to confirm; its button POSTs (CSRF) to
                                            organisations.verify (nothing changes on a GET)
GET/POST /admin/reminders                   watch.schedule       the Technical Secretariat only
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory_app.accounts.models import Role
from directory_app.accounts.permissions import require_role
from directory_app.audit import record_event
from directory_app.extensions import db
from directory_app.organisations.display import is_stale
from directory_app.organisations.editing import editable_organisation
from directory_app.review.queries import stale_report
from directory_app.watch.forms import ScheduleForm
from directory_app.watch.reminders import next_due, reminder_schedule
from directory_app.watch.views import bp


@bp.get("/organisations/<organisation_uuid>/still-correct")
@login_required
def still_correct(organisation_uuid: str):
    """Confirm that an entry is still correct (404 unknown, 403 for whoever may not edit it)."""
    organisation = editable_organisation(organisation_uuid)
    return render_template("watch/still_correct.html", org=organisation, stale=is_stale(organisation.last_verified))


@bp.route("/admin/reminders", methods=["GET", "POST"])
@require_role(Role.TS_ADMIN)
def schedule():
    """The schedule of freshness reminders, what the next run would report, and when it runs."""
    current = reminder_schedule()
    form = ScheduleForm(obj=current)
    if form.validate_on_submit():
        current.enabled = form.enabled.data
        current.interval_months = form.interval_months.data
        current.stale_after_months = form.stale_after_months.data
        current.updated_by_id = current_user.id
        detail = f"enabled={current.enabled} every={current.interval_months} after={current.stale_after_months}"
        record_event("reminder_schedule", user=current_user, detail=detail)
        db.session.commit()
        flash(_("The reminder schedule is saved."))
        return redirect(url_for("watch.schedule"))
    status = 400 if form.errors else 200
    # (a schedule row created only to show the page is not committed: the first save creates it)
    report = [c for c in stale_report(months=current.stale_after_months) if c.published]
    page = render_template(
        "watch/schedule.html", form=form, schedule=current, next_due=next_due(current), report=report
    )
    return page, status
