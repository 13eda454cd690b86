"""Benchmark: the mail outbox on DuckDB against a local aiosmtpd — what queuing a receipt
adds to storing a registered letter, what an idle sender's round costs (one read), and how
many mails a second one sender delivers over one SMTP connection per round.
Run: .venv/bin/python bench/mail_bench.py [LETTERS] (prints medians; needs the test extra, aiosmtpd)."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from consultations import mail_sender  # noqa: E402
from consultations.config import mail_settings  # noqa: E402
from consultations.model import Channel, InputDraft, SenderType  # noqa: E402
from consultations.store import Store  # noqa: E402
from consultations.participation.submission import register_input  # noqa: E402
from tests.conftest import NOW, make_consultation, staff  # noqa: E402
from tests.smtp import MailServer  # noqa: E402

LETTERS = int(sys.argv[1]) if len(sys.argv) > 1 else 300  # letters registered (half with a receipt)


def _letter(store: Store, n: int, email: str | None) -> None:
    register_input(
        store,
        "bench",
        InputDraft(category="Annet", text=f"Brev nummer {n} om fortau langs veien."),
        channel=Channel.LETTER,
        sender_type=SenderType.PRIVATE,
        sender_name=None,
        received_at=NOW - timedelta(days=1),
        actor=staff(store),
        now=NOW,
        sender_email=email,
    )


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    store = Store.open(folder / "bench.duckdb")
    store.add_consultation(make_consultation("bench"))
    timings: dict[str, list[float]] = {"without": [], "with": []}
    for n in range(LETTERS):
        kind = "with" if n % 2 else "without"
        start = time.perf_counter()
        _letter(store, n, f"r{n}@example.no" if kind == "with" else None)
        timings[kind].append(time.perf_counter() - start)
    for kind, values in timings.items():
        print(f"register a letter {kind} a receipt: median {statistics.median(values) * 1000:.1f} ms")
    server = MailServer(folder).start()
    settings = mail_settings({"KARTINNSPILL_SMTP_URL": server.url, "KARTINNSPILL_MAIL_FROM": "p@asker.kommune.no"})
    start = time.perf_counter()
    report = mail_sender.run_once(store, settings)
    took = time.perf_counter() - start
    print(f"{report.line()} in {took:.2f} s: {report.sent / took:.0f} mails/s")
    idle = []
    for _ in range(200):
        start = time.perf_counter()
        mail_sender.send_due(store, settings)
        idle.append(time.perf_counter() - start)
    print(f"an idle round (nothing due): median {statistics.median(idle) * 1000:.2f} ms")
    server.stop()
    store.close()


if __name__ == "__main__":
    main()
