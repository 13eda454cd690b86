"""OGC API – Features at ``/ogcapi``: Part 1 Core with GeoJSON and OpenAPI 3.0, and Part 2
(CRS by reference) for CRS84/EPSG:4326, the profile's working CRS and its ``export_crs``.

Collections: ``innspill-<consultation id>`` (the published inputs of a consultation the
public may see) and ``planomrader`` (their plan areas), from ``opendata.Collections``.
Written here on starlette rather than by mounting pygeoapi: pygeoapi reads a static YAML
configuration once at import (a consultation published later would need a restart), its
HTML pages load Leaflet from a CDN (our CSP and privacy rules refuse that) and it brings
Flask, SQLAlchemy, rasterio and pydantic into the app; the protocol itself is small.

QGIS («Add OGC API – Features layer»), ArcGIS, GDAL's OAPIF driver and OWSLib read it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from .. import geo
from . import opendata
from ..errors import KartinnspillError
from ..i18n import t

if TYPE_CHECKING:
    from ..web import Service

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
GEOJSON = "application/geo+json"
JSON = "application/json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
# The parameters /items knows besides the queryable properties
_ITEMS_PARAMETERS = {"limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "f", "lang"}
_OTHER_PARAMETERS = {"f", "lang", "crs"}


class HttpError(KartinnspillError):
    """A request refused with ``status``, an OGC exception ``code`` and a message in the
    client's language."""

    def __init__(self, status: int, code: str, key: str, **params: object) -> None:
        super().__init__(key, **params)
        self.status = status
        self.code = code


def _bad(key: str, **params: object) -> HttpError:
    return HttpError(400, "InvalidParameterValue", key, **params)


