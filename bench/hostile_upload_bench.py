"""What a hostile upload costs the server (security finding N1 and the PDF bomb): time and
peak memory of checking each file, and of a try the rate limit refuses.

    python -m bench.hostile_upload_bench               # this tree
    python -m bench.hostile_upload_bench --code DIR    # another checkout (e.g. before the fix)

The files are the attack's: a 190 kB PNG declaring 7070×7060 RGBA, a PDF of 200,000
objects, a 400 kB PDF whose page content inflates to 400 MB; a phone photo for comparison.
Each case runs in a fresh process (peak RSS is per process); «peak +MB» is how far the
check raised it above what the process held before.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (case, file, what is asked of the code under test)
CASES = (
    ("photo: PNG 7070×7060 RGBA", "big.png", "photo"),
    ("attachment: PNG 7070×7060 RGBA", "big.png", "attachment"),
    ("attachment: PDF, 200,000 objects", "many.pdf", "attachment"),
    ("attachment: PDF, page inflates to 400 MB", "bomb.pdf", "attachment"),
    ("photo: PNG 6300×6300 RGBA (the most allowed)", "largest.png", "photo"),
    ("photo: phone JPEG 4032×3024 (ordinary)", "phone.jpg", "photo"),
    ("throttled submit with the PNG photo", "big.png", "throttled"),
    ("throttled submit with the phone JPEG", "phone.jpg", "throttled"),
)

_CHILD = r"""
import io, json, re, sys, tempfile, time
from datetime import UTC, datetime, timedelta
sys.path.insert(0, sys.argv[1])
from consultations.participation.attachments import check_attachment, check_photo
from consultations.errors import InvalidInput
data = open(sys.argv[2], "rb").read()
name = sys.argv[2].rsplit("/", 1)[-1]
if sys.argv[3] == "throttled":
    from consultations.model import InputDraft
    from consultations.ratelimit import RateLimiter
    from consultations.store import Store
    from consultations.participation.submission import submit_input
    from tests.conftest import INSIDE, make_consultation

    class Spent(RateLimiter):
        def allow(self, checks):
            return False

    store = Store.open(tempfile.mkdtemp() + "/bench.duckdb")
    now = datetime.now(UTC)
    c = make_consultation(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=9))
    store.add_consultation(c)
    draft = InputDraft(c.categories[0], "Et innspill om krysset ved skolen.", lat=INSIDE[0], lon=INSIDE[1])
    run = lambda: submit_input(store, c.id, draft, session="s", limiter=Spent(), photos=[(name, data, "alt")])
elif sys.argv[3] == "photo":
    run = lambda: check_photo(name, data, "alt")
else:
    run = lambda: check_attachment(name, data)
def peak_kb():  # VmHWM: this process's own peak (ru_maxrss keeps the parent's across exec)
    return int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read()).group(1))
before = peak_kb()
start = time.perf_counter()
try:
    run()
    outcome = "accepted"
except InvalidInput as e:
    outcome = e.key
took = time.perf_counter() - start
peak = peak_kb()
print(json.dumps({"s": took, "mb": (peak - before) / 1024, "outcome": outcome}))
"""


def make_files(folder: Path, names: set[str]) -> None:
    """The files ``names`` in ``folder``."""
    sys.path.insert(0, str(ROOT))
    from bench.photo_bench import phone_photo
    from tests.hostile_files import big_png, content_bomb_pdf, many_objects_pdf

    makers = {
        "big.png": big_png,
        "largest.png": lambda: big_png(6300, 6300),
        "many.pdf": many_objects_pdf,
        "bomb.pdf": content_bomb_pdf,
        "phone.jpg": lambda: phone_photo(4032, 3024, "JPEG"),
    }
    for name in names:
        (folder / name).write_bytes(makers[name]())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", default=str(ROOT), help="the checkout whose consultations/ is measured")
    parser.add_argument(
        "--cases", type=int, nargs="+", help="only these rows of the table (1 = the first; default: all)"
    )
    args = parser.parse_args()
    cases = [CASES[n - 1] for n in args.cases] if args.cases else CASES
    code = str(Path(args.code).resolve())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_files(folder, {file for _, file, _ in cases})
        print(f"code: {code}")
        for case, file, mode in cases:
            path = folder / file
            env = {**os.environ, "KARTINNSPILL_TILES": "none", "PYTHONPATH": code}
            out = subprocess.run(
                [sys.executable, "-c", _CHILD, code, str(path), mode],
                capture_output=True,
                text=True,
                env=env,
                cwd=code,
                check=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            size = path.stat().st_size / 1e3
            print(f"{case:45} {size:8.0f} kB  {result['s']:7.3f} s  peak +{result['mb']:6.0f} MB  {result['outcome']}")


if __name__ == "__main__":
    main()
