"""The server as shipped (issue 9): upload and message limits, the settings that keep a
crowd from taking it down, the HTTP policy (CSP, framing, no public metrics), and what a
visitor sees while the database is busy.

Tests marked "live" start a real `streamlit run serve.py` (tests/live_server.py) and speak
plain HTTP and websocket to it, like a browser would.
"""

from __future__ import annotations

import http.client
import json
import logging
import subprocess
import sys
import tomllib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.web.server.starlette.starlette_app_utils import (
    generate_xsrf_token_string,
)
from websockets.sync.client import connect

from consultations.config import load_settings, parse_frame_ancestors
from consultations.errors import ConfigError
from consultations.http_policy import content_security_policy
from consultations.i18n import t
from consultations.store import Store
from tests.conftest import app_on_copy_of, hold_database, log_in
from tests.live_server import REPO_ROOT, AppServer
from tests.live_server import live  # noqa: F401  (a fixture: the module's one shipped server)

CONFIG = REPO_ROOT / ".streamlit" / "config.toml"
MB = 1024 * 1024
APP_LIMIT_MB = 20  # geo.MAX_UPLOAD_BYTES, documents.MAX_BYTES


# --------------------------------------------------------------------------- helpers


@contextmanager
def browser_session(server: AppServer) -> Iterator[str]:
    """A websocket session like a browser's, kept open once the start page has run; yields
    its session id."""
    with connect(f"ws://127.0.0.1:{server.port}/_stcore/stream", subprotocols=["streamlit"], open_timeout=30) as ws:
        ws.send(BackMsg(rerun_script={"query_string": ""}).SerializeToString())
        session_id = None
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(ws.recv(timeout=60))
            if msg.WhichOneof("type") == "new_session":
                session_id = msg.new_session.initialize.session_id
            elif msg.WhichOneof("type") == "script_finished":
                yield session_id
                return


