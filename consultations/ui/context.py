"""Per-process resources (settings, store) and per-session facts (language, session id)."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.session_manager import ClientContext

from .. import addresses, keys, mail_sender
from ..browser import COOKIE, BrowserCookie, binding
from ..config import Settings, load_settings, mail_settings
from ..demo import seed_demo
from ..errors import KartinnspillError, StoreError, StoreUnavailable
from ..i18n import DEFAULT_LANG, LANGUAGES, t
from ..ratelimit import NoLimit, RateLimiter, limiter_for
from ..store import Store
from ..web import open_once

_LOG = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def _settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner=False)
def _store(path: str, demo: bool) -> Store:
    s = _settings()
    # the one the HTTP addresses (web.py) may have opened first: one store per process
    store = (
        open_once(s, keep=False)
        if path == str(s.db_path)
        else Store.open(path, secret=s.secret, secret_file=s.secret_file)
    )
    if demo and store.is_empty():
        seed_demo(store)
    _start_mail(store)
    return store


def _start_mail(store: Store) -> None:
    """The mail sender, once per process with the store (mail_sender.py); with no
    KARTINNSPILL_SMTP_URL mail stays queued. A bad setting is logged and shown on the Drift
    page, never in the residents' way."""
    try:
        mail_sender.start_background(store, mail_settings())
    except KartinnspillError as exc:
        _LOG.log(logging.ERROR, "Mail is not sent: %s", exc.message("en"))


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


@contextmanager
def outage_message() -> Iterator[None]:
    """A page run that ends in the calm «try again shortly» when the database stops
    answering during it (PostgreSQL stopped, restarting, out of reach): the reason goes to
    the server's log, no traceback to the visitor. The next run simply tries again: the
    store's connection pool reconnects by itself once the database is back."""
    try:
        yield
    except StoreUnavailable as exc:
        log_outage(exc)
        st.error(t("store.unavailable", lang()))
        st.stop()


def log_outage(exc: StoreUnavailable) -> None:
    """The server's log line for a database that stopped answering (the visitor is only
    told to try again shortly)."""
    _LOG.log(logging.ERROR, "The database does not answer: %s", exc.detail())


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
    the socket peer, or what a trusted proxy says (``addresses.client_address`` decides);
    an IPv6 address as its /64 (``addresses.rate_key``, the profile's ``ipv6_prefix``).
    ``None`` only without a connection (AppTest, bare mode)."""
    # Not st.context.ip_address: it is None for a loopback peer (a proxy on the same host
    # would switch every address limit off). The session client's remote_ip is the peer
    # as uvicorn left it; socket_peer undoes uvicorn's own X-Forwarded-For rewriting.
    client_context = _client_context()
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
    found = addresses.client_address(peer, chain, settings().trusted_proxies)
    return addresses.rate_key(found, settings().profile.limits.ipv6_prefix)


def _client_context() -> ClientContext | None:
    """The websocket connection this run serves, as its handshake was: what ``st.context``
    reads too. A resumed session has its new connection's here (Streamlit 1.67 puts the
    new client into the session's ActiveSessionInfo on reconnect). None without a
    connection (AppTest, bare mode, or the browser went away during the run)."""
    ctx = get_script_run_ctx()
    client = runtime.get_instance().get_client(ctx.session_id) if ctx and runtime.exists() else None
    return getattr(client, "client_context", None)


# Not a cookie value (those have no space), so a login made without a connection is bound
# to no browser that could ever connect.
NO_CONNECTION = "no connection"


@st.cache_resource(show_spinner=False)
def _browser_cookie() -> BrowserCookie:
    s = _settings()
    return BrowserCookie(keys.load_secret(s.secret, s.secret_file))


def browser() -> str | None:
    """The signed browser cookie (``browser.py``) of the connection this run serves, if
    this app made it; None when the connection sent none or a forged one. Without a
    connection ``NO_CONNECTION``: no websocket, so no session anyone could resume."""
    cookies = getattr(_client_context(), "cookies", None)
    if not isinstance(cookies, Mapping):  # AppTest's runtime is a MagicMock: no connection
        return NO_CONNECTION
    try:
        return _browser_cookie().verified(cookies.get(COOKIE))
    except KartinnspillError as exc:  # the secret cannot be read: say why, as store() does
        st.error(exc.message(lang()))
        st.stop()


_BOUND_TO = "session-browser"  # session state: the browser (its cookie's hash) this session is for


def bind_session_to_browser(keep: Collection[str] = ()) -> None:
    """A resident's session belongs to the browser that began it (security N6), as a staff
    login does (``browser.py``): a Streamlit session can be resumed by whoever knows its id
    (it is in upload addresses, so in proxy logs) within two minutes of a disconnect. When
    this run's connection carries another browser's cookie, or none where there was one,
    everything the session held (a typed form, a name and address, a receipt) is dropped
    first: the other browser starts empty. ``keep``: what a check of its own answers for
    (the staff login's token, which ``auth`` ends and audits as taken over). Called at the
    top of every run (app.py)."""
    cookie = browser()
    bound = binding(cookie) if cookie else "-"
    held = st.session_state.get(_BOUND_TO)
    # a session begun without a cookie (the browser refused it, or was still getting it)
    # takes the first one it is seen with: only a cookie's session can be taken over
    if held not in (None, "-") and held != bound:
        for key in [k for k in st.session_state.keys() if k not in keep]:
            del st.session_state[key]
    st.session_state[_BOUND_TO] = bound


def limiter() -> RateLimiter:
    """The process's rate limiter (in the database when replicas share it), or none when
    the settings turn limits off."""
    if not settings().rate_limits:
        return _NO_LIMIT
    return limiter_for(store())


_NO_LIMIT = NoLimit()
