"""Everyone can take part (issue 6): axe-core on every page, a keyboard-only resident,
the language choice, and a 375 px phone — in a real Chromium against `streamlit run`.

axe-core comes bundled with axe-playwright-python: nothing is downloaded at test time.

How axe is run: the script is injected into every frame and `axe.run` starts in the top
document with ``iframes: true``, axe's own way of testing a page with its iframes (rules
about a whole document — a <title>, <html lang>, the viewport — then apply to the page
only). Each node's target tells in which document it is, so the page's own markup and the
map iframe are reported, and asserted on, separately. The map iframe is also tested as a
document of its own; rules that axe applies only to a top-level page are reported from
that run but not asserted on, since the iframe is never a page a user opens.
"""

from __future__ import annotations

import random
import re
import string
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import duckdb
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page, expect
from tests.browser.helpers import STEP_SEND, STEP_WHAT, no_serious_axe, phone_step

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # as conftest.py
DEFAULT_TIMEOUT_MS = 45_000  # as conftest.py sets for the browser_page fixture
BORGEN = "borgen-tettstedsutvikling"
HEGGEDAL = "heggedal-tettstedsutvikling"  # closed: the map and the list, no form
BORGEN_TITLE = re.compile(r"Borgen 2040")
CATEGORY = "Trafikk og trafikksikkerhet"
PLACE = "Borgen"
PLACE_LAT_LON = (59.8261, 10.4139)  # geodata/asker_places.csv
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
REF = re.compile(r"KI-\d{6}")
ADMIN, PASSWORD = "ada", "riktig-hest-batteri"
LOCALES = Path(__file__).resolve().parents[2] / "consultations" / "locales"
BLOCKING = {"serious", "critical"}
# Rules axe applies to the top-level page only (`is-initiator-matches`), or that are about
# a whole page: meaningless for an embedded map document tested on its own.
PAGE_ONLY_RULES = {
    "aria-hidden-body",
    "document-title",
    "html-has-lang",
    "meta-viewport",
    "meta-viewport-large",
    "bypass",
    "landmark-one-main",
    "page-has-heading-one",
}
PHONE = {"width": 375, "height": 812}


# --------------------------------------------------------------------------- helpers
# wait_idle and settle as in the other browser test modules; copied, not imported, so
# each test module stays independent.