def put_upload(server: AppServer, session_id: str, size: int, chunked: bool = False) -> int:
    """PUT a file of ``size`` bytes to Streamlit's upload endpoint (with a valid XSRF pair,
    as the browser sends it); the HTTP status."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="plan.geojson"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    xsrf = generate_xsrf_token_string()
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "X-Xsrftoken": xsrf,
        "Cookie": f"_streamlit_xsrf={xsrf}",
    }
    if not chunked:
        headers["Content-Length"] = str(len(head) + size + len(tail))
    else:
        headers["Transfer-Encoding"] = "chunked"
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    conn.putrequest("PUT", f"/_stcore/upload_file/{session_id}/{uuid.uuid4()}")
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.endheaders()

    def body() -> Iterator[bytes]:
        yield head
        piece = b"x" * MB
        for _ in range(size // MB):
            yield piece
        yield b"x" * (size % MB)
        yield tail

    try:
        for part in body():
            conn.send(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
        if chunked:
            conn.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed before the whole body was sent
    try:
        return conn.getresponse().status
    finally:
        conn.close()


def get(server: AppServer, path: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


# --------------------------------------------------------------------------- 3: uploads


def test_shipped_upload_limit_is_the_apps_own_20_mb_and_messages_are_bounded():
    server = tomllib.loads(CONFIG.read_text())["server"]
    assert server["maxUploadSize"] == APP_LIMIT_MB
    assert 13 <= server["maxMessageSize"] <= 32  # the measured 12.7 MB table, with margin


@pytest.mark.parametrize("chunked", [False, True], ids=["declared-length", "chunked"])
def test_upload_larger_than_20_mb_is_refused_by_the_running_server(live, chunked):
    with browser_session(live) as session_id:
        assert put_upload(live, session_id, (APP_LIMIT_MB + 5) * MB, chunked=chunked) == 413


def test_small_upload_to_a_live_session_is_still_accepted(live):
    with browser_session(live) as session_id:
        assert put_upload(live, session_id, 10_000) == 204


def test_builder_upload_widgets_announce_the_same_20_mb_limit(app):
    at = log_in(app, "pages/rediger.py")
    at.query_params["id"] = "borgen-tettstedsutvikling"  # an existing one: documents too
    at.run()
    limits = [e.proto.max_upload_size_mb for e in at.get("file_uploader")]
    # the plan area, the four named plan-document slots, other documents and a map layer's file
    assert len(limits) == 7 and set(limits) == {APP_LIMIT_MB}


# --------------------------------------------------------------------------- 6: a crowd


def test_shipped_config_turns_off_post_script_gc_the_file_watcher_and_run_on_save():
    config = tomllib.loads(CONFIG.read_text())
    assert config["runner"]["postScriptGC"] is False
    assert config["server"]["fileWatcherType"] == "none"
    assert config["server"]["runOnSave"] is False


def test_streamlit_started_in_the_repository_loads_those_settings():
    """What `streamlit run` reads: its config module, in the repository, no flags."""
    script = (
        "import json; from streamlit import config; config.get_config_options(force_reparse=True);"
        "print(json.dumps({k: config.get_option(k) for k in ("
        "'runner.postScriptGC', 'server.fileWatcherType', 'server.runOnSave',"
        "'server.maxUploadSize', 'server.maxMessageSize')}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    loaded = json.loads(out.strip().splitlines()[-1])
    assert loaded["runner.postScriptGC"] is False
    assert loaded["server.fileWatcherType"] == "none"
    assert loaded["server.runOnSave"] is False
    assert loaded["server.maxUploadSize"] == APP_LIMIT_MB
    assert loaded["server.maxMessageSize"] <= 32


# --------------------------------------------------------------------------- L1: HTTP policy


def test_start_page_has_a_policy_without_remote_scripts_framed_only_by_the_listed_origin(live):
    response = get(live, "/")
    policy = response.getheader("Content-Security-Policy")
    assert policy is not None
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"].split() == ["'self'", "'unsafe-inline'", "'wasm-unsafe-eval'"]
    assert directives["frame-ancestors"] == "https://www.asker.kommune.no"
    assert directives["frame-src"] == "'self'"
    assert response.getheader("X-Frame-Options") is None  # it cannot name an origin


@pytest.mark.parametrize("path", ["/rediger", "/logg-inn", "/brukere", "/ukjent-side"])
def test_staff_and_unknown_pages_can_never_be_framed(live, path):
    response = get(live, path)
    policy = response.getheader("Content-Security-Policy")
    assert "frame-ancestors 'none'" in policy
    assert "https://www.asker.kommune.no" not in policy
    assert response.getheader("X-Frame-Options") == "DENY"


def test_map_component_document_may_only_be_framed_by_the_app_itself(live):
    with browser_session(live):  # the map component is registered when a page first runs
        response = get(live, "/component/streamlit_folium.st_folium/index.html")
    assert response.status == 200
    policy = response.getheader("Content-Security-Policy")
    assert "frame-ancestors 'self'" in policy
    assert "'unsafe-eval'" in policy  # streamlit-folium evals the map script


@pytest.mark.parametrize("path", ["/_stcore/metrics", "/_stcore/metrics/", "//_stcore/metrics"])
def test_streamlit_metrics_are_not_reachable_for_the_public(live, path):
    assert get(live, path).status == 404


def test_health_check_stays_reachable_for_the_balancer(live):
    assert get(live, "/_stcore/health").status == 200


def test_images_may_come_from_the_configured_tile_host_only(tmp_path):
    settings = load_settings({"KARTINNSPILL_TILES": "kartverket-topo"}, secrets_path=tmp_path / "none.toml")
    policy = content_security_policy(settings, "/", "kart.asker.no")
    img = next(d for d in policy.split("; ") if d.startswith("img-src"))
    assert img == "img-src 'self' data: blob: https://cache.kartverket.no"
    assert "connect-src 'self' ws://kart.asker.no wss://kart.asker.no" in policy


def test_a_forged_host_header_does_not_reach_the_policy(tmp_path):
    settings = load_settings({"KARTINNSPILL_TILES": "none"}, secrets_path=tmp_path / "none.toml")
    policy = content_security_policy(settings, "/", "evil; script-src *")
    assert "evil" not in policy and policy.count("script-src") == 1


@pytest.mark.parametrize("value", ["*", "https://*.example.no", "https://x.no; script-src *", "javascript:1", "'self'"])
def test_frame_ancestors_setting_accepts_only_plain_origins(value):
    with pytest.raises(ConfigError) as info:
        parse_frame_ancestors(value)
    assert info.value.key == "config.frame_ancestors_invalid"


def test_frame_ancestors_default_to_none():
    assert parse_frame_ancestors("") == () == parse_frame_ancestors("none")
    assert parse_frame_ancestors("https://a.no, http://b.no:8080") == ("https://a.no", "http://b.no:8080")


# --------------------------------------------------------------------------- L2: busy store


def test_visitor_sees_no_path_or_pid_while_another_process_holds_the_database(tmp_path, monkeypatch, caplog):
    seeded = tmp_path / "seed.duckdb"
    Store.open(seeded).close()
    at = app_on_copy_of(seeded, tmp_path, monkeypatch)
    holder = hold_database(at.db_path)
    try:
        with caplog.at_level(logging.ERROR):
            at.run()
    finally:
        holder.communicate("")
    shown = " ".join(e.value for e in at.error) + " ".join(m.value for m in at.markdown)
    assert [e.value for e in at.error] == [t("store.unavailable")]
    assert str(holder.pid) not in shown and "PID" not in shown
    assert str(at.db_path) not in shown and at.db_path.name not in shown
    assert str(holder.pid) in caplog.text  # the detail is in the server log
