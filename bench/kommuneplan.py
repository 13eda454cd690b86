"""Benchmark: a kommuneplan-sized case — one consultation with 10,000 merknader (1,000 split
into merknadspunkter, 300 from authorities, 50 of them innsigelser, attachments on 500) —
through what planners do with it after the frist:

- ``review``: the review page under AppTest (``pages/gjennomgang.py``, what the server
  computes before the planner's browser gets anything): open it, filter it (the free-text
  filter), open the «Merknadsbehandling» tab (``tab``), answer one merknad (the response
  form's «Lagre»); p95 per action over
  ``--repeats`` samples, after one warm-up run of each that is not counted. Target ≤ 1 s.
- ``word``: the merknadsbehandling report as Word (``downloads.report_file``); ≤ 60 s.
- ``pdf``: the same as PDF through LibreOffice; ≤ 5 min, memory (this process and
  LibreOffice) ≤ 2 GB.
- ``sheet``: ``export --format xlsx`` and ``import-responses`` of its «Merknadspunkter»
  sheet with every vurdering changed (ms per point).
- ``archive``: the Fiks Arkiv package (the ``archive`` command: ``cli.main``) written to a
  file; ≤ 10 min, memory ≤ 1 GB.

One process seeds the database; each phase runs in a fresh process on its own copy (as the
app or the command would), and prints its peak RSS (``ru_maxrss`` of itself and, separately,
of the children it waited for: LibreOffice). Short phases give the median of ``--runs``.
Run: .venv/bin/python bench/kommuneplan.py [--merknader 10000] [--phases review word pdf sheet archive]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("KARTINNSPILL_TILES", "none")

from consultations import geo  # noqa: E402
from consultations.model import (  # noqa: E402
    Channel,
    InputStatus,
    Objection,
    ObjectionStatus,
    Outcome,
    PlanType,
    Point,
    PointKind,
    Response,
    Role,
    SenderType,
    Stage,
    Status,
)
from consultations.store import Store  # noqa: E402

CID = "kommuneplan-2026"
PHASES = ("review", "word", "pdf", "sheet", "archive")
PAGE = "pages/gjennomgang.py"
AUTHORITIES = (
    "Statsforvalteren i Oslo og Viken",
    "Statens vegvesen",
    "Viken fylkeskommune",
    "Norges vassdrags- og energidirektorat",
    "Bane NOR",
    "Riksantikvaren",
)
WORDS = (
    "kaia",
    "skoleveien",
    "strandsonen",
    "byggehøyden",
    "parkeringen",
    "turstien",
    "fortettingen",
    "bussholdeplassen",
    "ballbanen",
    "flomveien",
    "kulturminnet",
    "sykkelveien",
)
THEMES = ("Trafikk", "Grønt", "Boliger", "Strandsone", "Kulturminner")


def text_of(k: int, rng: random.Random) -> str:
    picked = rng.sample(WORDS, 3)
    return (
        f"Merknad {k} til kommuneplanens arealdel: vi er bekymret for {picked[0]} og ber om at "
        f"{picked[1]} og {picked[2]} vurderes på nytt før planen vedtas. " * rng.randint(1, 4)
    ).strip()


def attachment(k: int, rng: random.Random, kb: int = 150) -> tuple[str, str, bytes]:
    """A scanned page: a JPEG of noise (incompressible, about ``kb`` kB), as a scan is."""
    from PIL import Image

    width = max(8, int((kb / 150) ** 0.5 * 400))
    height = width * 7 // 5
    image = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return f"vedlegg-{k}.jpg", "image/jpeg", out.getvalue()


def seed(path: Path, n: int, with_points: int, authorities: int, innsigelser: int, attached: int, kb: int) -> None:
    """The consultation: ``authorities`` letters from authorities (the first ``innsigelser``
    of them innsigelser), ``attached`` merknader with a scan attached, the rest from the web
    in one bulk insert; ``with_points`` merknader (the authorities' first) split into two or
    three points, half of those assessed; a fifth of the rest answered in felles svar."""
    rng = random.Random(26)
    store = Store.open(path)
    now = datetime.now(UTC)
    from tests.conftest import make_consultation

    c = make_consultation(
        CID,
        title="Kommuneplanens arealdel 2026–2038",
        plan_id="32032026",
        plan_type=PlanType.KOMMUNEPLANENS_AREALDEL,
        stage=Stage.OFFENTLIG_ETTERSYN,
        case_number="26/1234",
        status=Status.CLOSED,
        opens_at=now - timedelta(weeks=8),
        closes_at=now - timedelta(days=2),
    )
    store.add_consultation(c)
    planner = store.add_user("kari", Role.PLANNER, None)
    places = geo.random_points(c.area, n, rng)
    cats = list(c.categories)

    def where(k: int) -> tuple:
        if k % 10 == 9:
            return None, None, None, None
        lat, lon = places[k]
        return (lat, lon, *geo.to_working_crs(lon, lat))

    special = authorities + attached
    for k in range(special):
        authority = k < authorities
        store.add_input(
            consultation_id=CID,
            category=cats[k % len(cats)],
            text=text_of(k, rng),
            **dict(zip(("lat", "lon", "east", "north"), where(k), strict=True)),
            age_group=None,
            relation=None,
            channel=Channel.LETTER if authority else Channel.EMAIL,
            status=InputStatus.PUBLISHED,
            session_hash=None,
            token=None,
            created_at=now - timedelta(days=20, minutes=k),
            sender_type=SenderType.AUTHORITY if authority else SenderType.PRIVATE,
            sender_name=AUTHORITIES[k % len(AUTHORITIES)] if authority else f"Innbygger {k}",
            sender_address="Postboks 325, 3502 Hønefoss" if authority else None,
            attachments=[attachment(k, rng, kb)] if not authority else (),
            objection=Objection.INNSIGELSE if k < innsigelser else (Objection.ADVICE if authority else None),
            actor="kari",
        )
    rows = [
        (cats[k % len(cats)], text_of(k, rng), *where(k), now - timedelta(days=10, minutes=k))
        for k in range(special, n)
    ]
    if rows:
        store.bulk_add_inputs(CID, rows, Channel.WEB, InputStatus.PUBLISHED)
    inputs = store.all_inputs(CID)
    assert len(inputs) == n
    split, rest = inputs[:with_points], inputs[with_points:]
    found = []
    for k, item in enumerate(split):
        kinds = (
            [PointKind.INNSIGELSE, PointKind.ADVICE]
            if item.objection == Objection.INNSIGELSE
            else [PointKind.ADVICE, PointKind.MERKNAD]
            if item.sender_type == SenderType.AUTHORITY
            else [PointKind.MERKNAD, PointKind.MERKNAD]
        )
        kinds += [PointKind.MERKNAD] * (k % 2)
        for letter, kind in zip("abc", kinds, strict=False):
            assessed = k % 2 == 0
            found.append(
                Point(
                    item.id,
                    letter,
                    summary=f"Punkt {letter} i merknad {item.id}: {rng.choice(WORDS)}.",
                    theme=THEMES[k % len(THEMES)],
                    kind=kind,
                    status=ObjectionStatus.OPEN if kind == PointKind.INNSIGELSE else None,
                    assessment="Vurdert: tas med i det videre planarbeidet." if assessed else "",
                    outcome=Outcome.NOTED if assessed else None,
                )
            )
    store.save_points(found, planner.username)
    outcomes = list(Outcome)
    answered = [i.id for i in rest[::5]]
    for k, outcome in enumerate(outcomes):
        store.save_response(
            answered[k :: len(outcomes)],
            Response(0, "Ønsker endring.", "Vurderes i det videre planarbeidet.", outcome),
            "kari",
        )
    for k, theme in enumerate(THEMES):
        store.add_tag([i.id for i in rest[k::40]], theme, "kari")
    store.close()


# -- the phases (each in its own process) ------------------------------------------------------


def peak() -> dict:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_rss_mb": round(own), "children_peak_rss_mb": round(children)}


class TreeRss:
    """The largest sum of the RSS of this process and its children at one moment (sampled
    every ``every`` s from /proc): what the machine must hold while the archive's worker
    processes or LibreOffice run beside the phase (``ru_maxrss`` of the children is only the
    largest one of them). Beside it the sum of their PSS, which counts the pages they share
    (the libraries each of them maps) once."""

    def __init__(self, every: float = 0.25) -> None:
        import threading

        self.most, self.most_pss, self._every, self._done = 0, 0, every, threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _rss(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/statm") as f:
                return int(f.read().split()[1]) * self._page
        except (OSError, IndexError, ValueError):
            return 0

    def _pss(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                return next(int(line.split()[1]) * 1024 for line in f if line.startswith("Pss:"))
        except (OSError, StopIteration, IndexError, ValueError):
            return 0

    def _children(self, pid: int) -> list[int]:
        found = []
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                found += [int(c) for c in task.read_text().split()]
            except OSError:
                pass
        return found

    def _watch(self) -> None:
        while not self._done.is_set():
            pids, total, shared = [os.getpid()], 0, 0
            while pids:
                pid = pids.pop()
                total += self._rss(pid)
                shared += self._pss(pid)
                pids += self._children(pid)
            self.most, self.most_pss = max(self.most, total), max(self.most_pss, shared)
            self._done.wait(self._every)

    def stop(self) -> dict:
        self._done.set()
        self._thread.join()
        return {"tree_peak_rss_mb": round(self.most / 2**20), "tree_peak_pss_mb": round(self.most_pss / 2**20)}


def timed(fn, runs: int) -> tuple[float, float, object]:
    """The median wall time and CPU time (``cpu``) of ``runs`` calls, and the result."""
    times, busy, result = [], [], None
    for _ in range(runs):
        start, before = time.perf_counter(), cpu()
        result = fn()
        times.append(time.perf_counter() - start)
        busy.append(cpu() - before)
    return statistics.median(times), statistics.median(busy), result


def cpu() -> float:
    """CPU seconds of this process (all its threads) and the children it waited for: on a
    machine others share, the figure the wall time would be on a quiet one."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def review_phase(path: Path, repeats: int) -> dict:
    from streamlit.testing.v1 import AppTest

    from consultations.auth import start_session
    from consultations.i18n import DEFAULT_LANG, t
    from consultations.ui import context
    from consultations.ui.auth import TOKEN_KEY

    os.environ["KARTINNSPILL_DB"] = str(path)
    os.environ.pop("KARTINNSPILL_DEMO", None)
    store = context._store(str(path), False)
    kari = store.login_record("kari")[0]
    needing = [i.id for i in store.all_inputs(CID)][-(repeats + 1) :]
    k = f"review-{CID}"

    def opened() -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.session_state[TOKEN_KEY] = start_session(store, kari, context.NO_CONNECTION)
        at.query_params["id"] = CID
        at.switch_page(PAGE)
        return at

    def clock(run) -> tuple[tuple[float, float], AppTest]:
        start, busy = time.perf_counter(), cpu()
        at = run()
        took = time.perf_counter() - start, cpu() - busy
        assert not at.exception, at.exception
        return took, at

    samples = {"open": [], "filter": [], "tab": [], "answer": []}
    for n in range(repeats + 1):  # the first round warms the process up and is not counted
        at = opened()
        took, at = clock(at.run)
        word = WORDS[n % len(WORDS)]
        filtered, at = clock(lambda at=at, word=word: at.text_input(key=f"{k}-filter-text").input(word).run())
        at = at.text_input(key=f"{k}-filter-text").input("").run()
        target = needing[n]
        # past TABS_ON_DEMAND_AT merknader only the open tab runs: open «Merknadsbehandling»
        at.session_state[f"{k}-tab"] = t("planning.tab_responses", DEFAULT_LANG)
        tab, at = clock(at.run)
        at.radio(key=f"{k}-response-scope").set_value("input")
        at = at.selectbox(key=f"{k}-response-input").set_value(target).run()
        form = f"{k}-response-input-{target}"
        at.text_area(key=f"{form}-summary").input("Ønsker endring.")
        at.text_area(key=f"{form}-assessment").input("Vurdert i benken.")
        at.radio(key=f"{form}-outcome").set_value(Outcome.NOTED.value)
        button = next(b for b in at.button if b.proto.form_id == f"{form}-form")
        answered, at = clock(lambda at=at, button=button: button.click().run())
        assert store.responses(CID)[target].assessment == "Vurdert i benken.", "the answer was not stored"
        if n:
            samples["open"].append(took)
            samples["filter"].append(filtered)
            samples["tab"].append(tab)
            samples["answer"].append(answered)
    return {
        **{f"{name}_p95_s": round(p95([w for w, _ in v]), 2) for name, v in samples.items()},
        **{f"{name}_p95_cpu_s": round(p95([c for _, c in v]), 2) for name, v in samples.items()},
        **{f"{name}_median_s": round(statistics.median([w for w, _ in v]), 2) for name, v in samples.items()},
        "samples": repeats,
    }


def word_phase(path: Path, runs: int) -> dict:
    from consultations.outputs import downloads
    from consultations.config import load_profile
    from consultations.permissions import OPERATOR

    store = Store.open(path)
    took, busy, data = timed(
        lambda: downloads.report_file(store, CID, include_names=False, profile=load_profile("asker"), actor=OPERATOR),
        runs,
    )
    return {"word_s": round(took, 2), "word_cpu_s": round(busy, 2), "word_bytes": len(data), "runs": runs}


def pdf_phase(path: Path) -> dict:
    from consultations.outputs import downloads
    from consultations.config import load_profile
    from consultations.permissions import OPERATOR

    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        return {"pdf": "no LibreOffice here"}
    store = Store.open(path)
    took, busy, data = timed(
        lambda: downloads.report_file(
            store, CID, include_names=False, profile=load_profile("asker"), actor=OPERATOR, pdf=True
        ),
        1,
    )
    return {"pdf_s": round(took, 2), "pdf_cpu_s": round(busy, 2), "pdf_bytes": len(data), "runs": 1}


def sheet_phase(path: Path, runs: int) -> dict:
    import openpyxl

    from consultations.outputs.export import Format, export
    from consultations.permissions import OPERATOR
    from consultations.casework.points_sheet import SHEET, import_responses

    store = Store.open(path)
    took, busy, data = timed(lambda: export(store, CID, Format.XLSX), runs)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[SHEET]
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 9).value, ws.cell(r, 10).value = f"Vurdert i benken, rad {r}.", "tatt_til_orientering"
    out = io.BytesIO()
    wb.save(out)
    rows = ws.max_row - 1
    start, before = time.perf_counter(), cpu()
    lines = import_responses(store, CID, out.getvalue(), OPERATOR, "bench.xlsx")
    imported, imported_cpu = time.perf_counter() - start, cpu() - before
    assert len(lines) == rows, (len(lines), rows)
    return {
        "xlsx_export_s": round(took, 2),
        "xlsx_export_cpu_s": round(busy, 2),
        "import_s": round(imported, 2),
        "import_cpu_s": round(imported_cpu, 2),
        "points": rows,
        "import_ms_per_point": round(imported * 1000 / max(rows, 1), 2),
        "export_runs": runs,
    }


