"""Whose network address a request comes from, for rate limits only.

The only fact nobody outside can forge is the socket peer: the machine at the other end of
the TCP connection. ``X-Forwarded-For`` is whatever the sender wrote, except for the entries
that trusted proxies appended themselves. So the header counts only when the peer is one of
the operator's trusted proxies (``KARTINNSPILL_TRUSTED_PROXIES``), and then only up to the
right-most address that is not itself a trusted proxy: everything left of that was written
by someone we do not trust.

Streamlit ≥ 1.57 runs on uvicorn, whose proxy-headers middleware replaces the peer with an
``X-Forwarded-For`` entry when the peer is in ``FORWARDED_ALLOW_IPS`` (default ``127.0.0.1,
::1``), before the app sees it. :func:`socket_peer` undoes that, so the decision here is the
app's alone; starting the server with ``FORWARDED_ALLOW_IPS=""`` avoids the guesswork.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from .errors import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Networks = tuple[Network, ...]

# uvicorn's default trust when FORWARDED_ALLOW_IPS is not set
UVICORN_DEFAULT_TRUST = "127.0.0.1,::1"


def parse_networks(value: str, setting: str = "KARTINNSPILL_TRUSTED_PROXIES") -> Networks:
    """Comma-separated addresses or CIDR networks; ``""`` is none. A bad entry is a
    ``ConfigError`` naming it (a typo must not silently trust nobody, or everybody)."""
    networks: list[Network] = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError("config.networks_invalid", setting=setting, value=item) from None
    return tuple(networks)


def server_trust(value: str | None) -> Networks:
    """The networks whose ``X-Forwarded-For`` uvicorn applies itself, from its
    ``FORWARDED_ALLOW_IPS`` value (``None``: unset, its default). ``*`` trusts everyone.
    Entries uvicorn would keep as literals (not addresses) never match a peer: ignored."""
    if value is None:
        value = UVICORN_DEFAULT_TRUST
    if value.strip() == "*":
        return (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))
    networks = []
    for item in (part.strip() for part in value.split(",")):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            continue
    return tuple(networks)


def forwarded_chain(header_values: Iterable[str]) -> list[str]:
    """The hosts of every ``X-Forwarded-For`` header, in order (several headers are one
    list, as RFC 7230 joins them), without ports or brackets; empty entries dropped."""
    chain = []
    for value in header_values:
        for item in value.split(","):
            host = _host(item.strip())
            if host:
                chain.append(host)
    return chain


def _host(item: str) -> str:
    """``1.2.3.4``, ``1.2.3.4:5678``, ``[::1]:80``, ``::1`` → the address part."""
    if item.startswith("["):
        end = item.find("]")
        return item[1:end] if end > 0 else item
    if item.count(":") == 1:
        return item.split(":", 1)[0]
    return item


def _in(address: str, networks: Networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False  # not an address (garbage, "unknown"): never a trusted proxy
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in networks)


def _rightmost_untrusted(chain: Sequence[str], trusted: Networks) -> str:
    for host in reversed(chain):
        if not _in(host, trusted):
            return host
    return chain[0]  # every hop a trusted proxy: the first one is the client


def socket_peer(seen: str | None, chain: Sequence[str], server_trusted: Networks) -> str | None:
    """The socket peer, given the address the server reports (``seen``), which uvicorn has
    replaced by the right-most ``X-Forwarded-For`` entry outside ``server_trusted`` when the
    real peer was inside it. When ``seen`` is exactly that entry, the peer was (or claims
    what it would be, for its own address) one of ``server_trusted``: the first of them
    stands for it — by default ``127.0.0.1``, a loopback proxy."""
    if seen is None or not chain or not server_trusted:
        return seen
    if seen != _rightmost_untrusted(chain, server_trusted):
        return seen
    return str(server_trusted[0].network_address)


def forwarded_https(peer: str | None, proto: str | None, trusted: Networks) -> bool:
    """Whether the browser spoke https to a trusted proxy (``peer``, the socket peer) that
    says so in ``X-Forwarded-Proto`` (its last entry: the one the proxy itself added)."""
    if peer is None or not proto or not _in(peer, trusted):
        return False
    return proto.split(",")[-1].strip().lower() == "https"


def client_address(peer: str | None, chain: Sequence[str], trusted: Networks) -> str | None:
    """The address to count a request against: the socket ``peer``, or — only when the peer
    is a trusted proxy — the right-most ``X-Forwarded-For`` entry that is not a trusted proxy
    itself. ``None`` only without any peer (no connection, as in tests without a server).
    A loopback peer is an address like any other: limits stay on for it."""
    if peer is None:
        return None
    if chain and _in(peer, trusted):
        return _rightmost_untrusted(chain, trusted)
    return peer


def rate_key(address: str | None, ipv6_prefix: int = 64) -> str | None:
    """What a rate limit counts ``address`` as: an IPv4 address as it is, an IPv6 address
    as its network of ``ipv6_prefix`` bits (``2001:db8:1:2::/64``): one home or office has a
    whole /64, 2^64 addresses to rotate through (security N4). An IPv4 address written as
    IPv6 (``::ffff:192.0.2.1``) is the IPv4 address; what is not an address stays as it is."""
    if address is None:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/{ipv6_prefix}", strict=False))
