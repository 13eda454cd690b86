"""The app's plain HTTP addresses beside Streamlit's pages: OGC API – Features
(``/ogcapi``, ogcapi.py), the open-data downloads (``/opendata``) and the feeds for the
municipality's website (``/feeds``, feeds.py). ``serve.py`` adds ``routes(settings)`` to
the ``st.App``; the HTTP policy (CSP, no framing) wraps them like every page.

What every answer here shares: public data only (``opendata.py`` reads through
``public.py``), a rate limit per network address, and caching per data version — an
ETag names the version (and the process, so a restart never answers 304 for a database
it has not read) and ``If-None-Match`` is answered with 304 before any work is done.
"""

from __future__ import annotations

import hashlib
import html
import logging
import secrets
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import wraps

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import addresses
from .outputs import feeds, ogcapi, opendata
from .config import Settings
from .errors import KartinnspillError
from .i18n import DEFAULT_LANG, LANGUAGES, format_date, t, tn
from .outputs.ogcapi import HttpError
from .ratelimit import Limit, NoLimit, RateLimiter, limiter_for
from .store import Store

_LOG = logging.getLogger(__name__)

# Clients page through collections: QGIS asks a page per map move, GDAL pages of 1,000 back
# to back. A burst of 600 lets a whole 10,000-input collection load at GDAL's default page
# size many times over; a script downloading all day meets 10 requests a second.
API_PER_ADDRESS = Limit(burst=600, per_hour=36_000)
# Answers may be kept this long by browsers and proxies before they ask again (with the
# ETag, answered 304 while the data version is the same).
CACHE_CONTROL = "public, max-age=60"
# A process's versions start again at 1: the ETag names the process too.
_PROCESS = secrets.token_hex(4)


# -- the store -----------------------------------------------------------------------------

_OPEN_LOCK = threading.Lock()
_KEPT: dict[str, Store] = {}  # Store.opened holds stores weakly: these stay open


def open_once(settings: Settings, keep: bool = True) -> Store:
    """The process's one store for ``settings``: the one a page run opened, or opened here
    (and then used by the pages too: ui/context.py asks here first). ``keep``: hold it open
    here (``Store.opened`` alone holds it weakly); the pages' cache holds its own."""
    location = settings.db_path if isinstance(settings.db_path, str) else settings.db_path.resolve()
    found = Store.opened(location)
    if found is not None:
        return found
    with _OPEN_LOCK:
        found = Store.opened(location)
        if found is None:
            found = Store.open(location, secret=settings.secret, secret_file=settings.secret_file)
            if keep:
                _KEPT[str(location)] = found
        return found


