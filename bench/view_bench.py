"""Benchmark: what one page view costs the server, down to Streamlit's own floor.

A page view as bench/load.py's resident makes it: the page itself (index.html), a new
websocket session whose first run is the page, the session closed. For each variant a
server of its own (`streamlit run` with the shipped .streamlit/config.toml, as bench/wire.py
starts `make run`'s), a few views to warm it, then ``--views`` views one after another; the
server's CPU (user + system from /proc, 10 ms ticks: summed over the views, then divided),
the messages the view's run sent and their bytes. ``--rounds`` repeats the views; the
figure is the median of the rounds.

The variants (``--variants``):
- floor: Streamlit alone, a one-line app (``st.write``) with the shipped config: what any
  page view costs whatever the app does;
- common: the app (serve.py, app.py) with an empty start page: what every page of the app
  costs before its own elements (the per-run set-up, styles and scripts, the session's
  binding to its browser, the navigation);
- frame: the app with a start page of only the frame every resident page has (the
  language choice at the top, the privacy and accessibility links at the foot);
- page: the consultation page `/?id=borgen-tettstedsutvikling`, as a resident opens it.
The floor, common and frame variants run from a temporary directory of links to the
checkout (``--cwd``) with that one file in place of the app or of pages/home.py.

``--census`` lists what the last view of each variant sent, by kind (elements by type,
layout blocks, the session's own messages).

Run: .venv/bin/python bench/view_bench.py [--views 30] [--rounds 3] [--published 3000]
     [--variants floor common frame page] [--census] [--cwd checkout]
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench.wire, as tests import it

from bench.wire import BORGEN, ROOT, Browser, Run, cpu_seconds, seeded_database, server  # noqa: E402

VARIANTS = ("floor", "common", "frame", "page")
WARM_VIEWS = 3

_FLOOR_APP = '"""Streamlit\'s floor (bench/view_bench.py)."""\n\nimport streamlit as st\n\nst.write("Kartinnspill")\n'
_EMPTY_PAGE = '"""A page with nothing on it (bench/view_bench.py)."""\n'
_FRAME_PAGE = (
    '"""Only the frame of a resident page (bench/view_bench.py)."""\n\n'
    "from consultations.ui import context\n"
    "from consultations.ui.frame import bottom, top\n\n"
    "lang = context.lang()\n"
    "top(lang)\n"
    "bottom(lang)\n"
)


def _linked(checkout: Path, into: Path, skip: set[str]) -> None:
    """``into`` holds every entry of ``checkout`` but ``skip``: a copy of each Python file
    (Streamlit finds the pages beside the main script's real path, so serve.py and app.py
    must not be links), a link to everything else."""
    for entry in checkout.iterdir():
        if entry.name in skip:
            continue
        if entry.is_file() and entry.suffix == ".py":
            (into / entry.name).write_bytes(entry.read_bytes())
        else:
            (into / entry.name).symlink_to(entry.resolve())


@contextmanager
def app_for(variant: str, checkout: Path, tmp: Path) -> Iterator[tuple[Path, str]]:
    """The directory to start the server in, and the page's query string."""
    if variant == "page":
        yield checkout, f"id={BORGEN}"
        return
    folder = tmp / variant
    folder.mkdir()
    if variant == "floor":
        (folder / ".streamlit").mkdir()
        (folder / ".streamlit" / "config.toml").write_text((checkout / ".streamlit" / "config.toml").read_text())
        (folder / "serve.py").write_text(_FLOOR_APP)  # what bench/wire.py's server() starts
        yield folder, ""
        return
    _linked(checkout, folder, {"pages"})
    (folder / "pages").mkdir()
    _linked(checkout / "pages", folder / "pages", {"home.py"})
    (folder / "pages" / "home.py").write_text(_EMPTY_PAGE if variant == "common" else _FRAME_PAGE)
    yield folder, ""


def view(url: str, query: str) -> Run:
    """One page view: index.html, a new session's first run, the session closed."""
    browser = Browser(url)
    browser.load(query)
    session = browser.session()
    try:
        run = session.run(query)
    finally:
        session.close()
    if run.exceptions:
        raise RuntimeError(f"the page failed: {run.exceptions[0]}")
    return run


def measure(variant: str, checkout: Path, db: Path, tmp: Path, views: int, rounds: int) -> tuple[list[float], Run]:
    """Each round's server CPU a view (s), and the last view."""
    with app_for(variant, checkout, tmp) as (cwd, query), server(db, tmp / f"{variant}.log", cwd=cwd) as app:
        for _ in range(WARM_VIEWS):
            last = view(app.url, query)
        per_view = []
        for _ in range(rounds):
            before = cpu_seconds(app.proc.pid)
            for _ in range(views):
                last = view(app.url, query)
            per_view.append((cpu_seconds(app.proc.pid) - before) / views)
    return per_view, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--views", type=int, default=30, help="page views a round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--published", type=int, default=0, help="fill Borgen up to this many")
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--census", action="store_true", help="what the last view sent, by kind")
    parser.add_argument("--cwd", type=Path, default=ROOT, help="the checkout of the app to run")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"{args.views} views a round, {args.rounds} rounds; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'variant':>8} {'CPU ms a view (median)':>23} {'rounds':>20} {'messages':>9} {'kB':>7}")
    censuses: dict[str, collections.Counter] = {}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        db = seeded_database(tmp / "view.duckdb", args.published)
        for variant in args.variants:
            per_view, last = measure(variant, args.cwd.resolve(), db, tmp, args.views, args.rounds)
            rounds = ", ".join(f"{v * 1000:.1f}" for v in per_view)
            print(
                f"{variant:>8} {statistics.median(per_view) * 1000:>23.1f} {rounds:>20} "
                f"{last.messages:>9} {last.bytes / 1000:>7.1f}"
            )
            censuses[variant] = last.census
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    for variant, census in censuses.items() if args.census else ():
        print(f"\n{variant}: {census.total()} messages")
        for kind, n in sorted(census.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {n:>4}  {kind}")


if __name__ == "__main__":
    main()
