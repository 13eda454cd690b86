"""What every HTTP response of the app may do in a browser, and what the public may not ask.

Streamlit serves one HTML shell for every page address, then runs the page over a
websocket; so the framing rule is decided per shell response, by the address asked for:
resident pages may be framed by the origins in ``KARTINNSPILL_FRAME_ANCESTORS``, staff
pages and every other address never. The staff login is only reached by loading a staff
address (no resident page links to it), so a framed resident page cannot turn into one.

It also gives a browser that has none the signed cookie a staff login is bound to
(``browser.py``): HttpOnly, SameSite=Strict, Secure over https, no expiry.

Plain ASGI (no Streamlit import): ``serve.py`` puts it in front of Streamlit's server.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import parse_qs, urlparse

from starlette.requests import cookie_parser

from . import addresses, keys
from .browser import COOKIE, BrowserCookie
from .config import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]

# The resident pages' addresses (url_path in app.py; "" and "home" are the start page).
RESIDENT_PAGES = frozenset({"", "home", "personvern", "tilgjengelighet"})
# Documents the app frames itself: component iframes (the map) and files it serves.
_FRAMED_BY_APP = re.compile(r"/(component|app/static|media)/")
# Streamlit's cache and memory statistics: nothing for the public.
_HIDDEN = re.compile(r"/_stcore/metrics/?$")
# Public data others may cache and share (web.py): never a browser cookie in those answers.
_SHARED_ANSWERS = re.compile(r"/(ogcapi|opendata|feeds)(/|$)")
_ORIGIN = re.compile(r"https?://([a-z0-9.-]+|\[[0-9a-f:.]+\])(:[0-9]{1,5})?")
_HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


def tile_origin(settings: Settings) -> str | None:
    """The base map's origin (for img-src), or None without a base map."""
    if settings.tiles is None:
        return None
    url = urlparse(settings.tiles.url)
    return f"{url.scheme}://{url.netloc}"


def content_security_policy(settings: Settings, path: str, host: str | None, map_origins: Iterable[str] = ()) -> str:
    """The policy for the response to ``path``: scripts only from the app itself; images
    from the app, the configured tile server and the WMS servers of the context layers of
    the consultation shown (``map_origins``, ``shown_consultation``), nothing else.

    'unsafe-inline': Streamlit's shell has an inline script, and the page sets <html lang>
    through one (ui/language.py). 'wasm-unsafe-eval' (WebAssembly only, not JavaScript):
    Streamlit's protobuf decoder (long.js) compiles a small wasm module for 64-bit numbers.
    'unsafe-eval' only in the component documents: streamlit-folium runs the map script
    folium renders with eval().
    """
    component = "/component/" in path
    framed_by_app = bool(_FRAMED_BY_APP.search(path))
    if framed_by_app:
        ancestors = "'self'"
    elif _page(path) in RESIDENT_PAGES and settings.frame_ancestors:
        ancestors = " ".join(settings.frame_ancestors)
    else:
        ancestors = "'none'"
    images = ["'self'", "data:", "blob:"]
    if origin := tile_origin(settings):
        images.append(origin)
    # normalised when stored (context_layers.check_wms_url); checked again as they go into a header
    images += [o for o in dict.fromkeys(map_origins) if _ORIGIN.fullmatch(o) and o not in images]
    connect = ["'self'"]
    if host and _HOST.fullmatch(host):  # 'self' covers ws(s) only in newer browsers
        connect += [f"ws://{host}", f"wss://{host}"]
    scripts = ["'self'", "'unsafe-inline'", "'wasm-unsafe-eval'"]
    if component:
        scripts.append("'unsafe-eval'")
    return "; ".join(
        [
            "default-src 'self'",
            "script-src " + " ".join(scripts),
            "style-src 'self' 'unsafe-inline'",
            "img-src " + " ".join(images),
            "font-src 'self' data:",
            "connect-src " + " ".join(connect),
            "frame-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors " + ancestors,
        ]
    )


