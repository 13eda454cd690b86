import sys, tempfile, time
from pathlib import Path
sys.path.insert(0, ".")
from playwright.sync_api import sync_playwright
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.live_server import STARTUP_TIMEOUT_S, launch
for cwd in (Path(sys.argv[1]),):
    folder = Path(tempfile.mkdtemp(prefix="probe-"))
    server = launch(folder / "b.duckdb", folder / "s.log", cwd=cwd)
    try:
        server.wait_healthy(STARTUP_TIMEOUT_S)
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for n in range(2):
                page = b.new_page(viewport={"width": 1280, "height": 900})
                t0 = time.time()
                page.goto(server.url)
                page.get_by_role("heading", level=1).first.wait_for(timeout=120_000)
                print(cwd, "page", n, "h1 after", round(time.time() - t0, 1))
                page.close()
            b.close()
    finally:
        server.stop()
