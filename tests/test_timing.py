"""The script-run timer the page bench reads (KARTINNSPILL_TIMING=1): off unless asked for."""

from __future__ import annotations

from consultations.ui import timing

BORGEN = "borgen-tettstedsutvikling"


def _timing_lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith(timing.PREFIX)]


def test_with_timing_asked_for_each_script_run_logs_its_duration_and_page_once(demo_app, monkeypatch, capsys):
    monkeypatch.setattr(timing, "ENABLED", True)
    demo_app.query_params["id"] = BORGEN
    capsys.readouterr()
    demo_app.run()
    (line,) = _timing_lines(capsys)
    ms = float(line.split("ms=")[1].split()[0])
    assert ms > 0 and line.endswith(f"query=id={BORGEN}")


def test_without_timing_asked_for_a_script_run_logs_nothing(demo_app, capsys):
    assert not timing.ENABLED  # the test environment does not set KARTINNSPILL_TIMING
    demo_app.query_params["id"] = BORGEN
    capsys.readouterr()
    demo_app.run()
    assert _timing_lines(capsys) == []
