"""Warm before traffic: a new process runs its pages once itself before it says it is ready.

A replica's first page runs import the app's libraries, build the maps' frames and freeze
the heap (background_gc); in a fresh cluster's first minute that made residents wait
(p95 6.1 s against 1.0 s warm, issue 26). The server therefore opens its own pages over
its own websocket, as a browser would (Streamlit's protocol on ``/_stcore/stream``): the
start page, then the consultations the public sees. ``READY_PATH`` answers 503 until that
is done and 200 «ok» after; HAProxy's health check asks it (deploy/haproxy.cfg.template),
so a replica — new, restarted after a crash, or deployed — gets residents only when warm.
A warm-up that fails is logged and the process says ready anyway: it serves as it did
before, cold, rather than not at all.

Off with KARTINNSPILL_WARMUP=off (the ready address then answers «ok» at once).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from ..model import Phase
from ..store import Store

READY_PATH = "/_kartinnspill/ready"
MAX_CONSULTATIONS = 10  # warm the first ten the public sees; the rest warm on their first visit
STARTUP_TIMEOUT_S = 120.0
PAGE_TIMEOUT_S = 120.0

_LOG = logging.getLogger(__name__)
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def public_pages(store: Store | None, now: datetime | None = None) -> list[str]:
    """The query strings of the consultation pages to warm: open ones first, then upcoming
    and closed ones (what the start page links to), at most ``MAX_CONSULTATIONS``."""
    if store is None:
        return []
    now = now or datetime.now(UTC)
    order = {Phase.OPEN: 0, Phase.UPCOMING: 1, Phase.CLOSED: 2}
    shown = [
        (order[p], listing.consultation.id)
        for listing in store.listings()
        if (p := listing.consultation.phase(now)) in order
    ]
    return [f"id={cid}" for _, cid in sorted(shown, key=lambda x: x[0])[:MAX_CONSULTATIONS]]


def self_url(address: str | None, port: int, base_path: str = "") -> str:
    """This server as it can reach itself: its own address, or loopback when it listens on
    every interface."""
    host = address if address and address not in ("0.0.0.0", "::") else "127.0.0.1"
    host = f"[{host}]" if ":" in host else host
    base = "/" + base_path.strip("/") if base_path and base_path.strip("/") else ""
    return f"http://{host}:{port}{base}"


class Warmup:
    """The warm-up of this process and the ready address that reports it."""

    def __init__(self, url: str, pages: Callable[[], Sequence[str]], enabled: bool = True) -> None:
        """``url``: this server as it can reach itself (``http://127.0.0.1:8501/base``);
        ``pages``: asked after the start page has run, the query strings to open next."""
        self.url = url.rstrip("/")
        self.pages = pages
        self.ready = threading.Event()
        self.opened: list[str] = []  # what was run, for the log and the tests
        if not enabled:
            self.ready.set()

    def start(self) -> None:
        if not self.ready.is_set():
            threading.Thread(target=self._run, name="kartinnspill-warmup", daemon=True).start()

    def route(self, base_path: str = "") -> Route:
        async def ready(_request: Request) -> PlainTextResponse:
            if self.ready.is_set():
                return PlainTextResponse("ok")
            return PlainTextResponse("warming up", status_code=503, headers={"Retry-After": "2"})

        return Route(base_path.rstrip("/") + READY_PATH, ready)

    def _run(self) -> None:
        started = time.monotonic()
        try:
            self._wait_listening()
            self._open("")  # the start page: imports, the store opened (and the demo seeded)
            for query in self.pages():
                self._open(query)
            done = ", ".join(self.opened)
            print(
                f"kartinnspill-warmup done in {time.monotonic() - started:.1f} s: {done}", file=sys.stderr, flush=True
            )
        except Exception:  # noqa: BLE001 - a cold server is better than none: say so, serve
            _LOG.exception("warm-up failed after %.1f s; serving without it", time.monotonic() - started)
        finally:
            self.ready.set()

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            try:
                with _NO_PROXY.open(self.url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.url} did not answer /_stcore/health")
            time.sleep(0.1)

    def _open(self, query: str) -> None:
        """One page in a new session, as a browser's first visit: until its run finished."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from websockets.sync.client import connect

        back = BackMsg()
        back.rerun_script.query_string = query
        back.rerun_script.context_info.timezone = "Europe/Oslo"
        finished = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}
        ws_url = self.url.replace("http", "ws", 1) + "/_stcore/stream"
        with connect(
            ws_url,
            subprotocols=["streamlit"],
            max_size=None,
            proxy=None,
            open_timeout=PAGE_TIMEOUT_S,
            ping_interval=None,
        ) as ws:
            ws.send(back.SerializeToString())
            deadline = time.monotonic() + PAGE_TIMEOUT_S
            while True:
                msg = ForwardMsg()
                msg.ParseFromString(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
                if msg.WhichOneof("type") == "script_finished" and msg.script_finished in finished:
                    break
        self.opened.append(query or "/")
