"""Benchmark: merknadspunkter at 3,000 merknader (DuckDB) — reading every point
(``Store.merknad_points``: what the review tab and the report add), the Word report with
one merknad in ten split into three points, and reading back the exported Merknadspunkter
sheet with every vurdering changed (``import-responses``: one transaction).
Run: .venv/bin/python bench/points_bench.py (prints medians)."""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402

from consultations.casework import points  # noqa: E402
from consultations.outputs.export import Format, export  # noqa: E402
from consultations.model import Channel, InputStatus, PlanType, Stage  # noqa: E402
from consultations.permissions import OPERATOR  # noqa: E402
from consultations.casework.points_sheet import SHEET, import_responses  # noqa: E402
from consultations.outputs.merknadsbehandling import build_report  # noqa: E402
from consultations.store import Store  # noqa: E402
from tests.conftest import INSIDE, make_consultation  # noqa: E402

INPUTS = int(sys.argv[1]) if len(sys.argv) > 1 else 3_000


def _median_ms(run, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.duckdb")
        now = datetime.now(UTC)
        c = make_consultation(
            "bench",
            plan_id="3203202599",
            plan_type=PlanType.DETALJREGULERING,
            stage=Stage.OFFENTLIG_ETTERSYN,
            case_number="26/1",
            opens_at=now - timedelta(weeks=8),
            closes_at=now - timedelta(days=1),
        )
        store.add_consultation(c)
        rows = [
            (
                "Annet",
                f"Merknad nummer {k} om kaia og byggehøyden.",
                *INSIDE,
                None,
                None,
                now - timedelta(days=3, minutes=k),
            )
            for k in range(INPUTS)
        ]
        store.bulk_add_inputs(c.id, rows, Channel.WEB, InputStatus.PUBLISHED)
        ids = [i.id for i in store.all_inputs(c.id)]
        split = ids[::10]
        for input_id in split:
            for _ in range(2):
                points.split(store, input_id, OPERATOR)
        read = _median_ms(lambda: store.merknad_points(c.id), runs=7)
        report = _median_ms(lambda: build_report(store, c.id), runs=3)
        data = export(store, c.id, Format.XLSX)
        wb = openpyxl.load_workbook(io.BytesIO(data))
        ws = wb[SHEET]
        for r in range(2, ws.max_row + 1):
            ws.cell(r, 9).value, ws.cell(r, 10).value = "Vurdert i benken.", "tatt_til_orientering"
        out = io.BytesIO()
        wb.save(out)
        start = time.perf_counter()
        lines = import_responses(store, c.id, out.getvalue(), OPERATOR, "bench.xlsx")
        imported = (time.perf_counter() - start) * 1000
        n = sum(len(v) for v in store.merknad_points(c.id).values())
        print(f"{INPUTS} merknader, {len(split)} split in three: {n} points")
        print(f"merknad_points (all points): {read:.1f} ms")
        print(f"build_report (docx): {report:.0f} ms")
        print(f"import-responses ({len(lines)} rows changed, one transaction): {imported:.0f} ms")
        store.close()


if __name__ == "__main__":
    main()