def archive_phase(path: Path) -> dict:
    import zipfile

    from consultations import cli

    out = path.with_suffix(".zip")
    os.environ["KARTINNSPILL_DB"] = str(path)
    start, before = time.perf_counter(), cpu()
    code = cli.main(["archive", "--consultation", CID, "--out", str(out)])
    took, busy = time.perf_counter() - start, cpu() - before
    assert code == 0
    with zipfile.ZipFile(out) as z:
        folders = {name.split("/", 1)[0] for name in z.namelist()}
    return {
        "archive_s": round(took, 1),
        "archive_cpu_s": round(busy, 1),
        "archive_mb": round(out.stat().st_size / 2**20),
        "messages": len(folders),
        "runs": 1,
    }


def phase(name: str, path: Path, runs: int, repeats: int) -> dict:
    tree = TreeRss() if Path("/proc/self/task").exists() else None
    load = round(os.getloadavg()[0], 1)
    if name == "review":
        found = review_phase(path, repeats)
    elif name == "word":
        found = word_phase(path, runs)
    elif name == "pdf":
        found = pdf_phase(path)
    elif name == "sheet":
        found = sheet_phase(path, runs)
    else:
        found = archive_phase(path)
    loads = {"load_before": load, "load_after": round(os.getloadavg()[0], 1)}
    return {**found, **peak(), **(tree.stop() if tree else {}), **loads}


