"""What one browser session and one network address may keep in the server's memory as
uploads (security finding N3).

Streamlit keeps every file a widget uploads in the process's memory until the widget lets
it go or the session ends. One anonymous session could park any number of 19 MB uploads
(10 × 19 MB: RSS 468 → 661 MB). This ASGI middleware, in front of Streamlit's upload
route (``PUT /_stcore/upload_file/<session>/<file>``), answers 413 to an upload that would
take a session past ``SESSION_BYTES`` or an address past ``ADDRESS_BYTES``, counting what
Streamlit holds now plus what is being uploaded. What Streamlit holds goes down when a
file is removed or replaced in its widget, when the form is sent (``drop_session_uploads``)
and when the session ends; so the budget comes back by itself.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from .. import addresses
from ..config import Settings

# The resident form's most: 3 photos and 3 attachments of 10 MB each (attachments.py);
# staff: a 20 MB plan area or PDF at a time. With room for one replacement in flight.
SESSION_BYTES = 80 * 1024 * 1024
# A school class or an office behind one address sending photos at the same time.
ADDRESS_BYTES = 400 * 1024 * 1024

_UPLOAD = re.compile(r"/_stcore/upload_file/([^/]+)/([^/]+)/?$")

Scope = dict[str, Any]


def _held_by_streamlit() -> Mapping[str, Mapping[str, Any]]:
    """Streamlit's uploaded files, per session (its in-memory manager's storage)."""
    from streamlit import runtime

    if not runtime.exists():
        return {}
    manager = runtime.get_instance().uploaded_file_mgr
    return getattr(manager, "file_storage", {})


class UploadBudget:
    """ASGI middleware: the byte budgets of uploads (see the module's note)."""

    def __init__(
        self,
        app,
        settings: Settings,
        base_path: str = "",
        held: Callable[[], Mapping[str, Mapping[str, Any]]] = _held_by_streamlit,
        session_bytes: int = SESSION_BYTES,
        address_bytes: int = ADDRESS_BYTES,
    ) -> None:
        self.app = app
        self.settings = settings
        self.base_path = "/" + base_path.strip("/") if base_path.strip("/") else ""
        self.held = held
        self.session_bytes = session_bytes
        self.address_bytes = address_bytes
        self._lock = threading.Lock()
        self._address_of: dict[str, str] = {}  # session → the address it uploaded from
        self._in_flight: dict[str, int] = {}  # session → bytes being uploaded now

    def _address(self, scope: Scope) -> str:
        peer = (scope.get("client") or (None,))[0]
        chain = addresses.forwarded_chain(
            v.decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == b"x-forwarded-for"
        )
        found = addresses.client_address(peer, chain, self.settings.trusted_proxies)
        return addresses.rate_key(found, self.settings.profile.limits.ipv6_prefix) or "-"

    def _bytes(self, sessions: Mapping[str, Mapping[str, Any]], session: str, skip_file: str) -> int:
        files = sessions.get(session, {})
        held = sum(len(rec.data) for file_id, rec in files.items() if file_id != skip_file)
        return held + self._in_flight.get(session, 0)

    def _allowed(self, session: str, file_id: str, address: str, size: int) -> bool:
        """Whether ``size`` more bytes fit both budgets; reserves them when they do."""
        sessions = self.held()
        with self._lock:
            self._address_of[session] = address
            self._address_of = {s: a for s, a in self._address_of.items() if s in sessions or s == session}
            mine = self._bytes(sessions, session, file_id)  # a file sent again replaces itself
            theirs = sum(
                self._bytes(sessions, s, file_id if s == session else "")
                for s, a in self._address_of.items()
                if a == address
            )
            if mine + size > self.session_bytes or theirs + size > self.address_bytes:
                return False
            self._in_flight[session] = self._in_flight.get(session, 0) + size
            return True

    def _done(self, session: str, size: int) -> None:
        with self._lock:
            left = self._in_flight.get(session, 0) - size
            if left > 0:
                self._in_flight[session] = left
            else:
                self._in_flight.pop(session, None)

    async def __call__(self, scope: Scope, receive, send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if self.base_path and path.startswith(self.base_path + "/"):
            path = path[len(self.base_path) :]
        found = _UPLOAD.search(path) if scope.get("method") == "PUT" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        session, file_id = found.groups()
        length = next((v for k, v in scope.get("headers", []) if k.lower() == b"content-length"), b"")
        # Without a declared length, the largest a single upload may be (Streamlit's own cap).
        size = int(length) if length.isdigit() else self.session_bytes
        if not self._allowed(session, file_id, self._address(scope), size):
            await _too_large(send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._done(session, size)


async def _too_large(send) -> None:
    body = b"Upload budget used up: remove a file or send the form first."
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def drop_session_uploads() -> None:
    """Let go of every file this browser session uploaded (the form was sent and its
    widgets start empty: the bytes leave the server's memory now, not when the session
    ends; Streamlit kept the files of the emptied widgets until then)."""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is not None and runtime.exists():
        runtime.get_instance().uploaded_file_mgr.remove_session_files(ctx.session_id)