def wait_idle(page: Page, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
    """Wait until Streamlit is connected and no script (or fragment) run is in progress."""
    page.locator(
        '[data-testid="stApp"][data-test-script-state="notRunning"][data-test-connection-state="CONNECTED"]'
    ).wait_for(state="attached", timeout=timeout_ms)


def settle(page: Page, ms: int = 400) -> None:
    """After something that may start a rerun: let it start, wait it out, let it paint."""
    page.wait_for_timeout(ms)
    wait_idle(page)
    page.wait_for_timeout(ms)


def map_frames(page: Page, expected: int = 0) -> list[Frame]:
    """Wait until every folium map on the page (at least `expected`) is drawn; their frames."""
    frames = []
    iframes = page.locator(MAP_IFRAME)
    if expected:
        iframes.nth(expected - 1).wait_for(state="attached")
    for i in range(iframes.count()):
        handle = iframes.nth(i).element_handle()
        frame = handle.content_frame() if handle else None
        if frame is None:
            continue
        frame.wait_for_function(
            "() => typeof window.L !== 'undefined' && !!document.querySelector('.leaflet-container')"
        )
        frames.append(frame)
    return frames


def ready(page: Page, maps: int = 0) -> list[Frame]:
    """The page is idle and its maps (at least `maps`) are drawn; a map may start one
    more run, so settle again and count the maps once more."""
    wait_idle(page)
    map_frames(page, maps)
    settle(page)
    return map_frames(page, maps)


def maps_on(path: str) -> int:
    """How many maps a resident page has at least: the overview, or the consultation's."""
    return 1 if path == "/" or path.startswith("/?id=") else 0


# --------------------------------------------------------------------------- axe


@dataclass(frozen=True)
class Finding:
    page: str
    where: str  # "page", "map iframe", "map iframe (own document)", "iframe <title>"
    rule: str
    impact: str
    nodes: int
    help: str
    example: str  # first node: its target and a snippet of its HTML

    @property
    def blocking(self) -> bool:
        return self.impact in BLOCKING


_AXE = Axe()
AXE_OPTIONS = {"resultTypes": ["violations"], "iframes": True, "frameWaitTime": 15_000}


def _inject(frame: Frame) -> None:
    if not frame.evaluate("() => typeof window.axe !== 'undefined'"):
        frame.evaluate(_AXE.axe_script)


def _iframe_label(page: Page, selector: str) -> str:
    try:
        title = page.locator(selector).first.get_attribute("title", timeout=2_000)
    except PlaywrightError:
        title = None
    if title == "streamlit_folium.st_folium":
        return "map iframe"
    return f"iframe {title or selector[:60]!r}"


def _findings(page: Page, name: str, violations: list[dict], own_frame: str | None) -> list[Finding]:
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    labels: dict[str, str] = {}
    for v in violations:
        for node in v["nodes"]:
            target = node["target"]
            if own_frame is not None:
                where = own_frame
            elif len(target) == 1:
                where = "page"
            else:
                sel = target[0] if isinstance(target[0], str) else str(target[0])
                where = labels.setdefault(sel, _iframe_label(page, sel))
            grouped[(v["id"], where)].append(node)
    impacts = {v["id"]: (v["impact"] or "minor", v["help"]) for v in violations}
    out = []
    for (rule, where), nodes in grouped.items():
        impact, help_ = impacts[rule]
        first = nodes[0]
        snippet = re.sub(r"\s+", " ", first.get("html", ""))[:160]
        data = [c.get("data") for c in first.get("any", []) if isinstance(c.get("data"), dict)]
        extra = ""
        if data and "contrastRatio" in data[0]:
            d = data[0]
            extra = f" [{d.get('fgColor')} on {d.get('bgColor')} = {d.get('contrastRatio')}:1]"
        example = f"{' > '.join(map(str, first['target']))[-140:]} :: {snippet}{extra}"
        out.append(Finding(name, where, rule, impact, len(nodes), help_, example))
    return out


def axe_check(page: Page, name: str, maps: int = 0) -> list[Finding]:
    """axe on the page with its iframes, plus each map iframe as a document of its own."""
    frames = ready(page, maps)
    for frame in page.frames:
        try:
            _inject(frame)
        except PlaywrightError:  # a frame that went away meanwhile
            pass
    result = _AXE.run(page, options=AXE_OPTIONS)
    findings = _findings(page, name, result.response["violations"], None)
    for frame in frames:
        own = _AXE.run(frame, options={"resultTypes": ["violations"]})
        findings += _findings(page, name, own.response["violations"], "map iframe (own document)")
    return findings


def is_leaflet_markup(finding: Finding) -> bool:
    return "leaflet" in finding.example or "marker-cluster" in finding.example


def table(findings: list[Finding]) -> str:
    rows = sorted(
        findings,
        key=lambda f: (-["minor", "moderate", "serious", "critical"].index(f.impact), f.rule, f.page),
    )
    head = ("rule id", "impact", "nodes", "page", "where")
    cells = [head] + [(f.rule, f.impact, str(f.nodes), f.page, f.where) for f in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    lines = ["  ".join(c[i].ljust(widths[i]) for i in range(len(head))).rstrip() for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def details(findings: list[Finding]) -> str:
    return "\n".join(
        f"- {f.rule} ({f.impact}, {f.nodes}) on {f.page} [{f.where}]: {f.help}\n    e.g. {f.example}" for f in findings
    )


def _seed_with_admin(db_path: Path) -> None:
    from consultations.auth import create_user
    from consultations.demo import seed_demo
    from consultations.store import Store

    from datetime import UTC, datetime, timedelta

    from consultations.children import classes

    store = Store.open(db_path)
    try:
        seed_demo(store)
        admin = create_user(store, ADMIN, "admin", PASSWORD)
        now = datetime.now(UTC)
        CLASS["code"] = classes.create_class(
            store,
            admin,
            BORGEN,
            school="Borgen skole",
            grade="6",  # the page with the map; 1.–4. trinn's screens: test_pupil_steps.py
            size=24,
            opens_at=now - timedelta(minutes=5),
            closes_at=now + timedelta(hours=2),
        ).code
    finally:
        store.close()


CLASS: dict[str, str] = {}  # the class _seed_with_admin opens: its pupils' page is /klasse


def log_in(page: Page, url: str) -> None:
    page.goto(f"{url}/logg-inn")
    page.get_by_role("textbox", name="Brukernavn", exact=True).fill(ADMIN)
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    page.wait_for_url(re.compile(r"/saksbehandling(\?|$)"))
    wait_idle(page)


PAGES = Path(__file__).resolve().parents[2] / "pages"


def page_addresses() -> set[str]:
    """Every page's address: its file's name (the start page is /), see app.py."""
    return {"/" if f.stem == "home" else f"/{f.stem}" for f in PAGES.glob("*.py")}


# --------------------------------------------------------------------------- 1. axe


def test_no_serious_or_critical_axe_violations_on_any_page(start_app, browser_page: Page):
    server = start_app(prepare=_seed_with_admin)
    page = browser_page
    findings: list[Finding] = []
    visited: list[str] = []

    # /kvittering is reached only from a sent merknad, /epost from a mail's link; a visitor
    # without one sees its notice
    for path in ("/", f"/?id={BORGEN}", f"/?id={HEGGEDAL}", "/personvern", "/tilgjengelighet", "/kvittering", "/epost"):
        page.goto(f"{server.url}{path}")
        if path.startswith("/?id="):
            expect(page.get_by_role("heading", level=1).first).to_be_visible()
            expect(page.locator(MAP_IFRAME).first).to_be_visible()
        findings += axe_check(page, path, maps_on(path))
        visited.append(path)
    # a school class's pupils: /?klasse=CODE shows the page /klasse, with its drawing map
    page.goto(f"{server.url}/?klasse={CLASS['code']}")
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    expect(page.locator(MAP_IFRAME).first).to_be_visible()
    findings += axe_check(page, "/klasse", 1)
    visited.append("/klasse")

    # The login is the one staff page a visitor sees; then every page as an administrator.
    page.goto(f"{server.url}/logg-inn")
    expect(page.get_by_role("button", name="Logg inn", exact=True)).to_be_visible()
    findings += axe_check(page, "/logg-inn")
    visited.append("/logg-inn")
    log_in(page, server.url)
    # Every page in the administrator's menu, by its link: a page.goto would start a
    # new, logged-out session. A page added later is tested without changing this test.
    nav_links = page.get_by_test_id("stSidebarNav").locator("a[data-testid=stSidebarNavLink]")
    expect(nav_links.first).to_be_visible()
    paths = [urlsplit(h).path for h in nav_links.evaluate_all("links => links.map(a => a.href)")]
    for n, path in enumerate(paths):
        if path in visited:
            continue
        nav_links.nth(n).click()
        page.wait_for_url(re.compile(rf"{re.escape(path)}(\?|$)"))
        expect(page.get_by_test_id("stMain").get_by_role("heading").first).to_be_visible()
        findings += axe_check(page, f"{path} (admin)")
        visited.append(path)
    not_tested = page_addresses() - set(visited)
    assert not not_tested, f"pages not reached (not in the admin's menu?): {sorted(not_tested)}"

    report = "\n".join(
        [
            f"axe-core on {len(visited)} pages: {', '.join(visited)}",
            table(findings) if findings else "(no violations)",
            "",
            details(findings),
        ]
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    saved = ARTIFACTS / "axe-violations.txt"
    saved.write_text(report + "\n", encoding="utf-8")
    print(f"\n{report}\n(saved to {saved})")

    page_level = [f for f in findings if f.blocking and f.where != "map iframe (own document)"]
    own_doc = [
        f for f in findings if f.blocking and f.where == "map iframe (own document)" and f.rule not in PAGE_ONLY_RULES
    ]
    in_app = [f for f in page_level + own_doc if not (f.where.startswith("map") and is_leaflet_markup(f))]
    leaflet = [f for f in page_level + own_doc if f not in in_app]
    assert not in_app, "serious/critical axe violations in the app's own markup:\n" + details(in_app)
    if leaflet:
        pytest.xfail(
            "serious/critical axe violations only in Leaflet's own markup inside the map "
            "iframe (not the app's):\n" + details(leaflet)
        )


# --------------------------------------------------------------------------- 2. keyboard

# The focused element, looking through same-origin iframes, and how its focus shows:
# outline or box-shadow on the element or a wrapper up to the widget's root.
_FOCUSED = """() => {
  let el = document.activeElement, frames = [];
  while (el && el.tagName === 'IFRAME') {
    let inner = null;
    try { inner = el.contentDocument && el.contentDocument.activeElement; } catch (e) {}
    frames.push(el.title || 'iframe');
    if (!inner) break;
    el = inner;
  }
  const text = (el.innerText || '').replace(/\\s+/g, ' ').trim().slice(0, 80);
  const styles = [];
  let node = el;
  for (let i = 0; node && i < 6; i++, node = node.parentElement) {
    const cs = getComputedStyle(node);
    styles.push({
      tag: node.tagName.toLowerCase(), testid: node.getAttribute('data-testid') || '',
      outline: cs.outlineStyle + ' ' + cs.outlineWidth + ' ' + cs.outlineColor,
      outlined: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0,
      shadow: cs.boxShadow, border: cs.borderTopWidth + ' ' + cs.borderTopColor,
      background: cs.backgroundColor,
    });
    if (node.getAttribute('data-testid') === 'stElementContainer') break;
  }
  const visible = styles.some(s => s.outlined || (s.shadow && s.shadow !== 'none'));
  return {
    frames, tag: el.tagName.toLowerCase(), role: el.getAttribute('role') || '',
    label: el.getAttribute('aria-label') || '', text, href: el.getAttribute('href') || '',
    value: 'value' in el ? String(el.value) : '', visible, styles,
  };
}"""


def focused(page: Page) -> dict:
    return page.evaluate(_FOCUSED)


def _describe(f: dict) -> str:
    where = " > ".join(f["frames"]) + " > " if f["frames"] else ""
    name = f["label"] or f["text"] or f["value"]
    return f"{where}<{f['tag']}{' role=' + f['role'] if f['role'] else ''}> {name[:60]!r}"


def tab_to(page: Page, what: str, match: Callable[[dict], bool], max_tabs: int = 80) -> dict:
    """Press Tab until the focused element matches; fail with the route taken."""
    route = []
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        f = focused(page)
        route.append(_describe(f))
        if match(f):
            return f
    pytest.fail(f"{what}: not reached with {max_tabs} Tabs. Route:\n  " + "\n  ".join(route))


def choose_by_keyboard(page: Page, label: str, typed: str, option: str) -> None:
    """With the selectbox `label` focused: type, Enter on the one option shown.

    A rerun that lands while the list is open closes it again: Escape, clear what was
    typed, Tab back to the box if the rerun took the focus, and type once more.
    """
    box = page.get_by_role("combobox", name=label, exact=True)
    is_box = lambda f: f["role"] == "combobox" and f["label"] == label  # noqa: E731
    for attempt in range(3):
        settle(page, 200)
        if not is_box(focused(page)):
            tab_to(page, f"the selectbox {label!r} again", is_box)
        page.keyboard.type(typed)
        try:
            expect(page.get_by_role("option", name=option, exact=True)).to_be_visible(timeout=5_000)
            page.keyboard.press("Enter")
            expect(box).to_have_value(option, timeout=5_000)
            return
        except AssertionError:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            for _ in typed:
                page.keyboard.press("Backspace")


def _focus_style(f: dict) -> str:
    return "; ".join(
        f"{s['tag']}{'[' + s['testid'] + ']' if s['testid'] else ''}: outline {s['outline']}, "
        f"box-shadow {s['shadow']}, border {s['border']}, background {s['background']}"
        for s in f["styles"]
    )


def test_keyboard_only_resident_sends_an_input_with_a_location(app_server, browser_page: Page):
    page = browser_page
    not_visible: list[str] = []  # soft: the whole path runs, then focus is judged

    def check_focus(f: dict, what: str) -> None:
        if not f["visible"]:
            not_visible.append(f"{what}: no outline or box-shadow when focused ({_focus_style(f)})")

    page.goto(app_server.url)
    expect(page.get_by_role("heading", name="Si din mening om planer i kommunen")).to_be_visible()
    ready(page, 1)

    link = tab_to(
        page,
        "the Borgen card's link",
        lambda f: (
            f["tag"] == "a"
            and "Les mer og gi innspill" in f["text"]
            and re.search(rf"[?&]id={BORGEN}(&|$)", f["href"]) is not None
        ),
    )
    check_focus(link, "link 'Les mer og gi innspill'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"[?&]id={BORGEN}(&|$)"))
    expect(page.get_by_role("heading", name=BORGEN_TITLE).first).to_be_visible()
    ready(page, 1)

    summary = tab_to(
        page,
        "the expander 'Velg sted uten kart'",
        lambda f: f["tag"] == "summary" and "Velg sted uten kart" in f["text"],
    )
    check_focus(summary, "expander 'Velg sted uten kart'")
    page.keyboard.press("Enter")
    place_box = page.get_by_role("combobox", name="Velg et sted i planområdet", exact=True)
    expect(place_box).to_be_visible()

    place = tab_to(
        page,
        "the place selectbox",
        lambda f: f["role"] == "combobox" and f["label"] == "Velg et sted i planområdet",
        max_tabs=10,
    )
    check_focus(place, "selectbox 'Velg et sted i planområdet'")
    settle(page)  # the expander's and the map's reruns are over: the choice is not lost to one
    choose_by_keyboard(page, "Velg et sted i planområdet", PLACE, PLACE)
    expect(page.get_by_text("Valgt punkt").first).to_be_visible()
    settle(page)

    category = tab_to(
        page,
        "the selectbox 'Kategori'",
        lambda f: f["role"] == "combobox" and f["label"] == "Kategori",
    )
    check_focus(category, "selectbox 'Kategori'")
    choose_by_keyboard(page, "Kategori", "Trafikk", CATEGORY)

    textarea = tab_to(
        page,
        "the text area 'Ditt innspill'",
        lambda f: f["tag"] == "textarea" and f["label"] == "Ditt innspill",
        max_tabs=10,
    )
    check_focus(textarea, "text area 'Ditt innspill'")
    marker = "".join(random.choices(string.ascii_lowercase, k=12))
    text = f"Tastaturtest {marker}: en trygg kryssing ved skolen trengs."
    page.keyboard.type(text)

    button = tab_to(
        page,
        "the button 'Send innspill'",
        lambda f: f["tag"] == "button" and f["text"] == "Send innspill",
        max_tabs=15,
    )
    check_focus(button, "button 'Send innspill'")
    page.keyboard.press("Enter")

    thanks = page.get_by_test_id("stAlert").filter(has_text=re.compile(r"Takk"))
    expect(thanks.first).to_be_visible()
    shown = thanks.first.inner_text()
    assert REF.search(shown), f"no reference KI-nnnnnn in the thank-you message: {shown!r}"
    print(f"\nkeyboard path: sent, {REF.search(shown).group(0)}")

    app_server.stop()  # DuckDB: one process per file
    con = duckdb.connect(str(app_server.db_path), read_only=True)
    try:
        rows = con.execute(
            "SELECT lat, lon, category, consultation_id FROM inputs WHERE text = ?",
            [text],
        ).fetchall()
    finally:
        con.close()
    assert len(rows) == 1, rows
    lat, lon, category_stored, consultation_id = rows[0]
    assert lat is not None and lon is not None, rows[0]
    assert abs(lat - PLACE_LAT_LON[0]) < 1e-4 and abs(lon - PLACE_LAT_LON[1]) < 1e-4, rows[0]
    assert (category_stored, consultation_id) == (CATEGORY, BORGEN), rows[0]
    print(f"keyboard path: stored at lat {lat}, lon {lon}")

    assert not not_visible, "focus is not visible:\n" + "\n".join(not_visible)


# --------------------------------------------------------------------------- 3. languages


def test_language_choice_nynorsk_and_english(app_server, browser_page: Page):
    from consultations.i18n import keys, t

    for lang in ("nn", "en"):
        if not any((LOCALES / lang).glob("*.toml")):
            pytest.skip(f"consultations/locales/{lang}/ has no translations yet (being added)")
    for lang in ("nn", "en"):
        missing = {"form.submit", "language.label", "language.html"} - keys(lang)
        if missing:
            pytest.skip(f"the {lang} locale lacks {sorted(missing)} yet")
    page = browser_page

    page.goto(f"{app_server.url}/?id={BORGEN}&lang=nn")
    expect(page.get_by_role("heading", name=BORGEN_TITLE).first).to_be_visible()
    ready(page, 1)
    expect(page.get_by_role("button", name=t("form.submit", "nn"), exact=True)).to_be_visible()
    page.wait_for_function("(code) => document.documentElement.lang === code", arg=t("language.html", "nn"))
    assert page.evaluate("document.documentElement.lang") == "nn"
    no_serious_axe(page, "Borgen in nynorsk")

    box = page.get_by_role("combobox", name=t("language.label", "nn"), exact=True)
    box.click()
    page.get_by_role("option", name=t("language.en", "en"), exact=True).click()
    page.wait_for_url(re.compile(r"[?&]lang=en(&|$)"))
    assert re.search(rf"[?&]id={BORGEN}(&|$)", page.url), page.url
    expect(page.get_by_role("heading", name=BORGEN_TITLE).first).to_be_visible()
    ready(page, 1)
    assert re.search(rf"[?&]id={BORGEN}(&|$)", page.url), page.url
    expect(page.get_by_role("button", name=t("form.submit", "en"), exact=True)).to_be_visible()
    expect(page.get_by_role("combobox", name=t("language.label", "en"), exact=True)).to_have_value(
        t("language.en", "en")
    )
    page.wait_for_function("(code) => document.documentElement.lang === code", arg=t("language.html", "en"))
    no_serious_axe(page, "Borgen in English")


# --------------------------------------------------------------------------- 4. phone

_WIDTHS = """() => ({
  doc: document.documentElement.scrollWidth, body: document.body.scrollWidth,
  // Streamlit scrolls in a container, not the document: it must not scroll sideways either.
  inner: Math.max(0, ...[...document.querySelectorAll('[data-testid]')]
    .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
    .filter(e => e.closest('[data-testid=stMain]') === null || e.matches('[data-testid=stMain]'))
    .map(e => e.scrollWidth - e.clientWidth)),
  widest: [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 2)
    .slice(0, 3).map(e => (e.getAttribute('data-testid') || e.tagName.toLowerCase())
      + ' right=' + Math.round(e.getBoundingClientRect().right)),
})"""

# The page's scroll position, wherever Streamlit scrolls (the window or a container).
_SCROLLED = """() => window.scrollY + [...document.querySelectorAll('*')]
  .filter(e => e.scrollTop > 0).reduce((n, e) => n + e.scrollTop, 0)"""

# The Leaflet map's centre inside the map iframe (folium names it map_<id>).
_MAP_CENTRE = """() => { for (const k of Object.keys(window)) {
  if (k.startsWith('map_') && window[k] && window[k].getCenter) {
    const c = window[k].getCenter(); return [c.lat, c.lng]; } } return null; }"""


def full_length_screenshot(page: Page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside a container, which full_page=True does not
    see, so the viewport is made as tall as the content for the shot (same width)."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid]')].map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": PHONE["width"], "height": min(max(height, PHONE["height"]), 12_000)})
    try:
        settle(page, 300)
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(PHONE)
        settle(page, 200)


def _swipe(cdp, x: float, y: float, dy: float, fingers: int = 1, steps: int = 8) -> None:
    """Fingers down side by side at (x, y), up by dy over a few moves, lifted."""

    def points(yy: float) -> list[dict]:
        return [{"x": x + 40 * n, "y": yy, "radiusX": 4, "radiusY": 4, "force": 1, "id": n + 1} for n in range(fingers)]

    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": points(y)})
    for i in range(1, steps + 1):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": points(y - dy * i / steps)})
        time.sleep(0.02)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    time.sleep(0.6)  # momentum scrolling and Leaflet's inertia


def test_phone_375px_resident_path_with_screenshots(app_server, _browser):
    context = _browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="nb-NO",
        service_workers="block",
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    wide: list[str] = []
    try:
        for name, path in (
            ("home", "/"),
            ("consultation", f"/?id={BORGEN}"),
            ("closed", f"/?id={HEGGEDAL}"),
            ("personvern", "/personvern"),
        ):
            page.goto(f"{app_server.url}{path}")
            expect(page.get_by_role("heading", level=1).first).to_be_visible()
            ready(page, maps_on(path))
            w = page.evaluate(_WIDTHS)
            shot = ARTIFACTS / f"phone-{name}.png"
            full_length_screenshot(page, shot)
            print(f"\nscreenshot: {shot}")
            if max(w["doc"], w["body"]) > PHONE["width"] + 2 or w["inner"] > 2:
                wide.append(
                    f"{path}: scrollWidth {w['doc']} (html) / {w['body']} (body), the app's "
                    f"scroll container {w['inner']} px wider than shown; {w['widest']}"
                )

        # The map and one finger: does a swipe over it scroll the page, or pan the map?
        page.goto(f"{app_server.url}/?id={BORGEN}")
        expect(page.get_by_role("heading", name=BORGEN_TITLE).first).to_be_visible()
        frame = ready(page, 1)[0]
        iframe = page.locator(MAP_IFRAME).first
        iframe.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        cdp = context.new_cdp_session(page)
        box = iframe.bounding_box()
        before, centre = page.evaluate(_SCROLLED), frame.evaluate(_MAP_CENTRE)
        _swipe(cdp, box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.7, 200)
        after, centre_after = page.evaluate(_SCROLLED), frame.evaluate(_MAP_CENTRE)
        iframe.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        box = iframe.bounding_box()
        two_before, two_centre = page.evaluate(_SCROLLED), frame.evaluate(_MAP_CENTRE)
        _swipe(cdp, box["x"] + box["width"] / 3, box["y"] + box["height"] * 0.7, 150, fingers=2)
        two_after, two_centre_after = page.evaluate(_SCROLLED), frame.evaluate(_MAP_CENTRE)
        heading = page.get_by_role(
            "heading", name="1 av 3 · Hvor gjelder det?"
        ).first  # the form waits below on a phone
        heading.scroll_into_view_if_needed()
        hb = heading.bounding_box()
        c0 = page.evaluate(_SCROLLED)
        _swipe(cdp, PHONE["width"] / 2, min(hb["y"] + 10, PHONE["height"] - 250), 200)
        c1 = page.evaluate(_SCROLLED)
        panned = centre is not None and centre_after is not None and centre != centre_after
        print(
            f"one-finger swipe over the map: page scrolled {after - before:.0f} px, "
            f"map {'panned' if panned else 'did not pan'} ({centre} -> {centre_after}); "
            f"the same swipe beside the map scrolled the page {c1 - c0:.0f} px; "
            f"two fingers over the map: page scrolled {two_after - two_before:.0f} px, map "
            f"{'moved' if two_centre != two_centre_after else 'did not move'} "
            f"({two_centre} -> {two_centre_after})"
        )
        cdp.detach()

        # The form is reachable, one part at a time, and an input for the whole area goes
        # through: where, «Neste», what, «Neste», send.
        whole = page.get_by_text("Gjelder hele området", exact=True).first
        whole.scroll_into_view_if_needed()
        wait_idle(page)
        whole.tap()
        expect(page.get_by_role("checkbox", name="Gjelder hele området")).to_be_checked()
        wait_idle(page)
        phone_step(page, STEP_WHAT)
        box_ = page.get_by_role("combobox", name="Kategori", exact=True)
        box_.tap()
        page.get_by_role("option", name=CATEGORY, exact=True).tap()
        expect(box_).to_have_value(CATEGORY)
        marker = "".join(random.choices(string.ascii_lowercase, k=12))
        page.get_by_role("textbox", name="Ditt innspill", exact=True).fill(
            f"Mobiltest {marker}: flere benker langs gangveien, takk."
        )
        phone_step(page, STEP_SEND)
        submit = page.get_by_role("button", name="Send innspill", exact=True)
        expect(submit).to_be_visible()
        submit.tap()
        thanks = page.get_by_test_id("stAlert").filter(has_text=re.compile(r"Takk"))
        expect(thanks.first).to_be_visible()
        assert REF.search(thanks.first.inner_text()), thanks.first.inner_text()
        shot = ARTIFACTS / "phone-consultation-sent.png"
        page.screenshot(path=str(shot), full_page=False)
        print(f"screenshot: {shot}\nphone: sent {REF.search(thanks.first.inner_text()).group(0)}")
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "test_phone_375px_failed.png"), full_page=True)
        raise
    finally:
        context.close()
    assert not wide, "horizontal scroll at 375 px:\n" + "\n".join(wide)
