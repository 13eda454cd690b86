"""Load run: a school class of pupils sending at once from one network address.

A class session (``--pupils`` pupils, the class's size) is opened on a real server
(`streamlit run serve.py`, rate limits ON, as in production). Every pupil is a websocket
session from 127.0.0.1 — one school address for all — and all start together (a barrier):
1. opens ``/?klasse=CODE`` (a page view);
2. draws the way to school: the location widget's map value
   (``{"last_active_drawing": <GeoJSON LineString>}``) in a rerun of its fragment, as the
   component's frontend sends it; chooses «Sykle» and presses «Lagre veien»;
3. marks ``--places`` places: a map click (``last_clicked``) in the fragment, a label and a
   short text, «Lagre stedet» each;
4. presses «Ferdig» and gets the thank-you screen.

Afterwards the database is read: every pupil's route and places must be stored exactly
once, and no pupil may have been refused («… veldig mye på kort tid», a rate limit, the
repeated-text guard).

Run: .venv/bin/python bench/class_load.py --pupils 30 --places 3
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from wire import ROOT, Session, percentile, state

from consultations.ui.maps import DrawTools
from tests.live_server import launch

CID = "heggedal-skolevei"
PLACE_KIND_QUESTIONS = {"Hva er stedet?", "Hva slags sted er dette?"}
LABELS = (
    "safe",
    "unsafe_traffic",
    "unsafe_dark",
    "unsafe_people",
    "nice",
    "dull",
    "missing",
)


@dataclass
class Outcome:
    steps: list[float] = field(default_factory=list)  # every run after the first view
    view: float | None = None
    done: bool = False
    failure: str | None = None


def prepared(path: Path, pupils: int) -> str:
    """A database with an open consultation around Borgen and a class of ``pupils``."""
    from consultations.children import classes
    from consultations.model import Role
    from consultations.store import Store
    from tests.conftest import make_consultation, staff

    now = datetime.now(UTC)
    store = Store.open(path)
    try:
        store.add_consultation(
            make_consultation(
                CID,
                opens_at=now - timedelta(days=5),
                closes_at=now + timedelta(days=30),
            )
        )
        session = classes.create_class(
            store,
            staff(store, "lena", Role.TEACHER),
            CID,
            school="Heggedal skole",
            grade="6",
            size=pupils,
            opens_at=now - timedelta(minutes=5),
            closes_at=now + timedelta(hours=2),
        )
        return session.code
    finally:
        store.close()


def route(rng: random.Random) -> dict:
    """A way to school inside the test area (BORGEN_SQUARE): west to east, a bend."""
    y = rng.uniform(59.8235, 59.8285)
    coords = [
        [10.4065, y],
        [rng.uniform(10.410, 10.416), y + rng.uniform(-0.001, 0.001)],
        [10.4205, y],
    ]
    return {
        "type": "Feature",
        "properties": {DrawTools.MARK: 1},  # what the map's draw tools put on what they draw
        "geometry": {"type": "LineString", "coordinates": coords},
    }


def pupil(
    url: str,
    code: str,
    places: int,
    barrier: threading.Barrier,
    rng: random.Random,
    timeout: float,
) -> Outcome:
    out = Outcome()
    query = f"klasse={code}"
    try:
        barrier.wait()
        start = time.perf_counter()
        s = Session(url, open_timeout=timeout)
        page = s.run(query, timeout=timeout)
        out.view = time.perf_counter() - start

        def run(states, fragment=False):
            began = time.perf_counter()
            result = s.run(
                query,
                states,
                fragment_id=page.fragment_ids[0] if fragment else "",
                timeout=timeout,
            )
            out.steps.append(time.perf_counter() - began)
            if result.exceptions:
                raise RuntimeError(result.exceptions[0])
            return result

        folium = page.widget("component_instance", contains="st_folium")
        drawing = state(folium.id, json_value={"last_active_drawing": route(rng)})
        run([drawing], fragment=True)
        radio = page.widget("radio")
        transport = state(radio.id, string_value=radio.element.options[1])  # «🚲 Sykle», as shown
        saved = run(
            [
                drawing,
                transport,
                state(page.widget("button", "Lagre veien").id, trigger_value=True),
            ]
        )
        if not any(a.startswith("Veien er lagret") for a in saved.alerts):
            raise RuntimeError(f"route refused: {saved.alerts}")
        page = saved
        for k in range(places):
            folium = page.widget("component_instance", contains="st_folium")
            click = state(
                folium.id,
                json_value={
                    "last_clicked": {
                        "lat": rng.uniform(59.823, 59.829),
                        "lng": rng.uniform(10.407, 10.420),
                    }
                },
            )
            run([click], fragment=True)
            # the place's kind (the Barnetråkk questions after it are radios too); the wording
            # is by grade (classes.toml: label_question)
            radios = [w for w in page.widgets if w.kind == "radio" and w.label in PLACE_KIND_QUESTIONS]
            texts = [w for w in page.widgets if w.kind == "text_input" and w.label.startswith("Hvorfor")]
            answer = run(
                [
                    click,
                    state(radios[-1].id, string_value=radios[-1].element.options[k % len(LABELS)]),
                    state(texts[0].id, string_value=""),  # no text: the same «nothing» from every pupil
                    state(page.widget("button", "Lagre stedet").id, trigger_value=True),
                ]
            )
            if not any(a.startswith("Stedet er lagret") for a in answer.alerts):
                raise RuntimeError(f"place {k + 1} refused: {answer.alerts}")
            page = answer
        done = run([state(page.widget("button", "Ferdig").id, trigger_value=True)])
        out.done = not any(w.label == "Lagre stedet" for w in done.widgets)  # the thank-you screen
        s.close()
    except Exception as exc:  # noqa: BLE001 - every failure is a failed pupil, counted
        out.failure = f"{type(exc).__name__}: {exc}"[:300]
    return out


def stored(db: Path) -> tuple[int, int, int]:
    """Routes, places and distinct pupils in the database."""
    from consultations.store import Store

    store = Store.open(db)
    try:
        frame = store.class_frame(CID)
    finally:
        store.close()
    return (
        int((frame["part"] == "school").sum()),
        int((frame["part"] == "place").sum()),
        int(frame["pupil"].nunique()),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pupils", type=int, default=30)
    parser.add_argument("--places", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=180)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "class.duckdb"
        code = prepared(db, args.pupils)
        app = launch(db, Path(tmp) / "server.log", env={"KARTINNSPILL_TILES": "none"}, cwd=ROOT)  # limits ON
        try:
            app.wait_healthy(timeout=120)
            barrier = threading.Barrier(args.pupils)
            outcomes = [Outcome() for _ in range(args.pupils)]

            def go(k: int) -> None:
                outcomes[k] = pupil(app.url, code, args.places, barrier, random.Random(k), args.timeout)

            begin = time.perf_counter()
            threads = [threading.Thread(target=go, args=(k,)) for k in range(args.pupils)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            took = time.perf_counter() - begin
            log = app.log()
        finally:
            app.stop()
        routes, places, pupils = stored(db)

    failed = [o for o in outcomes if o.failure or not o.done]
    views = [o.view for o in outcomes if o.view is not None]
    steps = [s for o in outcomes for s in o.steps]
    print(
        f"pupils: {args.pupils} at once from one address (127.0.0.1), {args.places} places each, "
        f"rate limits on; all done after {took:.0f} s"
    )
    if views:
        print(
            f"first view  p50 {statistics.median(views):.2f} s  p95 {percentile(views, 0.95):.2f} s  max {max(views):.2f} s"
        )
    if steps:
        print(
            f"each step   p50 {statistics.median(steps):.2f} s  p95 {percentile(steps, 0.95):.2f} s  max {max(steps):.2f} s"
        )
    print(
        f"refused or failed pupils {len(failed)}   stored: routes {routes} (expected {args.pupils}), "
        f"places {places} (expected {args.pupils * args.places}), pupils {pupils}"
    )
    for reason in sorted({o.failure or "no thank-you screen" for o in failed})[:5]:
        print("  failure:", reason)
    if failed and "Traceback" in log:
        print("  server log (tail):", log[-1500:].replace("\n", "\n    "))


if __name__ == "__main__":
    main()
