"""A page's images come from the app, the tile server and the WMS servers of the published
consultation it shows, nothing else (security finding N5). Before, a WMS layer on any
consultation, drafts included, widened ``img-src`` of every response, staff pages too."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
import pytest

from consultations.planning import context_layers
from consultations.config import load_settings
from consultations.http_policy import ResponsePolicy, shown_consultation
from consultations.model import Status
from tests.conftest import make_consultation, staff
from tests.helpers_http import streamlit_shell

HOST = "kart.asker.no"


@pytest.fixture
def two(store):
    """A published consultation and a draft, each with a WMS layer on its own server."""
    kari = staff(store)
    published, draft = make_consultation("apen"), make_consultation("utkast", status=Status.DRAFT)
    for c, server in ((published, "https://wms.geonorge.no/wms"), (draft, "https://attacker.example.no:8443/wms")):
        store.add_consultation(c)
        context_layers.add_wms_layer(store, c.id, kari, name="Plan", url=server, layers="plan", legend="Plan.")
    return published, draft


def test_only_a_published_consultation_s_own_wms_hosts_are_its_map_origins(store, two):
    published, draft = two
    assert context_layers.map_origins(store, published.id) == ("https://wms.geonorge.no",)
    assert context_layers.map_origins(store, draft.id) == ()
    assert context_layers.map_origins(store, None) == ()
    closed = make_consultation("lukket", status=Status.CLOSED)
    store.add_consultation(closed)
    context_layers.add_wms_layer(
        store,
        closed.id,
        staff(store),
        name="Plan",
        url="https://kart.asker.kommune.no/wms",
        layers="plan",
        legend="Plan.",
    )
    assert context_layers.map_origins(store, closed.id) == ("https://kart.asker.kommune.no",)


@pytest.mark.parametrize(
    ("path", "query", "referer", "shown"),
    [
        ("/", b"id=apen", None, "apen"),
        ("/home", b"id=apen&lang=nn", None, "apen"),
        ("/", b"", None, None),
        ("/rediger", b"id=apen", None, None),  # a staff page
        ("/personvern", b"id=apen", None, None),
        ("/component/streamlit_folium.st_folium/index.html", b"streamlitUrl=x", f"http://{HOST}/?id=apen", "apen"),
        ("/component/streamlit_folium.st_folium/index.html", b"", f"http://{HOST}/innspill?id=apen", None),
        ("/component/streamlit_folium.st_folium/index.html", b"", "https://evil.example/?id=apen", None),
        ("/component/streamlit_folium.st_folium/index.html", b"", None, None),
    ],
)
def test_the_consultation_a_response_shows(path, query, referer, shown):
    assert shown_consultation(path, query, referer, HOST) == shown


def _img_src(policy: ResponsePolicy, path: str, query: bytes = b"", referer: str | None = None) -> list[str]:
    headers = [(b"host", HOST.encode())] + ([(b"referer", referer.encode())] if referer else [])
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query,
        "scheme": "http",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
    }
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, policy(scope, receive, send)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    csp = next(v.decode() for k, v in start["headers"] if k == b"content-security-policy")
    return next(d for d in csp.split("; ") if d.startswith("img-src ")).split()[1:]


def test_each_page_allows_images_only_from_its_own_consultation_s_servers(store, two, monkeypatch, tmp_path):
    monkeypatch.setenv("KARTINNSPILL_TILES", "kartverket-topo")
    settings = load_settings({"KARTINNSPILL_SECRET": "s" * 40, "KARTINNSPILL_DB": str(tmp_path / "x.duckdb")})
    policy = ResponsePolicy(
        streamlit_shell, settings=settings, map_origins=lambda cid: context_layers.map_origins(store, cid)
    )
    own = ["'self'", "data:", "blob:", "https://cache.kartverket.no"]
    assert _img_src(policy, "/", b"id=apen") == [*own, "https://wms.geonorge.no"]
    frame = "/component/streamlit_folium.st_folium/index.html"
    assert _img_src(policy, frame, b"", f"http://{HOST}/?id=apen") == [*own, "https://wms.geonorge.no"]
    assert _img_src(policy, "/", b"id=utkast") == own  # a draft's layer widens nothing
    assert _img_src(policy, "/", b"") == own  # the start page
    assert _img_src(policy, "/rediger", b"id=apen") == own  # staff pages
    assert _img_src(policy, frame, b"", f"http://{HOST}/rediger?id=apen") == own


def test_a_stored_host_the_rules_now_refuse_is_left_out_of_every_policy(store):
    """A layer added before the rules tightened (http to loopback) is not written in."""
    c = make_consultation("gammel")
    store.add_consultation(c)
    context_layers.add_wms_layer(
        store,
        c.id,
        staff(store),
        name="Plan",
        url="http://127.0.0.1:8765/wms",
        layers="plan",
        legend="Plan.",
        loopback=True,
    )
    assert context_layers.map_origins(store, c.id) == ()
    assert context_layers.map_origins(store, c.id, loopback=True) == ("http://127.0.0.1:8765",)
