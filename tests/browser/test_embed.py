"""A consultation embedded in the municipality's page, in a real Chromium: the builder's
snippet on a page of an allowed origin (KARTINNSPILL_FRAME_ANCESTORS) shows it without the
app's navigation and takes the height of its content; the same page from another origin
is refused by the browser (CSP frame-ancestors)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

from consultations.participation import embed
from consultations.i18n import t
from tests.conftest import BORGEN


class _Site:
    """The municipality's web server: one page holding the snippet."""

    def __init__(self) -> None:
        self.page = b""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = site.page
                self.send_response(200)
                self.send_header("content-type", "text/html; charset=utf-8")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sites(start_app) -> Iterator[tuple[str, _Site, _Site]]:
    """(the app's address, an allowed site, a site not allowed) — both sites serve the same
    page with the snippet, on their own ports (so their own origins)."""
    allowed, other = _Site(), _Site()
    app = start_app(env={"KARTINNSPILL_FRAME_ANCESTORS": allowed.origin})
    allowed.page = other.page = (
        '<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>Asker kommune</title></head>'
        "<body><h1>Høringer</h1>"
        + embed.snippet(app.url, BORGEN, "Borgen – høring fra Asker kommune")
        + "</body></html>"
    ).encode()
    yield app.url, allowed, other
    allowed.close()
    other.close()


FRAME = "iframe[data-kartinnspill]"


def test_embedded_from_an_allowed_origin_without_navigation_at_the_height_of_its_content(sites, browser_page: Page):
    _, allowed, _ = sites
    page = browser_page
    page.goto(f"{allowed.origin}/kommune.html")
    frame = page.frame_locator(FRAME)
    expect(frame.locator("h1").first).to_be_visible()
    expect(frame.locator('iframe[title="streamlit_folium.st_folium"]').first).to_be_attached()
    expect(frame.get_by_text(t("app.back_home", "nb"))).to_have_count(0)
    # the snippet's listener set the height the page told it
    page.wait_for_function(f"document.querySelector('{FRAME}').style.height !== '{embed.START_HEIGHT_PX}px'")
    height = page.eval_on_selector(FRAME, "f => f.getBoundingClientRect().height")
    inner = page.frames[1].evaluate(
        "() => { const b = document.querySelector('[data-testid=\"stMainBlockContainer\"]');"
        " return b.getBoundingClientRect().height; }"
    )
    assert abs(height - inner) <= 64, (height, inner)


def test_the_same_page_from_another_origin_is_refused_by_the_browser(sites, browser_page: Page):
    _, _, other = sites
    page = browser_page
    with page.expect_console_message(lambda m: "frame-ancestors" in m.text):
        page.goto(f"{other.origin}/kommune.html")
    child = page.frames[1]
    child.wait_for_load_state()
    assert child.url.startswith("chrome-error://"), child.url  # Chromium's «refused» page
    assert child.locator('[data-testid="stApp"]').count() == 0
