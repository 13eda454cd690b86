"""KARTINNSPILL_BACKGROUND_GC (issue 12): the import-time heap frozen once at start-up, so
that Python's full collections no longer walk it; ``off`` leaves the collector as it comes.

Freezing changes the whole process, so the tests that freeze run in a fresh interpreter.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

from consultations import background_gc
from consultations.background_gc import Policy, parse
from consultations.config import load_settings
from consultations.errors import ConfigError
from consultations.i18n import t
from tests.live_server import NO_PROXY_OPENER, REPO_ROOT, launch


@pytest.mark.parametrize(
    ("value", "policy"),
    [
        ("freeze", Policy.FREEZE),
        (" Freeze ", Policy.FREEZE),
        ("", Policy.FREEZE),
        ("off", Policy.OFF),
        ("OFF", Policy.OFF),
    ],
)
def test_setting_names_a_policy(value: str, policy: Policy) -> None:
    assert parse(value) is policy


@pytest.mark.parametrize("value", ["on", "60", "true", "freeze,off"])
def test_unknown_setting_is_refused_with_the_variable_and_the_choices(
    value: str,
) -> None:
    with pytest.raises(ConfigError) as refused:
        parse(value)
    assert refused.value.key == "config.background_gc_invalid"
    message = t(refused.value.key, "nb", **refused.value.params)
    assert "KARTINNSPILL_BACKGROUND_GC" in message and f"«{value}»" in message
    assert "freeze" in message and "off" in message


def test_settings_freeze_by_default_and_read_the_variable(tmp_path: Path) -> None:
    secrets = tmp_path / "none.toml"
    assert load_settings({}, secrets).background_gc is Policy.FREEZE
    assert load_settings({"KARTINNSPILL_BACKGROUND_GC": "off"}, secrets).background_gc is Policy.OFF
    with pytest.raises(ConfigError):
        load_settings({"KARTINNSPILL_BACKGROUND_GC": "sometimes"}, secrets)


def test_off_freezes_nothing() -> None:
    before = gc.get_freeze_count()
    assert background_gc.start(Policy.OFF) == 0
    assert gc.get_freeze_count() == before


def _fresh_interpreter(code: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "KARTINNSPILL_TILES": "none"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_freeze_moves_the_heap_out_of_collections_once_per_process() -> None:
    found = _fresh_interpreter(
        "import gc, json, sys\n"
        "import folium, streamlit  # the libraries a first script run has imported\n"
        "from consultations import background_gc as b\n"
        "first = b.start(b.Policy.FREEZE)\n"
        "frozen = gc.get_freeze_count()\n"
        "made_since = [[i] for i in range(1000)]\n"
        "again = b.start(b.Policy.FREEZE)\n"
        "print(json.dumps({'first': first, 'frozen': frozen, 'again': again,\n"
        "  'after': gc.get_freeze_count(), 'tracked': len(gc.get_objects())}))\n"
    )
    assert found["first"] >= found["frozen"] > 50_000  # frozen objects may still die
    # the second call froze nothing more: the 1,000 lists made in between are not frozen
    assert found["again"] == found["first"] and found["after"] <= found["frozen"]
    # what a full collection still walks is a small part of what was frozen
    assert found["tracked"] < found["frozen"] / 4


def test_freeze_keeps_collecting_new_garbage() -> None:
    found = _fresh_interpreter(
        "import gc, json, weakref\n"
        "from consultations import background_gc as b\n"
        "b.start(b.Policy.FREEZE)\n"
        "class Node: pass\n"
        "a, c = Node(), Node()\n"
        "a.other, c.other = c, a\n"
        "alive = weakref.ref(a)\n"
        "del a, c\n"
        "gc.collect()\n"
        "print(json.dumps({'collected': alive() is None}))\n"
    )
    assert found["collected"]


def _page_labels(port: int, query: str) -> tuple[list[str], list[str]]:
    """One browser tab's first run of ``query``: the element labels and the exceptions."""
    labels, exceptions = [], []
    with connect(
        f"ws://127.0.0.1:{port}/_stcore/stream",
        subprotocols=["streamlit"],
        open_timeout=30,
    ) as ws:
        back = BackMsg()
        back.rerun_script.query_string = query
        ws.send(back.SerializeToString())
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(ws.recv(timeout=120))
            if msg.WhichOneof("type") == "script_finished":
                return labels, exceptions
            if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                inner = getattr(element, element.WhichOneof("type"))
                if element.WhichOneof("type") == "exception":
                    exceptions.append(inner.message)
                labels.append(getattr(inner, "label", ""))


def test_server_with_the_heap_frozen_serves_the_consultation_page_and_its_map(
    tmp_path: Path,
) -> None:
    server = launch(
        tmp_path / "app.duckdb",
        tmp_path / "streamlit.log",
        env={"KARTINNSPILL_BACKGROUND_GC": "freeze"},
    )
    try:
        server.wait_healthy()
        for _ in range(2):  # the first run freezes at its end; the second runs after it
            labels, exceptions = _page_labels(server.port, "id=borgen-tettstedsutvikling")
            assert not exceptions
            assert t("form.submit", "nb") in labels
        # the map's component registered itself in the first run, as without the freeze
        component = f"{server.url}/component/streamlit_folium.st_folium/index.html"
        with NO_PROXY_OPENER.open(component, timeout=30) as response:
            assert response.status == 200
    finally:
        server.stop()
    assert "Traceback" not in server.log()
