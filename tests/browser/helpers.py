"""What the browser tests share: the demo's names, waits that allow for a busy machine, and
the steps every path takes (choosing an option, finding the map, logging in). One module,
so no test file imports another."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from google.protobuf.message import DecodeError
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, FrameLocator, Locator, Page, expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

BORGEN = "borgen-tettstedsutvikling"  # demo: early medvirkning, published at once
FORMAL = "asker-sentrum-omraderegulering"  # demo: offentlig ettersyn, saksnummer 24/4711
CASE_NUMBER = "24/4711"
# A consultation's shareable address (one page for the list and a consultation, see README).
CONSULTATION_PATH = f"/?id={BORGEN}"
CATEGORY = "Trafikk og trafikksikkerhet"
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
REF = re.compile(r"KI-\d{6}")
PAGE_NOT_FOUND = "does not seem to exist"  # Streamlit's own "Page not found" dialog
DEFAULT_TIMEOUT_MS = 20_000  # as the browser_page fixture sets
# For what waits on the server (a first run seeds the demo data, a save, a publish):
# expect()'s own 5 s is too short on a busy machine.
SLOW_MS = 30_000
LOGIN_TITLE = "Logg inn for ansatte"
USERNAME, PASSWORD = "kari", "riktig-hest-batteri"
# Every new WebSocket to Streamlit's stream carries the stolen session id as the
# reconnect entry, whatever the frontend itself would send.
RESUME_SCRIPT = """
(() => {
  const Original = window.WebSocket;
  const stolen = %s;
  function Resuming(url, protocols) {
    if (String(url).includes("_stcore/stream") && Array.isArray(protocols)) {
      protocols = [protocols[0], protocols[1] || "PLACEHOLDER_AUTH_TOKEN", stolen];
    }
    return new Original(url, protocols);
  }
  Resuming.prototype = Original.prototype;
  for (const k of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) Resuming[k] = Original[k];
  window.WebSocket = Resuming;
})();
"""


def wait_idle(page: Page, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
    """Wait until Streamlit is connected and no script (or fragment) run is in progress."""
    page.locator(
        '[data-testid="stApp"][data-test-script-state="notRunning"][data-test-connection-state="CONNECTED"]'
    ).wait_for(state="attached", timeout=timeout_ms)


def wait_for_map(page: Page) -> tuple[FrameLocator, Frame]:
    """Wait until the folium map is drawn in its iframe, plan area included."""
    iframe = page.locator(MAP_IFRAME).first
    iframe.wait_for(state="visible")
    fl = page.frame_locator(MAP_IFRAME).first
    leaflet = fl.locator("#map_div.leaflet-container, #map_div .leaflet-container").first
    expect(leaflet).to_be_visible()
    # The plan area outline: an SVG path (or a canvas) in Leaflet's overlay pane.
    fl.locator(".leaflet-overlay-pane path, .leaflet-overlay-pane canvas").first.wait_for(state="attached")
    frame = iframe.element_handle().content_frame()
    assert frame is not None, "the map iframe has no content frame"
    frame.wait_for_function("() => typeof window.L !== 'undefined'")
    return fl, frame


def open_consultation_from_home(page: Page, url: str, title_part: str = "Borgen") -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name="Si din mening om planer i kommunen")).to_be_visible()
    heading = page.get_by_role("heading", name=re.compile(title_part)).first
    expect(heading).to_be_visible()
    # The card is the nearest container around the heading that holds the card's link.
    card = heading.locator("xpath=ancestor::div[.//a[contains(normalize-space(.), 'Les mer og gi innspill')]][1]")
    link = card.get_by_role("link", name="Les mer og gi innspill")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", re.compile(rf"[?&]id={BORGEN}(&|$)"))
    link.click()
    page.wait_for_url(re.compile(rf"[?&]id={BORGEN}(&|$)"))


def choose_option(page: Page, label: str, option: str) -> None:
    """Pick `option` in the Streamlit selectbox labelled `label`.

    A rerun that lands while the list is open closes it again: then try once more.
    """
    box = page.get_by_role("combobox", name=label, exact=True)
    expect(box).to_have_count(1)
    item = page.get_by_role("option", name=option, exact=True)
    for attempt in range(3):
        wait_idle(page)
        box.click()
        try:
            item.wait_for(state="visible", timeout=3_000)
            item.click(timeout=3_000)
            break
        except PlaywrightError:
            if attempt == 2:
                raise
    expect(box).to_have_value(option)


def off_host(urls: list[str], port: int) -> list[str]:
    bad = []
    for u in urls:
        if u.startswith(("data:", "blob:", "about:")):
            continue
        parts = urlsplit(u)
        if parts.hostname not in {"127.0.0.1", "localhost"} or parts.port != port:
            bad.append(u)
    return bad


def page_not_found_dialog(page: Page) -> Locator:
    return page.get_by_role("dialog").filter(has_text=PAGE_NOT_FOUND)


def settle(page: Page) -> None:
    """After an action that may start a rerun: give it a moment to start, then wait it out."""
    page.wait_for_timeout(300)
    wait_idle(page)


def visible(locator: Locator, message: str | None = None) -> None:
    """Expect `locator` to show, allowing for a server run on a busy machine."""
    expect(locator, message).to_be_visible(timeout=SLOW_MS)


def main(page: Page) -> Locator:
    return page.get_by_test_id("stMain")


def fill_and_commit(page: Page, field: Locator, value: str) -> None:
    """Type into a Streamlit text input/area and blur it, so its value reaches the script."""
    field.fill(value)
    field.press("Tab")
    settle(page)
    expect(field).to_have_value(value, timeout=SLOW_MS)


def choose_by_typing(page: Page, label: str, text: str) -> Locator:
    """Pick the option of the selectbox `label` that matches `text`: click, type, Enter.

    A rerun that lands while the list is open closes it again: then try once more.
    """
    box = page.get_by_role("combobox", name=label, exact=True)
    expect(box).to_have_count(1, timeout=SLOW_MS)
    for attempt in range(3):
        wait_idle(page)
        try:
            box.click()
            page.keyboard.type(text)
            page.get_by_role("option", name=re.compile(re.escape(text))).first.wait_for(state="visible", timeout=5_000)
            page.keyboard.press("Enter")
            expect(box).to_have_value(re.compile(re.escape(text)), timeout=5_000)
            break
        except (PlaywrightError, AssertionError):
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
    settle(page)
    return box


def seed_with_planner(db_path: Path) -> None:
    from consultations.auth import create_user
    from consultations.demo import seed_demo
    from consultations.store import Store

    store = Store.open(db_path)
    try:
        seed_demo(store)
        create_user(store, USERNAME, "planner", PASSWORD)
    finally:
        store.close()


def phone_photo(path: Path) -> Path:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (59.0, 49.0, 34.0), 3: "E", 4: (10.0, 24.0, 50.0)}
    Image.new("RGB", (2400, 1800), (200, 80, 40)).save(path, "JPEG", exif=exif.tobytes())
    return path


def pin_map_centre(page: Page, fl: FrameLocator, tries: int = 3) -> None:
    """Click the middle of the map until the page says «Valgt punkt».

    Focused first: a press on a map without focus focuses it, and the page may scroll the
    map into view between the press and the release (the click then lands elsewhere). On a
    busy machine a click can still be lost while the page is laid out again (the map's frame
    takes its height after it has drawn); a resident then clicks again, and so does this.
    If the map was fitted while its frame was still growing, an input's marker may lie at
    the middle, and the click opens its popup instead: the popup is closed and the next
    click lands a little beside it, still well inside the plan area.
    """
    chosen = page.get_by_text("Valgt punkt").first
    area = fl.locator("#map_div")
    for attempt in range(tries):
        wait_idle(page)
        popups = fl.locator(".leaflet-popup-close-button")
        if popups.count():
            popups.first.click()
        area.focus()
        if attempt == 0:
            area.click()
        else:
            box = area.bounding_box()
            assert box is not None
            area.click(position={"x": box["width"] / 2 + 30 * attempt, "y": box["height"] / 2 - 20 * attempt})
        try:
            expect(chosen).to_be_visible(timeout=SLOW_MS if attempt == tries - 1 else 10_000)
            return
        except AssertionError:
            if attempt == tries - 1:
                raise


STEP_WHAT, STEP_SEND = "Hva vil du si?", "Send"  # the form's parts 2 and 3 (ui/form_steps.py)


def phone_step(page: Page, title: str) -> None:
    """On a phone the form shows one part at a time: tap «Neste: <title>» and see its
    heading. (A wide screen shows every part: there is no such button to tap.)"""
    page.get_by_role("button", name=f"Neste: {title}", exact=True).tap()
    expect(page.get_by_role("heading", name=re.compile(rf"· {re.escape(title)}$"))).to_be_visible()


def record_session_ids(page: Page) -> list[str]:
    """The session ids the server gives this page (ForwardMsg new_session)."""
    ids: list[str] = []

    def on_frame(payload) -> None:
        if isinstance(payload, (bytes, bytearray)):
            msg = ForwardMsg()
            try:
                msg.ParseFromString(bytes(payload))
            except DecodeError:  # not every frame need parse on its own; ids come whole
                return
            if msg.WhichOneof("type") == "new_session":
                ids.append(msg.new_session.initialize.session_id)

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    return ids


def log_in(page: Page, url: str) -> None:
    """Log in as the planner «kari» (``seed_with_planner``) through the login page."""
    page.goto(f"{url}/logg-inn")
    expect(page.get_by_role("heading", name=LOGIN_TITLE)).to_be_visible(timeout=SLOW_MS)
    wait_idle(page, SLOW_MS)
    page.get_by_role("textbox", name="Brukernavn", exact=True).fill(USERNAME)
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    page.wait_for_url(re.compile(r"/saksbehandling(\?|$)"))
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Høringer", exact=True)).to_be_visible(timeout=SLOW_MS)
    wait_idle(page, SLOW_MS)


_AXE = Axe()


def no_serious_axe(page: Page, where: str) -> None:
    """axe-core on the page in its present state, with its frames (as test_accessibility.py
    runs it: the script in every frame, ``iframes: true``): nothing serious or critical,
    Leaflet's markup in the map frame included."""
    for frame in page.frames:
        try:
            if not frame.evaluate("() => typeof window.axe !== 'undefined'"):
                frame.evaluate(_AXE.axe_script)
        except PlaywrightError:  # a frame that went away meanwhile
            pass
    result = _AXE.run(page, options={"resultTypes": ["violations"], "iframes": True, "frameWaitTime": 15_000})
    bad = [
        f"{v['id']} ({v['impact']}): {node.get('html', '')[:120]}"
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
        for node in v["nodes"]
    ]
    assert not bad, f"axe-core on «{where}»:\n" + "\n".join(bad)


def tap_map(page: Page, offsets: list[tuple[float, float]]) -> None:
    """Taps with a finger (``page.touchscreen``) on the page's map, at fractions of its size
    from its middle, as a person taps: one at a time, not a double tap."""
    area = page.frame_locator(MAP_IFRAME).first.locator("#map_div")
    area.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    b = area.bounding_box()
    assert b is not None
    for dx, dy in offsets:
        page.touchscreen.tap(b["x"] + b["width"] * (0.5 + dx), b["y"] + b["height"] * (0.5 + dy))
        page.wait_for_timeout(350)
