"""Streamlit's own wire protocol, spoken the way its browser frontend speaks it, for the
benchmarks in this directory: a real server (`streamlit run serve.py` with the shipped
config), real websocket sessions on `/_stcore/stream`, BackMsg rerun requests with widget
states, ForwardMsg deltas back until `script_finished`.

Nothing here is imported by the app or the tests.
"""

from __future__ import annotations

import collections
import json
import os
import random
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_server import launch  # noqa: E402

BORGEN = "borgen-tettstedsutvikling"
FINISHED = {  # ForwardMsg.script_finished values that end a run
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
}


def seeded_database(path: Path, published: int, seed: int = 1) -> Path:
    """The demo data, with Borgen's published inputs filled up to ``published``."""
    from bench.map_bench import fill
    from consultations.demo import seed_demo
    from consultations.store import Store

    store = Store.open(path)
    try:
        seed_demo(store)
        missing = published - store.count_published(BORGEN)
        if missing > 0:
            fill(store, missing, random.Random(seed))
    finally:
        store.close()
    return path


@contextmanager
def server(db: Path, log: Path, env: dict[str, str] | None = None, cwd: Path = ROOT):
    """`streamlit run serve.py` as `make run` starts it (serve.py, the repository's
    .streamlit/config.toml), on a free loopback port, rate limits off for the load."""
    app = launch(db, log, env={"KARTINNSPILL_RATE_LIMITS": "off", **(env or {})}, cwd=cwd)
    try:
        app.wait_healthy(timeout=120)
        yield app
    finally:
        app.stop()


@dataclass
class Widget:
    kind: str  # the element's proto field: button, text_area, selectbox, component_instance …
    id: str
    label: str
    element: object = field(repr=False)
    fragment_id: str = ""  # the fragment it was drawn in: the browser reruns only that one


@dataclass
class Run:
    seconds: float  # from sending the rerun request to receiving script_finished
    widgets: list[Widget]
    alerts: list[str]  # st.success / st.error / st.warning / st.info bodies
    exceptions: list[str]
    fragment_ids: list[str]  # fragments this run registered (map, list)
    bytes: int
    html: list[str] = field(default_factory=list)  # st.html bodies (the list's blocks)
    outside: int = 0  # elements drawn outside any fragment (a run of the whole page)
    links: list[str] = field(default_factory=list)  # st.page_link targets
    # what the run sent, by kind: "element:<type>", "block:<type>", or the message's own type
    # (page_config_changed, new_session …); the ones a cached reference stood for included
    census: collections.Counter = field(default_factory=collections.Counter)

    @property
    def messages(self) -> int:
        return sum(self.census.values())

    def widget(self, kind: str, label: str | None = None, contains: str | None = None) -> Widget:
        for w in self.widgets:
            named = contains is None or contains in w.id or contains in getattr(w.element, "component_name", "")
            if w.kind == kind and (label is None or w.label == label) and named:
                return w
        raise LookupError(f"no {kind} {label or contains or ''!r} on the page")


# HAProxy's cookie naming the replica a browser is kept on (deploy/haproxy.cfg.template)
AFFINITY = "kartinnspill-replica"


class Browser:
    """One resident's browser in front of a server or a balancer: its cookies (the app's,
    the balancer's affinity cookie) go with every page load and websocket, as Chromium
    sends them, so a balancer keeps the resident on one replica."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.jar = CookieJar()
        self._http = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.jar)
        )

    def load(self, query: str, timeout: float = 60) -> None:
        """The page itself (Streamlit's index.html), as the browser fetches it first."""
        with self._http.open(f"{self.url}/?{query}", timeout=timeout) as r:
            r.read()

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def session(self, open_timeout: float = 60) -> Session:
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.jar)
        return Session(self.url, open_timeout=open_timeout, cookie=cookies or None)