class Service:
    """What the handlers share: settings, the store (opened on first use), its collections
    and the rate limiter."""

    def __init__(self, settings: Settings, base_path: str = "", clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        self.base_path = "/" + base_path.strip("/") if base_path.strip("/") else ""
        self.clock = clock or (lambda: datetime.now(UTC))
        self._collections: opendata.Collections | None = None
        self._limiter: RateLimiter | None = None

    @property
    def profile(self):
        return self.settings.profile

    def store(self) -> Store:
        return open_once(self.settings)

    def collections(self) -> opendata.Collections:
        store = self.store()
        if self._collections is None or self._collections.store is not store:
            self._collections = opendata.Collections(store, self.clock)
        return self._collections

    def limiter(self) -> RateLimiter:
        if self._limiter is None:
            self._limiter = limiter_for(self.store()) if self.settings.rate_limits else NoLimit()
        return self._limiter

    def origin(self, request: Request) -> str:
        """The app's address as the client reached it: ``https://host[/base]``."""
        return f"{request.url.scheme}://{request.url.netloc}{self.base_path}"

    def consultation_link(self, origin: str, consultation_id: str) -> str:
        return f"{origin}/?id={consultation_id}"

    def client_key(self, request: Request) -> str:
        """The rate limit's key for the client: a keyed hash of its address (never the raw
        address), the peer or what a trusted proxy says it forwarded."""
        peer = request.client.host if request.client else None
        chain = addresses.forwarded_chain(request.headers.getlist("x-forwarded-for"))
        found = addresses.client_address(peer, chain, self.settings.trusted_proxies) or "unknown"
        return "api:" + self.store().hash_session(found, "api")


def lang_of(request: Request) -> str:
    chosen = request.query_params.get("lang", "")
    return chosen if chosen in LANGUAGES else DEFAULT_LANG


def error_response(exc: HttpError, lang: str) -> JSONResponse:
    return JSONResponse({"code": exc.code, "description": exc.message(lang)}, status_code=exc.status)


Handler = Callable[[Service, Request, str], Response]


def endpoint(service: Service, handler: Handler, clock_bound: bool = True) -> Callable[[Request], Awaitable[Response]]:
    """A route for ``handler(service, request, lang)``: rate limited, cached per data
    version, its errors in the client's language. ``clock_bound``: the answer also changes
    when a consultation opens or closes (no write moves the version then)."""

    def run(request: Request) -> Response:
        lang = lang_of(request)
        try:
            store = service.store()
            if not service.limiter().allow([(service.client_key(request), API_PER_ADDRESS)]):
                raise HttpError(429, "TooManyRequests", "opendata.too_many")
            tag = _etag(service, request, store, clock_bound)
            if tag in _if_none_match(request):
                return Response(status_code=304, headers={"etag": tag, "cache-control": CACHE_CONTROL})
            response = handler(service, request, lang)
        except HttpError as exc:
            response = error_response(exc, lang)
            if exc.status == 429:
                response.headers["retry-after"] = "60"
            return response
        except KartinnspillError as exc:  # the database or the secret cannot be used
            _LOG.error("Cannot answer %s: %s", request.url.path, exc.message("en"))
            return error_response(HttpError(503, "ServiceUnavailable", "store.unavailable"), lang)
        if response.status_code == 200:
            response.headers["etag"] = tag
            response.headers["cache-control"] = CACHE_CONTROL
        # public data, read by map clients and web pages on other sites
        response.headers["access-control-allow-origin"] = "*"
        return response

    @wraps(handler)
    async def route(request: Request) -> Response:
        return await run_in_threadpool(run, request)

    return route


def _etag(service: Service, request: Request, store: Store, clock_bound: bool) -> str:
    parts = [_PROCESS, str(store.data_version), request.url.path, str(request.url.query), service.origin(request)]
    if clock_bound:
        now = service.clock()
        parts += [c.phase(now).value for c in service.collections().consultations()]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]
    return f'"{digest}"'


def _if_none_match(request: Request) -> set[str]:
    value = request.headers.get("if-none-match", "")
    return {v.strip().removeprefix("W/") for v in value.split(",") if v.strip()}


# -- open data -----------------------------------------------------------------------------


def _inputs_or_404(service: Service, consultation_id: str, lang: str) -> opendata.Collection:
    found = service.collections().inputs(consultation_id, lang)
    if found is None:
        raise HttpError(404, "NotFound", "opendata.no_consultation", id=consultation_id)
    return found


# what /opendata/<id>.<kind> sends
_DOWNLOADS = {
    "geojson": ("application/geo+json", opendata.geojson_download),
    "csv": ("text/csv; charset=utf-8", opendata.csv_download),
}


def download(service: Service, request: Request, lang: str) -> Response:
    """A consultation's open data as one file: GeoJSON or CSV."""
    consultation_id, kind = request.path_params["consultation"], request.path_params["kind"]
    if kind not in _DOWNLOADS:
        raise HttpError(404, "NotFound", "opendata.no_consultation", id=f"{consultation_id}.{kind}"[:100])
    media_type, write = _DOWNLOADS[kind]
    collection = _inputs_or_404(service, consultation_id, lang)
    name = f"{opendata.INPUTS_PREFIX}{consultation_id}.{kind}"
    return Response(
        write(collection, service.profile),
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}
table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:.25rem .5rem;text-align:left;vertical-align:top}}</style>
</head><body><main>
{body}
</main></body></html>"""


def _page(lang: str, title: str, body: str) -> Response:
    return Response(_PAGE.format(lang=lang, title=html.escape(title), body=body), media_type="text/html; charset=utf-8")


def description_page(service: Service, request: Request, lang: str) -> Response:
    """The data description of one consultation's open data: what it holds, what it
    leaves out, its fields, the licence and the downloads."""
    consultation_id = request.path_params["consultation"]
    collection = _inputs_or_404(service, consultation_id, lang)
    c = collection.consultation
    origin = service.origin(request)
    name, url = opendata.licence(service.profile)
    e = html.escape
    q = f"?lang={lang}"
    rows = "".join(
        f'<tr><th scope="row"><code>{field}</code></th><td>{e(t(f"opendata.field.{field}", lang))}</td></tr>'
        for field in opendata.INPUT_PROPERTIES
    )
    ogc = f"{origin}/ogcapi/collections/{collection.id}"
    body = f"""
