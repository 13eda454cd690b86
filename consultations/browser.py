"""The browser cookie a staff login is bound to.

Streamlit sessions can be resumed by anyone who knows the session id (it appears in upload
URLs) within two minutes of a disconnect; a staff login held only in the session would go
with it. So the app's HTTP middleware (``http_policy.py``) gives each browser a random
value signed with the app's secret, in an HttpOnly, SameSite=Strict cookie that page
scripts cannot read and other sites cannot make the browser send; a login is bound to (a
hash of) that value, and every staff page compares it with the cookie of the websocket
connection it runs for (``auth.session_user``).

The cookie is strictly necessary for a staff login and says nothing about the person: no
expiry (it goes when the browser closes), no tracking, never stored raw.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from . import keys

COOKIE = "kartinnspill-browser"
_CONTEXT = "cookie:browser"  # never a consultation id (slugs have no colon): a key of its own


class BrowserCookie:
    """Makes and checks the signed cookie values with a key derived from the app's secret."""

    def __init__(self, secret: bytes) -> None:
        self._key = keys.derive(secret, _CONTEXT)

    def new(self) -> str:
        """A fresh value: 256 random bits and their signature."""
        nonce = secrets.token_urlsafe(32)
        return f"{nonce}.{self._sign(nonce)}"

    def verified(self, value: str | None) -> str | None:
        """``value`` if it is one this app made (signature checked in constant time), else None."""
        if not value or value.count(".") != 1:
            return None
        nonce, signature = value.split(".")
        if not nonce or not hmac.compare_digest(signature, self._sign(nonce)):
            return None
        return value

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._key, nonce.encode(), hashlib.sha256).hexdigest()


def binding(value: str) -> str:
    """What a login record keeps of the browser's cookie: its SHA-256, never the value."""
    return hashlib.sha256(value.encode()).hexdigest()