def child(*args: str) -> str:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"{args[0]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--merknader", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=1_000, help="merknader split into merknadspunkter")
    parser.add_argument("--authorities", type=int, default=300)
    parser.add_argument("--innsigelser", type=int, default=50)
    parser.add_argument("--attachments", type=int, default=500, help="merknader with a scan attached")
    parser.add_argument("--attachment-kb", type=int, default=150, help="the size of each scan")
    parser.add_argument("--runs", type=int, default=3, help="runs of the short phases (median)")
    parser.add_argument("--repeats", type=int, default=20, help="samples per review action (p95)")
    parser.add_argument("--phases", nargs="+", choices=PHASES, default=list(PHASES))
    parser.add_argument("--db", type=Path, help="a database seeded before (same parameters) to reuse")
    parser.add_argument("--seed", type=Path, help=argparse.SUPPRESS)  # child: seed this file
    parser.add_argument("--phase", nargs=2, help=argparse.SUPPRESS)  # child: NAME PATH
    args = parser.parse_args()
    if args.seed:
        seed(
            args.seed,
            args.merknader,
            args.points,
            args.authorities,
            args.innsigelser,
            args.attachments,
            args.attachment_kb,
        )
        return
    if args.phase:
        print(json.dumps(phase(args.phase[0], Path(args.phase[1]), args.runs, args.repeats)))
        return
    with tempfile.TemporaryDirectory(prefix="kommuneplan-") as tmp:
        seeded = args.db
        if seeded is None or not seeded.exists():
            seeded = args.db or Path(tmp) / "seed.duckdb"
            start = time.perf_counter()
            child(
                "--seed",
                str(seeded),
                "--merknader",
                str(args.merknader),
                "--points",
                str(args.points),
                "--authorities",
                str(args.authorities),
                "--innsigelser",
                str(args.innsigelser),
                "--attachments",
                str(args.attachments),
                "--attachment-kb",
                str(args.attachment_kb),
            )
            print(f"seeded {args.merknader} merknader in {time.perf_counter() - start:.0f} s", flush=True)
        for name in args.phases:
            copy = Path(tmp) / f"{name}.duckdb"
            shutil.copyfile(seeded, copy)
            found = json.loads(
                child("--phase", name, str(copy), "--runs", str(args.runs), "--repeats", str(args.repeats))
                .strip()
                .splitlines()[-1]
            )
            print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in found.items()), flush=True)


if __name__ == "__main__":
    main()
