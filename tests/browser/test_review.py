"""The editing workflow in a real browser: a country contact moves a site by clicking on the small map
of the edit form and sends the change; the Technical Secretariat sees the proposal with the published
and proposed coverage drawn on one map, approves it, and the organisation page shows the new name."""

from __future__ import annotations

import re

from sqlalchemy import select

from directory_app.extensions import db
from directory_app.organisations.models import Organisation, Status
from tests.browser.conftest import sign_in


def an_mx_organisation(live_server) -> str:
    with live_server.app.app_context():
        return db.session.scalars(
            select(Organisation.uuid)
            .where(Organisation.country_code == "MX", Organisation.status == Status.PUBLISHED)
            .order_by(Organisation.id.desc())
            .limit(1)
        ).one()


def test_contact_proposes_ts_approves(page, new_context, live_server, screenshot, assert_no_external_requests):
    uuid = an_mx_organisation(live_server)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "country_contact", "MX")
    page.goto(f"/organisations/{uuid}")
    with page.expect_navigation():
        page.click(".edit-bar a:text-is('Edit')")
    picker = page.locator(".site-picker").first
    picker.wait_for(state="visible")
    lat = page.locator("#locations-0-lat")
    before = lat.input_value()
    picker.click(position={"x": 60, "y": 60})
    assert lat.input_value() != before and re.fullmatch(r"-?\d+\.\d{6}", lat.input_value())
    page.fill("#name", "Casa <script>window.__x=1</script> renovada")
    page.fill("#comment", "Nueva sede")
    with page.expect_navigation():
        page.click("form.edit-form button[type=submit]")
    assert "/review/" in page.url
    proposal_url = page.url
    assert "Waiting for review" in page.locator(".proposal-meta").inner_text()

    reviewer = new_context().new_page()
    reviewer.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(reviewer, "ts_admin")
    reviewer.goto(proposal_url)
    # the map of the coverage: what the proposal removes, keeps and adds, an overlay each, and a legend
    reviewer.wait_for_selector(".map-review .folium-map[data-ready='1']")
    overlays = reviewer.locator(".map-review .leaflet-control-layers-overlays label").all_text_contents()
    names = ["Removed (only in the published entry)", "Unchanged (in both)", "Added (only in the proposal)"]
    assert [label.strip() for label in overlays] == names
    legend = reviewer.locator(".map-review .map-legend .map-legend-row").all_inner_texts()
    assert [re.sub(r" \(\d+\)$", "", row.strip()) for row in legend] == names
    review_map = reviewer.locator(".map-review .folium-map")
    counts = [int(review_map.get_attribute(f"data-{change}-features")) for change in ("removed", "kept", "added")]
    assert sum(counts) >= 1
    # a radius around the moved site covers another area: drawn as removed and added, not unchanged
    diff = reviewer.locator("ul.changes").inner_text()
    assert "moved on the map by about" in diff  # the site's move in words, no coordinates
    assert "locations[" not in diff and "Country" not in diff  # only what the contact changed
    assert reviewer.evaluate("() => window.__x") is None
    screenshot("review-proposal", reviewer)
    reviewer.locator("#coverage-heading").scroll_into_view_if_needed()
    reviewer.evaluate("() => document.getElementById('coverage-heading').scrollIntoView()")
    screenshot("review-proposal-map", reviewer)
    reviewer.fill("#comment", "Aprobado")
    with reviewer.expect_navigation():
        reviewer.click("button:text-is('Approve and publish')")
    assert reviewer.url.endswith(f"/organisations/{uuid}/history")
    screenshot("review-history", reviewer)

    page.goto(f"/organisations/{uuid}")
    assert page.locator("h1").inner_text().startswith("Casa <script>window.__x=1</script> renovada")
    page.goto("/my-entries")
    assert "Aprobado" in page.locator("#approved-heading + ul").inner_text()
    assert errors == []
    assert_no_external_requests()


