"""The Content-Security-Policy in a real Chromium: the shipped server (serve.py) with the
policy on still draws the map and runs the page's own script, and the browser reports no
violation of it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def test_consultation_map_renders_under_the_policy_without_violations(app_server, browser_page: Page):
    page = browser_page
    violations: list[str] = []

    def seen(msg) -> None:
        if "Content Security Policy" in msg.text:
            violations.append(msg.text)

    page.on("console", seen)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('Content Security Policy violation: ' + e.violatedDirective + ' '"
        " + e.blockedURI + ' in ' + document.location.pathname))"
    )
    response = page.goto(f"{app_server.url}/?id=borgen-tettstedsutvikling")
    assert "script-src 'self' 'unsafe-inline'" in response.headers["content-security-policy"]

    fl = page.frame_locator(MAP_IFRAME).first
    expect(fl.locator("#map_div.leaflet-container, #map_div .leaflet-container").first).to_be_visible()
    fl.locator(".leaflet-overlay-pane path, .leaflet-overlay-pane canvas").first.wait_for(state="attached")
    fl.locator(".leaflet-marker-icon, .marker-cluster").first.wait_for(state="attached")
    # ui/language.py's inline script ran: <html lang> is the page's language, not "en".
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    assert violations == []
