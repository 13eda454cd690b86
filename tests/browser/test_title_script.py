"""A consultation title never runs as script on the start page (security finding N2).

Reproduced attack: a planner titled a consultation «Sec-test ${(top.XSS_TITLE=document.domain)}»;
folium wrote the title into a JavaScript template literal in the overview map, and every
visitor's page (an admin's live session too) got ``top.XSS_TITLE``. The title must show as
text, in the map's tooltip and popup, and set nothing.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.helpers import MAP_IFRAME, wait_for_map, wait_idle
from tests.conftest import make_consultation

TITLE = "Sec-test ${(top.XSS_TITLE=document.domain)} `+(top.XSS_TICK=1)+` </script><b>fet</b>"

# In the map frame: the layer whose popup is the hostile consultation's, opened.
_OPEN_POPUP = """
() => {
    const map = window.map;
    if (!map) return false;
    for (const layer of Object.values(map._layers)) {
        const popup = layer && layer.getPopup && layer.getPopup();
        if (!popup || !layer.getLayers) continue;
        const content = popup.getContent();
        const box = typeof content === "function" ? content(layer) : content;
        if (typeof box === "string" || !box.textContent.includes("Sec-test")) continue;
        if (!popup.isOpen()) layer.openPopup();
        return document.querySelectorAll(".leaflet-popup-content").length > 0;
    }
    return false;
}
"""


def _seed(db_path: Path) -> None:
    from consultations.demo import seed_demo
    from consultations.store import Store

    store = Store.open(db_path)
    try:
        seed_demo(store)
        now = datetime.now(UTC)
        store.add_consultation(
            make_consultation(
                "sec-test", title=TITLE, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30)
            )
        )
    finally:
        store.close()


def test_a_hostile_title_shows_as_text_on_the_start_page_map_and_sets_nothing(start_app, browser_page: Page):
    server = start_app(prepare=_seed)
    page = browser_page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server.url)
    fl, frame = wait_for_map(page)
    wait_idle(page)
    frame.wait_for_function(_OPEN_POPUP, polling=250)
    popup = fl.locator(".leaflet-popup-content").filter(has_text="Sec-test").first
    expect(popup).to_contain_text(TITLE)  # as typed, every character
    assert popup.locator("b, script").count() == 0
    link = popup.get_by_role("link")
    expect(link).to_have_attribute("href", "/?id=sec-test")
    expect(link).to_have_attribute("target", "_parent")
    page.wait_for_load_state("networkidle")
    time.sleep(0.3)
    for f in page.frames:
        if not f.is_detached():
            assert f.evaluate("typeof window.XSS_TITLE + typeof window.XSS_TICK") == "undefinedundefined", f.url
    assert page.locator(MAP_IFRAME).count() >= 1
    assert not dialogs, dialogs
