"""`client_address()` in a real `streamlit run` (uvicorn), reached over loopback: the
address limits count against must exist for a loopback peer (st.context.ip_address is None
there). Forwarded-header decisions are tested on the pure function in test_addresses.py:
Chromium does not send Playwright's extra headers on the WebSocket handshake."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REPO_ROOT

pytestmark = pytest.mark.browser

PROBE = """\
import streamlit as st
from consultations.ui import context
st.write(f"address=[{context.client_address()}]")
"""


def _probe_dir(tmp_path: Path) -> Path:
    probe = tmp_path / "probe"
    probe.mkdir()  # the launcher runs serve.py in the app directory
    (probe / "serve.py").write_text(PROBE, encoding="utf-8")
    return probe


def test_a_loopback_peer_gets_its_address_so_address_limits_stay_on(start_app, browser_page, tmp_path):
    env = {"PYTHONPATH": str(REPO_ROOT), "KARTINNSPILL_TRUSTED_PROXIES": ""}
    server = start_app(env=env, app_dir=_probe_dir(tmp_path))
    browser_page.goto(server.url)
    expect(browser_page.get_by_text("address=[127.0.0.1]")).to_be_visible()
