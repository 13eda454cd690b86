"""Benchmark: the largest websocket message a real server sends for a legitimate page.

Starts `streamlit run app.py` on a database with 1,000 / 10,000 / 50,000 published inputs
in one consultation, opens a websocket session like a browser does, asks for the start page
and the consultation page, and prints the largest and the total message size; and the size
of the planners' input table (Arrow, as st.dataframe sends it: behind a login, so measured
in this process). These are the figures behind `server.maxMessageSize` in
.streamlit/config.toml.
Run: .venv/bin/python bench/message_bench.py [--sizes 1000 10000 50000]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pandas as pd
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.dataframe_util import convert_pandas_df_to_arrow_bytes
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.map_bench import CONSULTATION, fill  # noqa: E402
from consultations.casework import review  # noqa: E402
from consultations.outputs.export import missed_frists  # noqa: E402
from consultations.demo import seed_demo  # noqa: E402
from consultations.store import Store  # noqa: E402
from consultations.ui.review.inputs import _table  # noqa: E402
from tests.live_server import free_port  # noqa: E402

SIZES = (1_000, 10_000, 50_000)


def page_messages(port: int, query: str) -> list[int]:
    """Sizes of every message one script run of the page sends."""
    url = f"ws://127.0.0.1:{port}/_stcore/stream"
    with connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=60) as ws:
        back = BackMsg()
        back.rerun_script.query_string = query
        ws.send(back.SerializeToString())
        sizes = []
        while True:
            raw = ws.recv(timeout=300)
            sizes.append(len(raw))
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            if msg.WhichOneof("type") == "script_finished":
                return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="at least the demo's inputs")
    args = parser.parse_args()
    print(f"{'inputs':>8} {'page':>14} {'largest MB':>11} {'total MB':>9}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.duckdb"
            store = Store.open(db)
            seed_demo(store)
            fill(store, n - len(store.map_points(CONSULTATION)), random.Random(1))
            c = store.get_consultation(CONSULTATION)
            frame = review.order_frame(store.analysis_frame(c.id), c.moderation)
            frame = frame.assign(missed=pd.Series(missed_frists(frame, c), index=frame.index, dtype=object))
            table = _table(frame, "nb")  # as the review page shows it (ui/review/inputs.py)
            size = len(convert_pandas_df_to_arrow_bytes(table)) / 1e6
            print(f"{n:>8} {'planners table':>14} {size:>11.2f} {size:>9.2f}")
            store.close()
            port = free_port()
            env = {**os.environ, "KARTINNSPILL_DB": str(db), "KARTINNSPILL_TILES": "none"}
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "streamlit",
                    "run",
                    "app.py",
                    "--server.port",
                    str(port),
                    "--server.address",
                    "127.0.0.1",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                for _ in range(300):
                    try:
                        urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
                        break
                    except OSError:
                        time.sleep(0.2)
                for name, query in (("start", ""), ("consultation", f"id={CONSULTATION}")):
                    sizes = page_messages(port, query)
                    print(f"{n:>8} {name:>14} {max(sizes) / 1e6:>11.2f} {sum(sizes) / 1e6:>9.2f}")
            finally:
                server.terminate()
                server.wait(timeout=30)


if __name__ == "__main__":
    main()
