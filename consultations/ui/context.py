"""Per-process resources (settings, store) and per-session facts (language, session id)."""

from __future__ import annotations

import logging
import os
import secrets

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from .. import addresses
from ..config import Settings, load_settings
from ..demo import seed_demo
from ..errors import KartinnspillError, StoreError
from ..i18n import DEFAULT_LANG, LANGUAGES, t
from ..ratelimit import LIMITER, NoLimit, RateLimiter
from ..store import Store

_LOG = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def _settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner=False)
def _store(path: str, demo: bool) -> Store:
    s = _settings()
    store = Store.open(path, secret=s.secret, secret_file=s.secret_file)
    if demo and store.is_empty():
        seed_demo(store)
    return store


def settings() -> Settings:
    try:
        return _settings()
    except KartinnspillError as exc:
        st.error(exc.message(lang()))
        st.stop()


def store() -> Store:
    """The process's one store; a message instead of the page when it can't open.

    Why it can't (the file's path, the PID of a process holding it) is for the server log
    and the CLI only: every visitor sees a neutral "try again shortly".
    """
    s = settings()
    try:
        return _store(str(s.db_path), s.demo)
    except StoreError as exc:
        _LOG.log(logging.ERROR, "The database cannot be opened: %s", exc.message("en"))
        st.error(t("store.unavailable", lang()))
        st.stop()
    except KartinnspillError as exc:
        st.error(exc.message(lang()))
        st.stop()


def lang() -> str:
    chosen = st.query_params.get("lang", DEFAULT_LANG)
    return chosen if chosen in LANGUAGES else DEFAULT_LANG


def session_id() -> str:
    """A random id for this browser session (supports, double-submit guard); never stored raw."""
    if "session_id" not in st.session_state:
        st.session_state["session_id"] = secrets.token_urlsafe(16)
    return st.session_state["session_id"]


def consultation_id() -> str:
    """The consultation asked for with ``?id=…``, or ``""`` for the start page.

    Written back so the address bar always shows the link to what is on screen (a page
    link to the same page does not update it by itself), ready to be shared.
    """
    chosen = st.query_params.get("id", "").strip()
    others = {k: v for k, v in st.query_params.to_dict().items() if k != "id"}
    st.query_params.from_dict({**others, "id": chosen} if chosen else others)
    return chosen


def client_address() -> str | None:
    """The browser's network address, for rate limits only (the core keeps a keyed hash):
    the socket peer, or what a trusted proxy says (``addresses.client_address`` decides).
    ``None`` only without a connection (AppTest, bare mode)."""
    # Not st.context.ip_address: it is None for a loopback peer (a proxy on the same host
    # would switch every address limit off). The session client's remote_ip is the peer
    # as uvicorn left it; socket_peer undoes uvicorn's own X-Forwarded-For rewriting.
    ctx = get_script_run_ctx()
    client = runtime.get_instance().get_client(ctx.session_id) if ctx and runtime.exists() else None
    client_context = getattr(client, "client_context", None)
    if client_context is None:
        return None
    chain = addresses.forwarded_chain(
        value for name, value in client_context.headers if name.lower() == "x-forwarded-for"
    )
    peer = addresses.socket_peer(
        client_context.remote_ip,
        chain,
        addresses.server_trust(os.environ.get("FORWARDED_ALLOW_IPS")),
    )
    return addresses.client_address(peer, chain, settings().trusted_proxies)


def limiter() -> RateLimiter:
    """The process's rate limiter, or none when the settings turn limits off."""
    return LIMITER if settings().rate_limits else _NO_LIMIT


_NO_LIMIT = NoLimit()
