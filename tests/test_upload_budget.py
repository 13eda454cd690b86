"""Uploads count against a byte budget per browser session and per network address, and
the memory comes back when Streamlit lets the files go (security finding N3: one anonymous
session parked 10 × 19 MB, RSS 468 → 661 MB, still 661 MB after the tab closed)."""

from __future__ import annotations

import asyncio
import gc
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from consultations.config import load_settings
from consultations.ui.upload_budget import UploadBudget

MB = 1024 * 1024


class Streamlit:
    """Streamlit's upload route behind the middleware: stores the body it is sent."""

    def __init__(self) -> None:
        self.manager = MemoryUploadedFileManager("/_stcore/upload_file")

    async def __call__(self, scope, receive, send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        session, file_id = scope["path"].rstrip("/").split("/")[-2:]
        self.manager.add_file(session, UploadedFileRec(file_id, "bilde.jpg", "image/jpeg", body))
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("KARTINNSPILL_TILES", "none")
    streamlit = Streamlit()
    budget = UploadBudget(
        streamlit,
        load_settings(),
        held=lambda: streamlit.manager.file_storage,
        session_bytes=50 * MB,
        address_bytes=120 * MB,
    )
    return streamlit, budget


def put(budget: UploadBudget, session: str, file_id: str, size_mb: int, peer: str = "192.0.2.7") -> int:
    data = b"\0" * (size_mb * MB)
    scope = {
        "type": "http",
        "method": "PUT",
        "path": f"/_stcore/upload_file/{session}/{file_id}",
        "headers": [(b"content-length", str(len(data)).encode())],
        "client": (peer, 50000),
    }
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": data, "more_body": False}

    async def send(message):
        sent.append(message)

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, budget(scope, receive, send)).result()
    return next(m for m in sent if m["type"] == "http.response.start")["status"]


def test_a_session_may_not_park_more_than_its_budget(server):
    streamlit, budget = server
    assert [put(budget, "s1", f"f{n}", 19) for n in range(4)] == [204, 204, 413, 413]
    assert streamlit.manager._total_bytes == 38 * MB  # the refused ones were never read
    assert put(budget, "s1", "f1", 19) == 204  # sending a file again replaces it


def test_sessions_at_one_address_share_its_budget_and_another_address_has_its_own(server):
    _, budget = server
    assert [put(budget, f"tab{n}", "f", 40) for n in range(4)] == [204, 204, 204, 413]
    assert put(budget, "tab9", "f", 40, peer="2001:db8:1:2::9") == 204
    assert put(budget, "tab10", "f", 40, peer="2001:db8:1:2::10") == 204  # the same /64
    assert put(budget, "tab11", "f", 40, peer="2001:db8:1:2::11") == 204
    assert put(budget, "tab12", "f", 40, peer="2001:db8:1:2::12") == 413


def test_the_budget_comes_back_when_streamlit_lets_the_files_go(server):
    streamlit, budget = server
    assert put(budget, "s1", "a", 30) == 204 and put(budget, "s1", "b", 30) == 413
    streamlit.manager.remove_file("s1", "a")  # removed or replaced in its widget
    assert put(budget, "s1", "b", 30) == 204
    streamlit.manager.remove_session_files("s1")  # the form was sent, or the session ended
    assert put(budget, "s1", "c", 45) == 204


def _rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


def test_the_memory_of_a_session_s_uploads_is_released_when_they_are_dropped(monkeypatch):
    """The attack's 10 × 19 MB: held, then dropped as when the session ends (or the form is
    sent: ``drop_session_uploads``); the process's resident memory goes back down."""
    monkeypatch.setenv("KARTINNSPILL_TILES", "none")
    streamlit = Streamlit()
    budget = UploadBudget(
        streamlit,
        load_settings(),
        held=lambda: streamlit.manager.file_storage,
        session_bytes=400 * MB,
        address_bytes=400 * MB,
    )
    gc.collect()
    before = _rss_mb()
    assert all(put(budget, "s1", f"f{n}", 19) == 204 for n in range(10))
    held = _rss_mb()
    assert held - before > 150  # the files are in memory
    streamlit.manager.remove_session_files("s1")
    gc.collect()
    assert _rss_mb() - before < 40, (before, held, _rss_mb())