def shown_consultation(
    path: str, query: bytes, referer: str | None, host: str | None, base_path: str = ""
) -> str | None:
    """The consultation a response shows residents, whose WMS hosts its images may come
    from (security N5): ``?id=`` of a resident page; for the map's own document (a
    component frame, whose address has no ``?id=``), that of the page it is framed in, its
    same-origin ``Referer`` (``Referrer-Policy: same-origin`` keeps the query there). Staff
    pages and everything else: ``None``, images from the app and the tile server only."""
    if "/component/" in path:
        if not referer or not host:
            return None
        parts = urlparse(referer)
        if parts.netloc != host:
            return None
        path, query = _strip_base(parts.path or "/", base_path), parts.query.encode("latin-1")
    if _page(path) not in RESIDENT_PAGES or _page(path) in ("personvern", "tilgjengelighet"):
        return None
    found = parse_qs(query.decode("latin-1")).get("id", [""])[0].strip()
    return found or None


def _page(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def _strip_base(path: str, base: str) -> str:
    base = "/" + base.strip("/") if base.strip("/") else ""
    if base and (path == base or path.startswith(base + "/")):
        return path[len(base) :] or "/"
    return path


class ResponsePolicy:
    """ASGI middleware: adds the security headers to every HTTP response and answers 404
    for addresses the public may not ask (``/_stcore/metrics``)."""

    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        base_path: str = "",
        map_origins: Callable[[str | None], Iterable[str]] = lambda _consultation: (),
    ) -> None:
        """``map_origins``: the WMS servers of the consultation a page shows (asked for
        every page and map document, so a layer staff add is allowed from the next page
        load on; ``shown_consultation`` says which)."""
        self.app = app
        self.settings = settings
        self.base_path = base_path
        self.map_origins = map_origins
        self._browser_cookie: BrowserCookie | None = None

    def browser_cookie(self) -> BrowserCookie:
        """The signer, with the app's secret read (or made) on the first request, as the store does."""
        if self._browser_cookie is None:
            self._browser_cookie = BrowserCookie(keys.load_secret(self.settings.secret, self.settings.secret_file))
        return self._browser_cookie

    def _set_cookie(self, scope: Scope) -> bytes | None:
        """The Set-Cookie value for a browser without a valid cookie, else None.

        Never on a cross-site request: SameSite=Strict keeps the browser from sending its
        cookie there (a link to a staff page in an e-mail), so a new one would replace a
        good one and end the logins of the browser's other tabs. The page's own requests
        that follow (same-origin) then set it if it is really missing.
        """
        cookies = cookie_parser(_header(scope, b"cookie") or "")
        if self.browser_cookie().verified(cookies.get(COOKIE)) is not None:
            return None
        if (_header(scope, b"sec-fetch-site") or "").lower() == "cross-site":
            return None
        value = self.browser_cookie().new()
        attributes = [f"{COOKIE}={value}", "Path=/", "HttpOnly", "SameSite=Strict"]
        if self._https(scope):
            attributes.append("Secure")
        return "; ".join(attributes).encode()

    def _https(self, scope: Scope) -> bool:
        """https as the browser sees it: the scheme uvicorn reports (it applies
        ``X-Forwarded-Proto`` from ``FORWARDED_ALLOW_IPS`` itself), or a proxy in
        ``KARTINNSPILL_TRUSTED_PROXIES`` saying so (the shipped run trusts none in uvicorn)."""
        if scope.get("scheme") in ("https", "wss"):
            return True
        peer = (scope.get("client") or (None,))[0]
        proto = _header(scope, b"x-forwarded-proto")
        return addresses.forwarded_https(peer, proto, self.settings.trusted_proxies)

    async def __call__(self, scope: Scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = _strip_base(re.sub("/{2,}", "/", scope.get("path", "/")), self.base_path)
        if _HIDDEN.search(path):
            await _not_found(send)
            return
        host = _header(scope, b"host")
        shown = shown_consultation(
            path, scope.get("query_string", b""), _header(scope, b"referer"), host, self.base_path
        )
        policy = content_security_policy(self.settings, path, host, self.map_origins(shown) if shown else ())
        extra = [
            (b"content-security-policy", policy.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        ]
        if "frame-ancestors 'none'" in policy:
            extra.append((b"x-frame-options", b"DENY"))  # for browsers without CSP level 2
        if not _SHARED_ANSWERS.match(path) and (cookie := self._set_cookie(scope)):
            extra.append((b"set-cookie", cookie))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (name, value)
                    for name, value in extra
                    if name not in names or name == b"set-cookie"  # Streamlit sets its own (XSRF)
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def _not_found(send) -> None:
    body = b"Not Found"
    await send(
        {
            "type": "http.response.start",
            "status": 404,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
