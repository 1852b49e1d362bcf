"""The Content-Security-Policy in a real browser: a script injected without the nonce does not run,
while the page's own scripts (with the nonce, or from the app) do."""


def test_an_inline_script_without_the_nonce_is_blocked(page, assert_no_external_requests):
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto("/map")
    page.wait_for_selector(".folium-map[data-ready='1']")  # the map's own nonce-carrying script ran
    page.evaluate(
        """() => {
            const s = document.createElement('script');
            s.textContent = 'window.__injected = 1';
            document.body.appendChild(s);
            const img = document.createElement('div');
            img.innerHTML = '<img src=x onerror="window.__handler = 1">';
            document.body.appendChild(img);
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__injected") is None
    assert page.evaluate("() => window.__handler") is None
    assert violations
    assert_no_external_requests()