def _json(body: object, media_type: str = JSON, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")), media_type=media_type, headers=headers)


# -- parameters ----------------------------------------------------------------------------


def supported_crs(service: Service) -> list[int | None]:
    """CRS84 (``None``, the storage CRS), EPSG:4326, the working CRS and the export CRSs."""
    return list(dict.fromkeys([None, geo.WGS84, *service.profile.export_choices]))


def _crs(service: Service, request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        epsg = geo.crs_from_uri(value)
    except ValueError:
        epsg = -1
    if epsg not in supported_crs(service):
        raise _bad("opendata.bad_crs", name=name, value=value[:200])
    return epsg


def _check_known(request: Request, known: set[str]) -> None:
    for name in request.query_params:
        if name not in known:
            raise _bad("opendata.unknown_parameter", name=name[:100])


def _int(request: Request, name: str, default: int, low: int, high: int | None = None) -> int:
    value = request.query_params.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise _bad("opendata.bad_integer", name=name, value=value[:100]) from None
    if number < low:
        raise _bad("opendata.bad_integer", name=name, value=value[:100])
    return min(number, high) if high is not None else number


def _bbox(service: Service, request: Request) -> tuple[float, float, float, float] | None:
    value = request.query_params.get("bbox")
    bbox_crs = _crs(service, request, "bbox-crs")
    if value is None:
        return None
    try:
        numbers = [float(v) for v in value.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not all(np.isfinite(numbers)) or numbers[0] > numbers[2] or numbers[1] > numbers[3]:
        raise _bad("opendata.bad_bbox", value=value[:200])
    return geo.bbox_to_wgs84(numbers, bbox_crs)


def _instant(text: str, whole: str) -> datetime | None:
    if text in ("", ".."):
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise _bad("opendata.bad_datetime", value=whole[:200]) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _interval(request: Request) -> tuple[datetime | None, datetime | None] | None:
    """``datetime``: an instant, or an interval ``start/end`` open with ``..`` or nothing."""
    value = request.query_params.get("datetime")
    if value is None:
        return None
    if "/" in value:
        start, _, end = value.partition("/")
        interval = _instant(start, value), _instant(end, value)
        if interval[0] and interval[1] and interval[0] > interval[1]:
            raise _bad("opendata.bad_datetime", value=value[:200])
        return interval
    when = _instant(value, value)
    if when is None:
        raise _bad("opendata.bad_datetime", value=value[:200])
    if len(value) == 10:  # a date: the whole day (UTC)
        return when, when.replace(hour=23, minute=59, second=59, microsecond=999999)
    return when, when


def _queryables(collection_id: str) -> tuple[str, ...]:
    return opendata.QUERYABLE[opendata.PLAN_AREAS if collection_id == opendata.PLAN_AREAS else "innspill"]


# -- documents -----------------------------------------------------------------------------


def _link(href: str, rel: str, media_type: str, title: str | None = None) -> dict:
    link = {"href": href, "rel": rel, "type": media_type}
    if title:
        link["title"] = title
    return link


def _collection(service: Service, request: Request, lang: str, collection_id: str) -> opendata.Collection:
    origin = service.origin(request)
    found = service.collections().get(collection_id, lang, lambda cid: service.consultation_link(origin, cid), origin)
    if found is None:
        raise HttpError(404, "NotFound", "opendata.no_collection", id=collection_id[:100])
    return found


def _collection_ids(service: Service) -> list[str]:
    return [opendata.PLAN_AREAS] + [opendata.INPUTS_PREFIX + c.id for c in service.collections().consultations()]


def _describe(service: Service, origin: str, collection: opendata.Collection, lang: str) -> dict:
    base = f"{origin}/ogcapi/collections/{collection.id}"
    name, url = service.profile.open_data_licence, service.profile.open_data_licence_url
    links = [
        _link(base, "self", JSON),
        _link(f"{base}/items", "items", GEOJSON, t("opendata.items_link", lang)),
        _link(f"{base}/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json"),
        _link(url, "license", "text/html", name),
    ]
    if collection.consultation is not None:
        cid = collection.consultation.id
        links.append(
            _link(service.consultation_link(origin, cid), "describedby", "text/html", collection.consultation.title)
        )
        links.append(_link(f"{origin}/opendata/{cid}", "alternate", "text/html", t("opendata.description_link", lang)))
    if len(collection):
        times = [float(collection.start.min()), float(collection.end.max())]
        interval = [[datetime.fromtimestamp(v, UTC).isoformat().replace("+00:00", "Z") for v in times]]
    else:
        interval = [[None, None]]
    described = {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "itemType": "feature",
        "links": links,
        "crs": [geo.crs_uri(c) for c in supported_crs(service)],
        "storageCrs": geo.CRS84_URI,
        "extent": {"temporal": {"interval": interval, "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}},
    }
    if collection.extent is not None:
        described["extent"]["spatial"] = {"bbox": [list(collection.extent)], "crs": geo.CRS84_URI}
    return described


def landing(service: Service, request: Request, lang: str) -> Response:
    _check_known(request, _OTHER_PARAMETERS)
    base = service.origin(request) + "/ogcapi"
    return _json(
        {
            "title": t("opendata.api_title", lang, publisher=service.profile.name),
            "description": t("opendata.api_description", lang),
            "links": [
                _link(base, "self", JSON),
                _link(f"{base}/openapi", "service-desc", OPENAPI),
                _link(f"{base}/conformance", "conformance", JSON),
                _link(f"{base}/collections", "data", JSON),
            ],
        }
    )


def conformance(service: Service, request: Request, lang: str) -> Response:
    _check_known(request, _OTHER_PARAMETERS)
    return _json({"conformsTo": CONFORMANCE})


def collections(service: Service, request: Request, lang: str) -> Response:
    _check_known(request, _OTHER_PARAMETERS)
    origin = service.origin(request)
    described = [
        _describe(service, origin, _collection(service, request, lang, cid), lang) for cid in _collection_ids(service)
    ]
    return _json(
        {
            "links": [_link(f"{origin}/ogcapi/collections", "self", JSON)],
            "collections": described,
            "crs": [geo.crs_uri(c) for c in supported_crs(service)],
        }
    )


def collection(service: Service, request: Request, lang: str) -> Response:
    _check_known(request, _OTHER_PARAMETERS)
    found = _collection(service, request, lang, request.path_params["collection"])
    return _json(_describe(service, service.origin(request), found, lang))


def queryables(service: Service, request: Request, lang: str) -> Response:
    _check_known(request, _OTHER_PARAMETERS)
    found = _collection(service, request, lang, request.path_params["collection"])
    base = f"{service.origin(request)}/ogcapi/collections/{found.id}"
    return _json(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{base}/queryables",
            "type": "object",
            "title": found.title,
            "properties": {
                name: {"type": "number" if name in opendata.NUMERIC else "string", "title": name}
                for name in _queryables(found.id)
            },
        },
        "application/schema+json",
    )


def items(service: Service, request: Request, lang: str) -> Response:
    collection_id = request.path_params["collection"]
    names = _queryables(collection_id)
    _check_known(request, _ITEMS_PARAMETERS | set(names))
    limit = _int(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _int(request, "offset", 0, 0)
    crs = _crs(service, request, "crs")
    bbox = _bbox(service, request)
    interval = _interval(request)
    equals = {n: request.query_params[n] for n in names if n in request.query_params}
    for name in opendata.NUMERIC & set(equals):
        try:
            float(equals[name])
        except ValueError:
            raise _bad("opendata.bad_number", name=name, value=equals[name][:100]) from None
    found = _collection(service, request, lang, collection_id)
    chosen = found.select(bbox, interval, equals)
    page = chosen[offset : offset + limit]
    features = found.features(page, crs, opendata.decimals_for(crs))
    self_url = str(request.url)
    links = [
        _link(self_url, "self", GEOJSON),
        _link(_with(self_url, "offset", None).rsplit("/items", 1)[0], "collection", JSON),
    ]
    if offset + limit < len(chosen):
        links.append(_link(_with(self_url, "offset", offset + limit), "next", GEOJSON, t("opendata.next_link", lang)))
    if offset > 0:
        links.append(_link(_with(self_url, "offset", max(0, offset - limit)), "prev", GEOJSON))
    body = {
        "type": "FeatureCollection",
        "features": features,
        "numberMatched": len(chosen),
        "numberReturned": len(features),
        "timeStamp": service.clock().isoformat().replace("+00:00", "Z"),
        "links": links,
    }
    return _json(body, GEOJSON, {"content-crs": f"<{geo.crs_uri(crs)}>"})


def _with(url: str, name: str, value: int | None) -> str:
    """``url`` with the query parameter ``name`` set to ``value`` (removed for ``None``)."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    if value is not None:
        query.append((name, str(value)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def item(service: Service, request: Request, lang: str) -> Response:
    _check_known(request, _OTHER_PARAMETERS)
    found = _collection(service, request, lang, request.path_params["collection"])
    crs = _crs(service, request, "crs")
    try:
        position = found.position(int(request.path_params["item"]))
    except ValueError:
        position = None
    if position is None:
        raise HttpError(404, "NotFound", "opendata.no_item", id=request.path_params["item"][:40])
    feature = found.features([position], crs, opendata.decimals_for(crs))[0]
    base = f"{service.origin(request)}/ogcapi/collections/{found.id}"
    feature["links"] = [
        _link(f"{base}/items/{feature['id']}", "self", GEOJSON),
        _link(base, "collection", JSON),
    ]
    return _json(feature, GEOJSON, {"content-crs": f"<{geo.crs_uri(crs)}>"})


def openapi(service: Service, request: Request, lang: str) -> Response:
    """The API as OpenAPI 3.0: every path, parameter and answer of this module."""
    _check_known(request, _OTHER_PARAMETERS)
    origin = service.origin(request)
    ids = _collection_ids(service)
    crs_enum = [geo.crs_uri(c) for c in supported_crs(service)]

    def parameter(name: str, where: str, schema: dict, description: str, required: bool = False) -> dict:
        return {
            "name": name,
            "in": where,
            "required": required,
            "schema": schema,
            "description": description,
            "style": "form",
            "explode": False,
        }

    collection_id = parameter("collectionId", "path", {"type": "string", "enum": ids}, "", True)
    collection_id.pop("style"), collection_id.pop("explode")
    lang_parameter = parameter("lang", "query", {"type": "string", "enum": ["nb", "nn", "en"], "default": "nb"}, "")
    crs_parameter = parameter("crs", "query", {"type": "string", "format": "uri", "enum": crs_enum}, "")
    ok = lambda media, description: {
        "200": {"description": description, "content": {media: {"schema": {"type": "object"}}}},
        "400": {"description": "Bad request"},
        "404": {"description": "Not found"},
        "429": {"description": "Too many requests"},
    }
    filters = [
        parameter(n, "query", {"type": "string"}, "")
        for n in sorted({*opendata.QUERYABLE["innspill"], *opendata.QUERYABLE[opendata.PLAN_AREAS]})
    ]
    document = {
        "openapi": "3.0.3",
        "info": {
            "title": t("opendata.api_title", lang, publisher=service.profile.name),
            "description": t("opendata.api_description", lang),
            "version": "1.0.0",
            "license": {"name": service.profile.open_data_licence, "url": service.profile.open_data_licence_url},
        },
        "servers": [{"url": f"{origin}/ogcapi"}],
        "paths": {
            "/": {
                "get": {
                    "operationId": "getLandingPage",
                    "parameters": [lang_parameter],
                    "responses": ok(JSON, "Landing page"),
                }
            },
            "/conformance": {"get": {"operationId": "getConformance", "responses": ok(JSON, "Conformance classes")}},
            "/openapi": {"get": {"operationId": "getOpenAPI", "responses": ok(OPENAPI, "This document")}},
            "/collections": {
                "get": {
                    "operationId": "getCollections",
                    "parameters": [lang_parameter],
                    "responses": ok(JSON, "Collections"),
                }
            },
            "/collections/{collectionId}": {
                "get": {
                    "operationId": "describeCollection",
                    "parameters": [collection_id, lang_parameter],
                    "responses": ok(JSON, "Collection"),
                }
            },
            "/collections/{collectionId}/queryables": {
                "get": {
                    "operationId": "getQueryables",
                    "parameters": [collection_id],
                    "responses": ok("application/schema+json", "Queryables"),
                }
            },
            "/collections/{collectionId}/items": {
                "get": {
                    "operationId": "getFeatures",
                    "parameters": [
                        collection_id,
                        parameter(
                            "limit",
                            "query",
                            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
                            "",
                        ),
                        parameter("offset", "query", {"type": "integer", "minimum": 0, "default": 0}, ""),
                        parameter(
                            "bbox",
                            "query",
                            {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
                            "",
                        ),
                        parameter("bbox-crs", "query", {"type": "string", "format": "uri", "enum": crs_enum}, ""),
                        parameter("datetime", "query", {"type": "string"}, ""),
                        crs_parameter,
                        lang_parameter,
                        *filters,
                    ],
                    "responses": ok(GEOJSON, "Features"),
                }
            },
            "/collections/{collectionId}/items/{featureId}": {
                "get": {
                    "operationId": "getFeature",
                    "parameters": [
                        collection_id,
                        {"name": "featureId", "in": "path", "required": True, "schema": {"type": "integer"}},
                        crs_parameter,
                        lang_parameter,
                    ],
                    "responses": ok(GEOJSON, "Feature"),
                }
            },
        },
    }
    return _json(document, OPENAPI)


def routes(prefix: str, service: Service, endpoint: Callable) -> list[BaseRoute]:
    """The API's routes under ``prefix`` (``/ogcapi``); ``endpoint`` wraps each handler
    (rate limit, cache, errors: web.endpoint)."""

    async def to_landing(request: Request) -> Response:
        return RedirectResponse(prefix + "?" + request.url.query if request.url.query else prefix, 308)

    return [
        Route(prefix, endpoint(landing)),
        Route(prefix + "/", to_landing),
        Route(prefix + "/conformance", endpoint(conformance)),
        Route(prefix + "/openapi", endpoint(openapi)),
        Route(prefix + "/collections", endpoint(collections)),
        Route(prefix + "/collections/{collection:str}", endpoint(collection)),
        Route(prefix + "/collections/{collection:str}/queryables", endpoint(queryables)),
        Route(prefix + "/collections/{collection:str}/items", endpoint(items)),
        Route(prefix + "/collections/{collection:str}/items/{item:str}", endpoint(item)),
    ]
