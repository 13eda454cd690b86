"""The plan's own map under the pins: layers staff add to a consultation's map.

A WMS layer is images from the municipality's map server (the proposed plan map); its host
becomes one of the app's map servers, like the tile server, and the only other host a
resident's browser is allowed to ask (``map_origins``, read by the HTTP policy). A file
layer is read once, with the plan-area upload's guards (``geo.read_context_features``),
and kept as GeoJSON: residents' browsers never see the file itself.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .. import geo
from ..errors import InvalidArea, InvalidLayer
from ..model import ContextLayer, LayerKind, Role, Status, User
from ..permissions import require
from ..store import Store
from ..text import clean_text

MAX_LAYERS = 10  # per consultation: each is a row in the map's layer list and the text list
NAME_MAX = 80
LEGEND_MAX = 500
ATTRIBUTION_MAX = 200
URL_MAX = 1_000
MAX_WMS_NAMES = 10
# Parameters Leaflet's WMS layer sets on every tile request itself: in the stored address
# they would be sent twice (servers answer that with an error) or override the map's own.
_WMS_REQUEST_PARAMETERS = frozenset(
    {
        "service",
        "request",
        "version",
        "layers",
        "styles",
        "format",
        "transparent",
        "crs",
        "srs",
        "bbox",
        "width",
        "height",
        "exceptions",
    }
)
# The address goes to every resident's browser: a parameter that looks like a key or a
# password must not be in it (a map server that needs one is not for the public).
_SECRET_WORDS = frozenset(
    {
        "token",
        "key",
        "apikey",
        "authkey",
        "password",
        "passwd",
        "pwd",
        "secret",
        "auth",
        "session",
        "sessionid",
        "signature",
        "sig",
        "credential",
        "credentials",
    }
)
_SECRET_ENDINGS = ("key", "token", "password", "secret")
_HOST_NAME = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")
_WMS_NAME = re.compile(r"[\w.:\-]{1,100}")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A consultation whose map residents may see: only its layers' hosts go into a policy.
PUBLIC_STATUSES = (Status.PUBLISHED, Status.CLOSED)


@dataclass(frozen=True)
class WmsAddress:
    """A WMS server's address as residents' browsers will ask it: https to a public DNS
    name (``_public_name``), no credentials, no request parameters, the remaining (vendor)
    parameters sorted."""

    url: str
    origin: str  # scheme://host[:port], for the Content-Security-Policy
    layers_in_url: str  # a LAYERS parameter the pasted address had, if any


def check_wms_url(text: str, loopback: bool = False) -> WmsAddress:
    """The WMS address staff pasted, normalised; ``InvalidLayer`` says what is wrong.
    ``loopback`` (``Settings.wms_loopback``, tests only) also takes this machine's loopback,
    over http too."""
    text = text.strip()
    if not text:
        raise InvalidLayer("context_layer.url_missing")
    if len(text) > URL_MAX or any(c.isspace() or not c.isprintable() for c in text):
        raise InvalidLayer("context_layer.url_invalid")
    try:
        parts = urlsplit(text)
        port = parts.port
        host = parts.hostname
    except ValueError as exc:  # a port that is no number, a broken IPv6 literal
        raise InvalidLayer("context_layer.url_invalid") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not host:
        raise InvalidLayer("context_layer.url_invalid")
    if parts.username is not None or parts.password is not None:
        raise InvalidLayer("context_layer.url_credentials")
    host = _host(host)
    if loopback and _loopback(host):
        pass
    elif scheme != "https":
        raise InvalidLayer("context_layer.url_https")
    elif not _public_name(host):
        raise InvalidLayer("context_layer.url_host")
    kept, layers = [], ""
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name.lower() == "layers":
            layers = value
        elif _secret(name):
            raise InvalidLayer("context_layer.url_credentials")
        elif name.lower() not in _WMS_REQUEST_PARAMETERS:
            kept.append((name, value))
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    url = urlunsplit((scheme, netloc, parts.path or "/", urlencode(sorted(kept)), ""))
    return WmsAddress(url, f"{scheme}://{netloc}", layers)


def _secret(parameter: str) -> bool:
    """Whether a parameter's name says it carries a key or password (``access_token``,
    ``apiKey``, ``pwd``)."""
    name = parameter.lower()
    return name.endswith(_SECRET_ENDINGS) or bool(_SECRET_WORDS & set(re.split(r"[^a-z0-9]+", name)))


def _host(host: str) -> str:
    """A host name in its ASCII form (IDNA), or an IP address; else ``InvalidLayer``."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise InvalidLayer("context_layer.url_invalid") from exc
    if not _HOST_NAME.fullmatch(ascii_host):
        raise InvalidLayer("context_layer.url_invalid")
    return ascii_host


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# Names that never lead to a public server: this machine, the local network, test names.
_LOCAL_SUFFIXES = (
    ".localhost",
    ".local",
    ".internal",
    ".intranet",
    ".lan",
    ".home",
    ".corp",
    ".home.arpa",
    ".test",
    ".invalid",
    ".onion",
)


