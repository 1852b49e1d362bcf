"""Public pages load in a real browser with every request kept on 127.0.0.1."""

from __future__ import annotations


def test_home_page_loads_locally(page, assert_no_external_requests, screenshot):
    response = page.goto("/")
    assert response.status == 200
    assert page.locator(".site-header .brand").is_visible()
    assert page.locator("h1").count() == 1
    page.wait_for_load_state("networkidle")
    screenshot("home")
    assert_no_external_requests()


def test_district_list_loads_locally(page, assert_no_external_requests, screenshot):
    response = page.goto("/districts")
    assert response.status == 200
    assert page.locator("table tbody tr").count() > 100
    assert page.locator('table a[href="/districts/MX-US-LOS-ANGELES"]').is_visible()
    page.wait_for_load_state("networkidle")
    screenshot("district-list")
    assert_no_external_requests()


def test_external_requests_are_caught(new_context, assert_no_external_requests, request_log):
    """The check itself: a page that asks another host is recorded (and the request blocked). The
    app's Content-Security-Policy would stop the request before it is made: bypassed here."""
    page = new_context(bypass_csp=True).new_page()
    page.goto("/")
    page.evaluate("() => fetch('http://192.0.2.1/probe').catch(() => null)")
    assert "http://192.0.2.1/probe" in request_log
    try:
        assert_no_external_requests()
    except AssertionError as error:
        assert "192.0.2.1" in str(error)
    else:
        raise AssertionError("an external request went unnoticed")
