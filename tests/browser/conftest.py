"""Browser tests: a real `streamlit run` driven by Debian's Chromium through Playwright.

No browser is downloaded: Playwright drives /usr/bin/chromium. Without it the tests
here skip with a reason, except in CI (CI=true), where they fail.

Nothing here may reach beyond 127.0.0.1: the app runs with KARTINNSPILL_TILES=none,
Chromium resolves every other host name to nothing (--host-resolver-rules), and
proxies are ignored both by Chromium and by the health poll.

The server is the shipped one (`streamlit run serve.py`, tests/live_server.py). Override
for trying the harness on another script: KARTINNSPILL_BROWSER_APP_DIR=<dir holding
serve.py and app.py>; the default is the repository root (the parent of tests/).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable, Iterator

import pytest

from tests.live_server import STARTUP_TIMEOUT_S, AppServer, launch, server_command

CHROMIUM = "/usr/bin/chromium"
HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
ARTIFACTS = HERE / "artifacts"
# Generous: a CI machine may be busy, and a fresh server's first page also imports the
# app and seeds the demo data. Waits end as soon as the thing waited for is there.
DEFAULT_TIMEOUT_MS = 45_000

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Belt and braces: no host name other than the app's resolves, so even a
    # stray CDN link cannot leave the machine (the request is still recorded).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    "--no-proxy-server",
]

MISSING_CHROMIUM = f"Chromium not found at {CHROMIUM}; install with apt-get install chromium"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _chromium_missing_reason() -> str | None:
    if not os.path.exists(CHROMIUM):
        return MISSING_CHROMIUM
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python package playwright is not installed; install the project's [test] extra"
    return None


def _is_ours(item: pytest.Item) -> bool:
    try:
        return Path(str(item.path)).resolve().is_relative_to(HERE)
    except (AttributeError, ValueError):
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _chromium_missing_reason()
    for item in items:
        if not _is_ours(item):
            continue
        item.add_marker(pytest.mark.browser)
        if reason and not _in_ci():
            item.add_marker(pytest.mark.skip(reason=reason))


def _require_browser() -> None:
    """Skip without Chromium, except in CI, where the browser must be there: fail."""
    reason = _chromium_missing_reason()
    if reason:
        if _in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


@pytest.fixture(autouse=True, scope="session")
def _browser_required() -> None:
    _require_browser()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


def _failed(request: pytest.FixtureRequest) -> bool:
    node = request.node
    return any(getattr(getattr(node, f"rep_{when}", None), "failed", False) for when in ("setup", "call"))


# --------------------------------------------------------------------------- server


def _app_dir() -> Path:
    override = os.environ.get("KARTINNSPILL_BROWSER_APP_DIR")
    return Path(override).resolve() if override else REPO_ROOT


@pytest.fixture
def start_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., AppServer]]:
    """Factory: ``start_app(prepare=None, env=None)`` -> a running AppServer.

    ``prepare(db_path)`` runs in this process before the server starts (it must close
    the database again). Every server started is stopped at teardown; its log is
    printed when the test failed.
    """
    servers: list[AppServer] = []

    def _start(
        prepare: Callable[[Path], None] | None = None,
        env: dict[str, str] | None = None,
        app_dir: Path | None = None,
    ) -> AppServer:
        cwd = Path(app_dir) if app_dir else _app_dir()
        n = len(servers)
        db_path = tmp_path / f"kartinnspill-{n}.duckdb"
        log_path = tmp_path / f"streamlit-{n}.log"
        if prepare is not None:
            prepare(db_path)
        server = launch(db_path, log_path, env=env, cwd=cwd)
        servers.append(server)
        try:
            server.wait_healthy(STARTUP_TIMEOUT_S)
        except RuntimeError as e:
            server.stop()
            pytest.fail(
                f"Streamlit did not start ({e}).\ncommand: {' '.join(server_command(server.port))}\n"
                f"cwd: {cwd}\n"
                f"--- server output ---\n{server.log()}",
                pytrace=False,
            )
        return server

    yield _start

    for server in servers:
        server.stop()
    if _failed(request):
        for server in servers:
            print(f"--- streamlit log ({server.url}) ---\n{server.log()}")


@pytest.fixture(scope="module")
def shared_app_server(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[AppServer]:
    """One running app on a fresh demo database for the module's tests marked
    ``shared_server`` (see ``app_server``); its log is printed when one of them failed."""
    folder = tmp_path_factory.mktemp("shared-server")
    server = launch(folder / "kartinnspill.duckdb", folder / "streamlit.log", cwd=_app_dir())
    try:
        server.wait_healthy(STARTUP_TIMEOUT_S)
    except RuntimeError as e:
        server.stop()
        pytest.fail(f"Streamlit did not start ({e}).\n--- server output ---\n{server.log()}", pytrace=False)
    yield server
    server.stop()
    if request.session.testsfailed:
        print(f"--- streamlit log ({server.url}) ---\n{server.log()}")


@pytest.fixture
def app_server(request: pytest.FixtureRequest, start_app: Callable[..., AppServer]) -> AppServer:
    """A running app on a fresh database with the demo data (KARTINNSPILL_DEMO=1). A test
    marked ``shared_server`` (one that writes nothing, or nothing the module's other such
    tests read) gets the module's one server instead of starting its own (~10 s of CPU)."""
    if request.node.get_closest_marker("shared_server"):
        return request.getfixturevalue("shared_app_server")
    return start_app()


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def _browser():
    _require_browser()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def requests_seen() -> list[str]:
    """Every request URL the browser context made (main frame, iframes, workers)."""
    return []


@pytest.fixture
def browser_page(_browser, requests_seen: list[str], request: pytest.FixtureRequest):
    context = _browser.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO", service_workers="block")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.on("request", lambda req: requests_seen.append(req.url))
    page = context.new_page()
    page.requests_seen = requests_seen  # type: ignore[attr-defined]
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"[{msg.type}] {msg.text}"))
    page.on("pageerror", lambda err: console.append(f"[pageerror] {err}"))
    try:
        yield page
    finally:
        if _failed(request):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
            shot = ARTIFACTS / f"{name}.png"
            try:
                page.screenshot(path=str(shot), full_page=True)
                print(f"screenshot: {shot}")
            except Exception as e:  # the page may be gone; the report matters more
                print(f"screenshot failed: {e!r}")
            if console:
                print("--- browser console ---\n" + "\n".join(console[-50:]))
        context.close()