def _public_name(host: str) -> bool:
    """Whether ``host`` is a DNS name a resident's browser may be sent to: not an IP
    address (a literal names a machine, maybe the resident's own router or this server's
    network), not ``localhost`` nor a single label (an intranet name), nor under a name
    that is local by definition (security N5)."""
    try:
        ipaddress.ip_address(host)
        return False
    except ValueError:
        pass
    name = host.rstrip(".")
    return "." in name and name != "localhost" and not name.endswith(_LOCAL_SUFFIXES)


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a stored (already normalised) WMS address."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def check_wms_names(text: str) -> str:
    """The server's layer names, comma-separated as WMS wants them."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise InvalidLayer("context_layer.wms_names_missing")
    if len(names) > MAX_WMS_NAMES:
        raise InvalidLayer("context_layer.wms_names_too_many", max=MAX_WMS_NAMES)
    if bad := next((n for n in names if not _WMS_NAME.fullmatch(n)), None):
        raise InvalidLayer("context_layer.wms_name_invalid", name=bad[:100])
    return ",".join(dict.fromkeys(names))


def _texts(name: str, legend: str, attribution: str) -> tuple[str, str, str]:
    name = " ".join(clean_text(name).split())
    legend = clean_text(legend)
    attribution = " ".join(clean_text(attribution).split())
    if not name:
        raise InvalidLayer("context_layer.name_missing")
    if len(name) > NAME_MAX:
        raise InvalidLayer("context_layer.name_too_long", max=NAME_MAX)
    if not legend:
        raise InvalidLayer("context_layer.legend_missing")
    if len(legend) > LEGEND_MAX:
        raise InvalidLayer("context_layer.legend_too_long", max=LEGEND_MAX)
    if len(attribution) > ATTRIBUTION_MAX:
        raise InvalidLayer("context_layer.attribution_too_long", max=ATTRIBUTION_MAX)
    return name, legend, attribution


def _room(store: Store, consultation_id: str) -> None:
    if store.get_consultation(consultation_id) is None:
        raise InvalidLayer("consultation_form.unknown", id=consultation_id)
    if len(store.context_layers(consultation_id)) >= MAX_LAYERS:
        raise InvalidLayer("context_layer.too_many_layers", max=MAX_LAYERS)


def add_wms_layer(
    store: Store,
    consultation_id: str,
    actor: User,
    *,
    name: str,
    url: str,
    layers: str,
    legend: str,
    attribution: str = "",
    loopback: bool = False,
) -> ContextLayer:
    """A WMS layer on the consultation's map (a planner's action, audited). ``layers`` may
    be empty when the pasted address names them (``LAYERS=``). Nothing is stored when
    ``InvalidLayer`` or ``NotAllowed`` is raised. ``loopback``: ``check_wms_url``."""
    who = require(store, actor, Role.PLANNER)
    _room(store, consultation_id)
    name, legend, attribution = _texts(name, legend, attribution)
    address = check_wms_url(url, loopback)
    names = check_wms_names(layers or address.layers_in_url)
    layer = ContextLayer(
        0,
        consultation_id,
        LayerKind.WMS,
        name,
        legend,
        attribution,
        wms_url=address.url,
        wms_layers=names,
    )
    return _stored(store, layer, who)


def add_file_layer(
    store: Store,
    consultation_id: str,
    actor: User,
    *,
    name: str,
    filename: str,
    data: bytes,
    legend: str,
    attribution: str = "",
    file_layer: str | None = None,
) -> ContextLayer:
    """Features from a GeoJSON or GeoPackage file on the consultation's map (a planner's
    action, audited); ``file_layer`` picks one of a GeoPackage's layers."""
    who = require(store, actor, Role.PLANNER)
    _room(store, consultation_id)
    name, legend, attribution = _texts(name, legend, attribution)
    try:
        features = geo.read_context_features(data, filename, layer=file_layer)
    except InvalidArea as exc:
        raise InvalidLayer(exc.key, **exc.params) from exc
    layer = ContextLayer(
        0,
        consultation_id,
        LayerKind.FILE,
        name,
        legend,
        attribution,
        geojson=features.geojson,
        points=features.points,
        lines=features.lines,
        areas=features.areas,
    )
    return _stored(store, layer, who)


def _stored(store: Store, layer: ContextLayer, who: User) -> ContextLayer:
    layer_id = store.add_context_layer(layer, who.username)
    return ContextLayer(**{**layer.__dict__, "id": layer_id})


def delete_layer(store: Store, layer_id: int, actor: User) -> None:
    """Take a layer off the map (a planner's action, audited)."""
    who = require(store, actor, Role.PLANNER)
    store.delete_context_layer(layer_id, who.username)


def map_origins(store: Store | None, consultation_id: str | None, loopback: bool = False) -> tuple[str, ...]:
    """The origins of the WMS layers of the consultation a page shows, when the public may
    see it (published or closed; a draft's layers widen no page's policy): with the tile
    server, the only hosts a page may load images from (``http_policy``; security N5).
    Origins stored before the rules of ``check_wms_url`` tightened are left out too."""
    if store is None or not consultation_id:
        return ()
    c = store.get_consultation(consultation_id)
    if c is None or c.status not in PUBLIC_STATUSES:
        return ()
    urls = [layer.wms_url for layer in store.context_layers(c.id) if layer.kind == LayerKind.WMS]
    return tuple(dict.fromkeys(origin(url) for url in urls if _allowed(url, loopback)))


def map_origins_at(path: Path | str, consultation_id: str | None, loopback: bool = False) -> tuple[str, ...]:
    """``map_origins`` of the store this process has open on ``path`` (none yet: no page
    has run, so no map has been sent either)."""
    return map_origins(Store.opened(path), consultation_id, loopback)


def _allowed(url: str, loopback: bool) -> bool:
    try:
        check_wms_url(url, loopback)
    except InvalidLayer:
        return False
    return True
