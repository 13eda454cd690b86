"""Every script in bench/ runs, with tiny parameters: a change that breaks a bench fails
here, not months later when someone wants its figures again. The figures themselves are
never checked (they are the machine's, not the code's); what a bench checks of its own
run (every input stored, no failed session) is.

A bench that needs PostgreSQL runs in the `postgres` tier (tests/conftest.py marks it by
``need_postgresql``), one that drives a real server in the `server` tier; the others run in
the fast tier, all in one go (tests/bench_runner.py: the app imported once, each script in a
process forked from that one), so the smoke runs cost the benches' own work, not fifteen
start-ups of the app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pg import in_ci, need_postgresql

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
TIMEOUT = 300  # s: only a hang ends here; a bench on tiny parameters takes a few seconds


def run_bench(*argv: str) -> str:
    """Run ``bench/<argv[0]>`` as a developer would (from the repository root, its own
    process, no network: KARTINNSPILL_TILES=none) and give its output; fail with the output
    when it exits with an error."""
    env = {**os.environ, "KARTINNSPILL_TILES": "none", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(BENCH / argv[0]), *argv[1:]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, f"{argv[0]} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def test_every_bench_script_has_a_smoke_test():
    scripts = {p.name for p in BENCH.glob("*.py")} - {"wire.py"}  # wire.py: the others' websocket client
    tested = {name for name, _ in CORE_BENCHES} | {
        "load.py",
        "class_load.py",
        "page_bench.py",
        "message_bench.py",
        "soak.py",
        "outage_bench.py",
        "store_bench.py",
        "mail_bench.py",
        "opendata_bench.py",
        "page_weight_bench.py",
        "view_bench.py",
    }
    assert scripts == tested


CORE_BENCHES = [
    ("address_search_bench.py", ["--streets", "20", "--numbers", "3", "--queries", "5"]),
    ("analysis_bench.py", ["--sizes", "300", "--runs", "1"]),
    ("busy.py", ["--seconds", "0.5"]),
    ("context_layer_bench.py", ["--sizes", "20", "--runs", "1"]),
    ("drawing_bench.py", ["--inputs", "20", "--runs", "1"]),
    ("export_bench.py", ["--sizes", "300", "--runs", "1"]),
    ("hostile_upload_bench.py", ["--cases", "6"]),  # the ordinary phone photo: one child process
    *[
        (
            "kommuneplan.py",
            [
                "--merknader",
                "6",
                "--points",
                "2",
                "--authorities",
                "2",
                "--innsigelser",
                "1",
                "--attachments",
                "1",
                "--runs",
                "1",
                "--repeats",
                "1",
                "--phases",
                *phases,
            ],
        )
        for phases in (["review"], ["word", "sheet", "archive"])
    ],  # pdf: LibreOffice, the office tier's
    ("map_bench.py", ["--sizes", "300", "--runs", "1"]),
    ("map_rebuild_bench.py", ["--inputs", "300"]),
    ("photo_bench.py", ["--size", "64", "48"]),
    ("points_bench.py", ["40"]),
    ("route_density_bench.py", ["--sizes", "20", "--runs", "1"]),
]


STORE_ON_DUCKDB = ("store_bench.py", ["--extra", "20", "--calls", "3", "--backends", "duckdb"])
MAIL = ("mail_bench.py", ["6"])
# the fast tier's benches, run together once per test process (`make test-fast` hands out
# whole files to its two workers: --dist loadfile)
TOGETHER = [*CORE_BENCHES, STORE_ON_DUCKDB, MAIL]


@pytest.fixture(scope="module")
def benches_run(tmp_path_factory) -> dict[tuple[str, tuple[str, ...]], tuple[int, str]]:
    """Every bench of ``TOGETHER`` run by tests/bench_runner.py: {(script, argv): (exit
    status, output)}."""
    folder = tmp_path_factory.mktemp("benches")
    runs = [(script, argv, str(folder / f"{n}-{script}.out")) for n, (script, argv) in enumerate(TOGETHER)]
    results = folder / "results.json"
    env = {**os.environ, "KARTINNSPILL_TILES": "none", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "bench_runner.py"), str(results)],
        input=json.dumps(runs),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT * 3,
    )
    assert done.returncode == 0, f"the bench runner failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    codes = json.loads(results.read_text())
    return {
        (script, tuple(argv)): (codes[f"{n}:{script}"], Path(out).read_text(errors="replace"))
        for n, (script, argv, out) in enumerate(runs)
    }


def ran(benches_run, script: str, argv: list[str]) -> str:
    """The output of ``script`` run with ``argv``; fails with it when the script failed."""
    code, out = benches_run[(script, tuple(argv))]
    assert code == 0, f"{script} exited {code}:\n{out[-6000:]}"
    return out


@pytest.mark.parametrize(("script", "argv"), CORE_BENCHES, ids=[name for name, _ in CORE_BENCHES])
def test_bench_runs_on_tiny_parameters(benches_run, script, argv):
    assert ran(benches_run, script, argv).strip()


def test_store_bench_runs_on_duckdb(benches_run):
    out = ran(benches_run, *STORE_ON_DUCKDB)
    assert "duckdb" in out and "add_input" in out


def test_mail_bench_sends_every_queued_receipt(benches_run):
    out = ran(benches_run, *MAIL)
    assert "sent 3, waiting 0, failed 0" in out


def test_store_bench_runs_on_postgresql():
    need_postgresql()
    out = run_bench("store_bench.py", "--extra", "20", "--calls", "3", "--backends", "postgresql")
    assert "postgresql" in out and "add_input" in out


def test_outage_bench_survives_a_crashed_server():
    need_postgresql()
    out = run_bench("outage_bench.py", "--outages", "0.5", "--repeats", "1")
    assert out.splitlines()[-1].split("|")[0].strip() == "0"  # the 0.5 s row (printed as «0»)


# -- the benches that drive a real server (`streamlit run serve.py`, bench/wire.py) --------


@pytest.mark.server
def test_load_bench_stores_every_acknowledged_input():
    out = run_bench("load.py", "--residents", "2", "--over", "1", "--timeout", "120")
    assert "failed sessions 0   acknowledged 2   stored 2" in out


@pytest.mark.server
def test_load_bench_one_at_a_time_gives_each_residents_server_cpu():
    out = run_bench("load.py", "--residents", "2", "--one-at-a-time", "--timeout", "120")
    assert "failed sessions 0   acknowledged 2   stored 2" in out
    assert "server CPU a resident, one at a time: median " in out


@pytest.mark.server
def test_class_load_bench_stores_every_pupils_route_and_places():
    out = run_bench("class_load.py", "--pupils", "2", "--places", "1", "--timeout", "120")
    assert "refused or failed pupils 0" in out
    assert "routes 2 (expected 2), places 2 (expected 2)" in out


@pytest.mark.server
def test_page_bench_times_the_consultation_page():
    out = run_bench("page_bench.py", "--sizes", "300", "--sessions", "1", "--reruns", "1")
    assert out.splitlines()[-1].split()[0] == "300"


@pytest.mark.server
def test_view_bench_measures_a_page_view_down_to_streamlits_floor():
    out = run_bench("view_bench.py", "--views", "1", "--rounds", "1", "--census")
    rows = {line.split()[0]: line.split() for line in out.splitlines()[2:6]}
    assert list(rows) == ["floor", "common", "frame", "page"]
    assert "element:selectbox" in out.split("\nframe:")[1].split("\npage:")[0]  # the language choice
    assert "element:component_instance" in out.split("\npage:")[1]  # the map


@pytest.mark.server
def test_message_bench_measures_the_pages_messages():
    out = run_bench("message_bench.py", "--sizes", "300")
    assert [line.split()[1] for line in out.splitlines()[1:]] == ["planners", "start", "consultation"]


@pytest.mark.server
def test_soak_bench_samples_the_server_and_sends_inputs():
    out = run_bench("soak.py", "--duration", "3", "--rate", "1", "--sample", "1", "--drain", "60", "--readers", "0.5")
    assert "failure:" not in out
    assert "shipped config:" in out and "RSS MB" in out


@pytest.mark.server
def test_opendata_bench_serves_items_from_a_filled_collection():
    out = run_bench("opendata_bench.py", "--size", "60", "--seconds", "0.5", "--clients", "1", "--skip-weight")
    assert "page of 100" in out


@pytest.mark.server
def test_page_weight_bench_weighs_a_phone_page():
    from tests.browser.conftest import CHROMIUM, MISSING_CHROMIUM

    if not Path(CHROMIUM).exists():
        if in_ci():
            pytest.fail(MISSING_CHROMIUM)
        pytest.skip(MISSING_CHROMIUM)
    out = run_bench("page_weight_bench.py", "--runs", "1")
    assert "median" in out