def test_several_rows_are_added_in_one_save(page, live_server, assert_no_external_requests):
    """ "Add another ..." copies the blank row with the next index; everything typed in the new rows
    reaches the proposal, and an added site gets its own working map."""
    uuid = an_mx_organisation(live_server)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "country_contact", "MX")
    page.goto(f"/organisations/{uuid}/edit?lang=en")
    services = page.locator("fieldset:has(> legend:text-is('Services')) > .edit-row")
    existing = services.count() - 1  # the last row is the blank one
    for offset, (category, name) in enumerate([("food", "Comedor <b>A</b>"), ("legal_assistance", "Asesoría B")]):
        index = existing + 1 + offset
        page.click("button.add-row[data-list=services]")
        assert page.evaluate("() => document.activeElement.id") == f"services-{index}-category"
        page.select_option(f"#services-{index}-category", category)
        page.fill(f"#services-{index}-name", name)
    assert services.count() == existing + 3
    assert page.locator(f"#services-{existing + 2}-name").input_value() == "Asesoría B"
    assert services.nth(existing + 1).locator("h3").inner_text() == "Add a service"

    sites = page.locator(".site-row")
    site_count = sites.count()
    page.click("button.add-row[data-list=locations]")
    new_site = site_count  # index of the added row
    assert page.locator(f"#locations-{new_site}-lat").input_value() == ""
    picker = sites.nth(site_count).locator(".site-picker")
    picker.wait_for(state="visible")
    picker.click(position={"x": 80, "y": 60})
    assert re.fullmatch(r"-?\d+\.\d{6}", page.locator(f"#locations-{new_site}-lat").input_value())
    page.fill(f"#locations-{new_site}-name", "Sede añadida")
    page.fill("#comment", "Dos servicios y una sede")
    with page.expect_navigation():
        page.click("form.edit-form button[type=submit]")
    assert "/review/" in page.url, page.locator(".notice.error, .field-error").all_inner_texts()
    diff = page.locator("ul.changes").inner_text()
    assert "Comedor <b>A</b>" in diff and "Asesoría B" in diff and "Sede añadida" in diff
    assert errors == []
    assert_no_external_requests()


def an_mx_organisation_with_phones(live_server) -> str:
    """A published Mexican entry with a phone that no other browser test edits (the fifth newest)."""
    with live_server.app.app_context():
        return db.session.scalars(
            select(Organisation.uuid)
            .where(Organisation.country_code == "MX", Organisation.status == Status.PUBLISHED)
            .where(Organisation.phones.any())
            .order_by(Organisation.id.desc())
            .offset(4)
            .limit(1)
        ).one()


def test_two_proposals_on_different_fields_are_both_published(
    page, new_context, live_server, assert_no_external_requests
):
    """The Mexican contact sends two proposals made on the same version: a phone and a new service
    from the edit form, then the coverage from the coverage page. The Secretariat approves the first,
    then the second without any choice to make (they change different fields): both are live, and
    the history shows both."""
    uuid = an_mx_organisation_with_phones(live_server)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    public = new_context().new_page()
    public.goto(f"/organisations/{uuid}?lang=en")
    districts_before = public.locator("#districts-heading + table tbody tr").count()

    sign_in(page, "country_contact", "MX")
    page.goto(f"/organisations/{uuid}/edit?lang=en")
    page.fill("#phones-0-number", "+52 55 5555 0199")
    services = page.locator("fieldset:has(> legend:text-is('Services')) > .edit-row")
    blank = services.count() - 1
    page.select_option(f"#services-{blank}-category", "legal_assistance")
    page.fill(f"#services-{blank}-name", "Asesoría jurídica en el albergue")
    page.fill("#comment", "Nuevo teléfono y un servicio")
    with page.expect_navigation():
        page.click("form.edit-form button[type=submit]")
    assert re.search(r"/review/\d+$", page.url), page.locator(".notice.error, .field-error").all_inner_texts()
    first = page.url

    page.goto(f"/organisations/{uuid}/edit/coverage?lang=en")
    notice = page.locator(".pending-proposals").inner_text()
    assert "already waiting for review" in notice and "amend your proposal" in notice
    page.fill("#units-filter", "guatemala")  # the checklist opens the matching groups
    page.check("#units-checklist input[value='country:GT']")
    page.fill("#comment", "También cubrimos Guatemala")
    with page.expect_navigation():
        page.click("form.coverage-form button[type=submit]")
    assert re.search(r"/review/\d+$", page.url), page.locator(".notice.error, .field-error").all_inner_texts()
    second = page.url
    assert second != first

    reviewer = new_context().new_page()
    reviewer.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(reviewer, "ts_admin")
    reviewer.goto("/review?lang=en")
    group = reviewer.locator("section.queue-entry", has=reviewer.locator(f"a[href='/organisations/{uuid}']"))
    assert group.locator("a[href^='/review/']").count() == 2 and "2 changes waiting" in group.inner_text()
    for proposal in (first, second):
        reviewer.goto(proposal)
        with reviewer.expect_navigation():
            reviewer.click("button:text-is('Approve and publish')")
        assert reviewer.url.endswith(f"/organisations/{uuid}/history"), reviewer.url  # no merge page to fill
        assert "The change is published." in reviewer.locator(".flashes, .flash, main").first.inner_text()

    history = reviewer.locator("article.revision").all_text_contents()
    assert any("Nuevo teléfono y un servicio" in h and "+52 55 5555 0199" in h for h in history)
    assert any("También cubrimos Guatemala" in h for h in history)

    public.goto(f"/organisations/{uuid}?lang=en")
    body = public.locator("main").inner_text()
    assert "+52 55 5555 0199" in body and "Asesoría jurídica en el albergue" in body
    assert public.locator("#districts-heading + table tbody tr").count() > districts_before  # Guatemala served
    page.goto("/my-entries?lang=en")
    approved = page.locator("#approved-heading + ul").inner_text()
    assert approved.count("Approved and published") >= 2
    assert errors == []
    assert_no_external_requests()