<h1>{e(t("opendata.page_title", lang, title=c.title))}</h1>
<p>{e(tn("opendata.page_intro", len(collection), lang, publisher=service.profile.name))}</p>
<p>{e(t("opendata.page_excluded", lang))}</p>
<h2>{e(t("opendata.downloads", lang))}</h2>
<ul>
<li><a href="{origin}/opendata/{e(consultation_id)}.geojson{q}">GeoJSON</a> — {e(t("opendata.geojson_note", lang))}</li>
<li><a href="{origin}/opendata/{e(consultation_id)}.csv{q}">CSV</a> — {e(t("opendata.csv_note", lang, crs=service.profile.working_crs))}</li>
<li><a href="{e(ogc)}">OGC API – Features</a> — {e(t("opendata.ogc_note", lang))}</li>
</ul>
<h2>{e(t("opendata.fields", lang))}</h2>
<table>{rows}</table>
<h2>{e(t("opendata.licence_heading", lang))}</h2>
<p>{e(t("opendata.licence_text", lang, publisher=service.profile.name))}
<a href="{e(url)}" rel="license">{e(name)}</a>.</p>
<p>{e(t("opendata.updated", lang, date=format_date(service.clock(), lang, with_time=True)))}</p>
<p><a href="{e(service.consultation_link(origin, consultation_id))}">{e(t("opendata.to_consultation", lang))}</a></p>
"""
    return _page(lang, t("opendata.page_title", lang, title=c.title), body)


def index_page(service: Service, request: Request, lang: str) -> Response:
    """Every consultation whose data is open, with its description page."""
    origin = service.origin(request)
    e = html.escape
    items = "".join(
        f'<li><a href="{origin}/opendata/{e(c.id)}?lang={lang}">{e(c.in_language(lang).title)}</a></li>'
        for c in service.collections().consultations()
    )
    body = f"""
<h1>{e(t("opendata.index_title", lang, publisher=service.profile.name))}</h1>
<p>{e(t("opendata.index_intro", lang))}</p>
<ul>{items}</ul>
<p><a href="{origin}/ogcapi">OGC API – Features</a> · <a href="{origin}/feeds/horinger.atom">Atom</a> ·
<a href="{origin}/feeds/horinger.json">JSON Feed</a> · <a href="{origin}/feeds/frister.ics">iCalendar</a></p>
"""
    return _page(lang, t("opendata.index_title", lang, publisher=service.profile.name), body)


def routes(settings: Settings, base_path: str = "", clock: Callable[[], datetime] | None = None) -> list[BaseRoute]:
    """Every address of this module, for ``st.App(routes=…)``."""
    service = Service(settings, base_path, clock)
    base = service.base_path
    ep = lambda handler, **kw: endpoint(service, handler, **kw)
    return [
        *ogcapi.routes(base + "/ogcapi", service, ep),
        Route(base + "/opendata", ep(index_page)),
        Route(base + "/opendata/{consultation:str}.{kind:str}", ep(download)),
        Route(base + "/opendata/{consultation:str}", ep(description_page)),
        Route(base + "/feeds/horinger.atom", ep(feeds.atom)),
        Route(base + "/feeds/horinger.json", ep(feeds.json_feed)),
        Route(base + "/feeds/frister.ics", ep(feeds.icalendar)),
    ]