class Session:
    """One browser tab: a websocket session. Like Streamlit's frontend it keeps the large
    messages it was sent and tells the server which it has (``cached_message_hashes``), so
    an unchanged map is not sent again on a rerun, only a reference to it."""

    def __init__(self, url: str, open_timeout: float = 60, cookie: str | None = None) -> None:
        self.ws = connect(
            url.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream",
            subprotocols=["streamlit"],
            max_size=None,
            open_timeout=open_timeout,
            proxy=None,
            additional_headers={"Cookie": cookie} if cookie else None,
            # a browser sends no pings of its own (it only answers the server's): with the
            # client's 20 s keepalive a busy server's late pong ended sessions a browser keeps
            ping_interval=None,
        )
        self.cache: dict[str, ForwardMsg] = {}

    def close(self) -> None:
        self.ws.close()

    def run(
        self,
        query: str,
        states: list | None = None,
        fragment_id: str = "",
        timeout: float = 120,
    ) -> Run:
        back = BackMsg()
        back.rerun_script.query_string = query
        back.rerun_script.fragment_id = fragment_id
        back.rerun_script.context_info.timezone = "Europe/Oslo"
        back.rerun_script.cached_message_hashes.extend(self.cache)
        for state in states or []:
            back.rerun_script.widget_states.widgets.append(state)
        widgets, alerts, exceptions, fragments, size, html, outside, links = [], [], [], [], 0, [], 0, []
        census: collections.Counter = collections.Counter()
        start = time.perf_counter()
        self.ws.send(back.SerializeToString())
        while True:
            raw = self.ws.recv(timeout=timeout)
            size += len(raw)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "ref_hash":
                msg = self.cache[msg.ref_hash]
                kind = msg.WhichOneof("type")
            elif msg.metadata.cacheable:
                self.cache[msg.hash] = msg
            census[_kind_of(msg, kind)] += 1
            if kind == "script_finished" and msg.script_finished in FINISHED:
                return Run(
                    time.perf_counter() - start,
                    widgets,
                    alerts,
                    exceptions,
                    fragments,
                    size,
                    html,
                    outside,
                    links,
                    census,
                )
            if kind != "delta" or msg.delta.WhichOneof("type") != "new_element":
                continue
            element = msg.delta.new_element
            field_name = element.WhichOneof("type")
            inner = getattr(element, field_name)
            outside += not msg.delta.fragment_id
            if field_name == "alert":
                alerts.append(inner.body)
            elif field_name == "html":
                html.append(inner.body)
            elif field_name == "page_link":
                links.append(inner.page)
            elif field_name == "exception":
                exceptions.append(f"{inner.type}: {inner.message}")
            elif hasattr(inner, "id") and inner.id:
                widgets.append(Widget(field_name, inner.id, getattr(inner, "label", ""), inner, msg.delta.fragment_id))
            if msg.delta.fragment_id and msg.delta.fragment_id not in fragments:
                fragments.append(msg.delta.fragment_id)


def _kind_of(msg: ForwardMsg, kind: str) -> str:
    """A message's kind for ``Run.census``: a delta by what it adds."""
    if kind != "delta":
        return kind
    delta = msg.delta.WhichOneof("type")
    if delta == "new_element":
        return "element:" + msg.delta.new_element.WhichOneof("type")
    if delta == "add_block":
        return "block:" + (msg.delta.add_block.WhichOneof("type") or "vertical")
    return f"delta:{delta}"


def state(widget_id: str, **value) -> object:
    """A WidgetState as the frontend sends it: ``string_value=…``, ``bool_value=…``,
    ``trigger_value=True``, ``json_value=dict`` (a component's value) …"""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    s = WidgetState(id=widget_id)
    ((name, v),) = value.items()
    if name == "json_value":
        v = json.dumps(v)
    setattr(s, name, v)
    return s


def cpu_seconds(pid: int, with_children: bool = False) -> float:
    """User + system CPU time of a process so far (Linux /proc); ``with_children`` adds its
    live children and those it has waited for (PostgreSQL's backends)."""

    def own(stat: list[str], waited: bool) -> int:
        return int(stat[11]) + int(stat[12]) + (int(stat[13]) + int(stat[14]) if waited else 0)

    def stat_of(p: Path) -> list[str]:
        return p.read_text().rsplit(")", 1)[1].split()

    ticks = own(stat_of(Path(f"/proc/{pid}/stat")), with_children)
    if with_children:
        for child in Path("/proc").glob("[0-9]*/stat"):
            try:
                stat = stat_of(child)
            except OSError:
                continue  # gone meanwhile
            if int(stat[1]) == pid:
                ticks += own(stat, False)
    return ticks / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
