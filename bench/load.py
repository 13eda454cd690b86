"""Load driver: residents arriving at a real server, each as the browser would.

Every resident (a thread) arrives at a time spread evenly over ``--over`` seconds, and:
1. opens the consultation page (a new websocket session on /_stcore/stream + a run of
   `/?id=borgen-tettstedsutvikling`): a page view;
2. opens it again (a reload: a second new session): a page view;
3. clicks the map in that second session: the st_folium component's value
   (``{"last_clicked": {"lat": …, "lng": …}}``, a JSON widget state under the component's
   widget id) in a rerun of the map's fragment, as the component's frontend sends it;
4. sends an input: the form's widget states (category, text) and the submit button's
   trigger in a rerun; acknowledged when the page answers «Takk … KI-nnnnnn».

A page view is timed from opening the websocket to Streamlit's `script_finished` (so a
handshake that waits counts); a submit from the pin's rerun request to the «Takk».
Afterwards the database is read: every acknowledged reference must be stored, with the pin.

The server is started as `make run` starts it (`streamlit run serve.py`, the shipped
.streamlit/config.toml) on a copy of the demo data, rate limits off for the load
(KARTINNSPILL_RATE_LIMITS=off: every resident comes from 127.0.0.1). ``--cwd`` runs
another checkout of the app (the code before a change) with this driver.

Run: .venv/bin/python bench/load.py --residents 200 --over 60
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from wire import BORGEN, ROOT, Session, percentile, seeded_database, server, state

REF = re.compile(r"KI-(\d{6})")
MARK = "Lasttest"


@dataclass
class Outcome:
    views: list[float] = field(default_factory=list)
    submit: float | None = None
    reference: str | None = None
    pin: tuple[float, float] | None = None
    failure: str | None = None


def resident(app, n: int, pin: tuple[float, float], timeout: float) -> Outcome:
    out = Outcome(pin=pin)
    query = f"id={BORGEN}"
    try:
        for view in range(2):
            start = time.perf_counter()
            s = Session(app, open_timeout=timeout)
            page = s.run(query, timeout=timeout)
            out.views.append(time.perf_counter() - start)
            if page.exceptions:
                raise RuntimeError(page.exceptions[0])
            if view == 0:
                s.close()
        folium = page.widget("component_instance", contains="st_folium")
        click = state(folium.id, json_value={"last_clicked": {"lat": pin[0], "lng": pin[1]}})
        start = time.perf_counter()
        map_fragment = next(iter(page.fragment_ids), "")
        s.run(query, [click], fragment_id=map_fragment, timeout=timeout)
        category = page.widget("selectbox", "Kategori")
        text = page.widget("text_area", "Ditt innspill")
        submit = page.widget("button", "Send innspill")
        answer = s.run(
            query,
            [
                click,
                state(category.id, string_value="Gange og sykkel"),
                state(text.id, string_value=f"{MARK} {n}: en trygg sykkelvei forbi skolen her."),
                state(submit.id, trigger_value=True),
            ],
            timeout=timeout,
        )
        out.submit = time.perf_counter() - start
        s.close()
        thanks = [a for a in answer.alerts if a.startswith("Takk")]
        if not thanks or not (m := REF.search(thanks[0])):
            raise RuntimeError(f"no «Takk»: {answer.alerts or answer.exceptions}")
        out.reference = m.group(1)
    except Exception as exc:  # noqa: BLE001 - every failure is a failed session, counted
        out.failure = f"{type(exc).__name__}: {exc}"[:200]
    return out


def stored(db: Path) -> dict[int, tuple[float | None, float | None]]:
    from consultations.store import Store

    store = Store.open(db)
    try:
        return {i.id: (i.lat, i.lon) for i in store.all_inputs(BORGEN) if i.text.startswith(MARK)}
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--over", type=float, default=60, help="arrivals spread over this many s")
    parser.add_argument("--published", type=int, default=0, help="fill Borgen up to this many")
    parser.add_argument("--cwd", type=Path, default=ROOT, help="the checkout of the app to run")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()

    from consultations import geo

    with tempfile.TemporaryDirectory() as tmp:
        db = seeded_database(Path(tmp) / "load.duckdb", args.published)
        from consultations.store import Store

        s = Store.open(db)
        area = s.get_consultation(BORGEN).area
        s.close()
        pins = geo.random_points(area, args.residents, random.Random(7))
        outcomes: list[Outcome] = [Outcome() for _ in range(args.residents)]
        with server(db, Path(tmp) / "server.log", cwd=args.cwd) as app:
            begin = time.perf_counter()

            def arrive(k: int) -> None:
                time.sleep(max(0.0, begin + k * args.over / args.residents - time.perf_counter()))
                outcomes[k] = resident(app, k, pins[k], args.timeout)

            threads = [threading.Thread(target=arrive, args=(k,)) for k in range(args.residents)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            took = time.perf_counter() - begin
            log = app.log()
        rows = stored(db)

    views = [v for o in outcomes for v in o.views]
    submits = [o.submit for o in outcomes if o.submit is not None and o.reference]
    acked = {int(o.reference): o.pin for o in outcomes if o.reference}
    failed = [o for o in outcomes if o.failure]
    lost = [ref for ref in acked if ref not in rows]
    pinless = [ref for ref in acked if ref in rows and rows[ref][0] is None]
    print(f"code: {args.cwd}   residents: {args.residents} over {args.over:.0f} s "
          f"(all done after {took:.0f} s)")  # fmt: skip
    print(f"page view  p50 {statistics.median(views):.3f} s  p95 {percentile(views, 0.95):.3f} s  "
          f"max {max(views):.3f} s  ({len(views)} views)" if views else "page view: none")  # fmt: skip
    if submits:
        print(f"submit     p50 {statistics.median(submits):.3f} s  p95 {percentile(submits, 0.95):.3f} s")
    print(f"failed sessions {len(failed)}   acknowledged {len(acked)}   stored {len(rows)}   "
          f"acknowledged but not stored {len(lost)}   stored without the pin {len(pinless)}")  # fmt: skip
    for reason in sorted({o.failure for o in failed})[:5]:
        print("  failure:", reason)
    if failed and "Traceback" in log:
        print("  server log (tail):", log[-800:].replace("\n", "\n    "))


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        raise
