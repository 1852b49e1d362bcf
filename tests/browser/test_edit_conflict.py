"""Two people save the same field of one entry in a real browser (organisations.edit_merge): the
second is asked, on a page where nothing is chosen beforehand and the browser will not send the
form unchosen (nor would the server accept it: 400, nothing written); once chosen, the choice and
the person's other change are saved, and the first person's change to another field stays."""

from __future__ import annotations

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Organisation, Status
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import _violations


def an_organisation(live_server) -> str:
    with live_server.app.app_context():
        return db.session.scalars(
            select(Organisation.uuid)
            .where(Organisation.country_code == "HN", Organisation.status == Status.PUBLISHED)
            .order_by(Organisation.id.desc())
            .limit(1)
        ).one()


def stored(live_server, uuid: str) -> tuple[str, str, str]:
    with live_server.app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.uuid == uuid))
        values = (org.website, org.email, org.alternate_name)
        db.session.rollback()
        return values


def test_a_field_both_changed_is_chosen_before_saving(new_context, live_server, assert_no_external_requests):
    uuid = an_organisation(live_server)
    page = new_context(bypass_csp=True).new_page()  # axe is added to the page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    other = new_context().new_page()
    sign_in(page, "ts_admin")
    sign_in(other, "ts_admin")
    page.goto(f"/organisations/{uuid}/edit")
    other.goto(f"/organisations/{uuid}/edit")

    other.fill("#website", "https://primera.example.org")
    other.fill("#alternate_name", "PRIMERA")
    with other.expect_navigation():
        other.click("form.edit-form button[type=submit]")
    assert "The change is published." in other.content()

    page.fill("#website", "https://segunda.example.org")
    page.fill("#email", "segunda@example.org")
    with page.expect_navigation():
        page.click("form.edit-form button[type=submit]")
    rows = page.locator("tr.conflict")
    assert rows.count() == 1
    assert rows.locator("th").inner_text() == "Website"
    assert "https://primera.example.org" in rows.inner_text() and "https://segunda.example.org" in rows.inner_text()
    assert page.locator("form.merge-form input[type=radio]:checked").count() == 0  # nothing preselected
    assert "Email" in page.locator("ul.applied").inner_text()
    assert _violations(page) == []  # axe-core, WCAG 2.1 A and AA: nothing serious or critical
    kept = page.locator("ul.kept").inner_text()
    assert "Website" not in kept and kept.strip()  # the other person's change to another field, named

    # the browser does not send the form unchosen ...
    page.click("form.merge-form button[type=submit]")
    assert page.evaluate("() => document.querySelector('form.merge-form').checkValidity()") is False
    assert page.url.endswith(f"/organisations/{uuid}/edit")  # still the page of choices
    # ... and the server refuses it too: nothing written
    page.evaluate("() => document.querySelectorAll('.merge-form [required]').forEach(e => e.required = false)")
    with page.expect_navigation():
        page.click("form.merge-form button[type=submit]")
    assert "Nothing was saved." in page.locator("main").inner_text()
    website, email, alternate = stored(live_server, uuid)
    assert (website, alternate) == ("https://primera.example.org", "PRIMERA") and email != "segunda@example.org"

    page.check("form.merge-form tr.conflict input[value=proposed]")
    with page.expect_navigation():
        page.click("form.merge-form button[type=submit]")
    assert f"/organisations/{uuid}" in page.url and "The change is published." in page.content()
    assert stored(live_server, uuid) == ("https://segunda.example.org", "segunda@example.org", "PRIMERA")
    assert errors == []
    assert_no_external_requests()
