"""Whose address a request is counted against: the socket peer, or a trusted proxy's word."""

from __future__ import annotations

import pytest

from consultations.addresses import (
    client_address,
    forwarded_chain,
    parse_networks,
    server_trust,
    socket_peer,
)
from consultations.config import load_settings
from consultations.errors import ConfigError

PROXY = parse_networks("10.0.0.5")
PROXIES = parse_networks("10.0.0.5, 192.168.10.0/24, 2001:db8::/32")
LOOPBACK = parse_networks("127.0.0.1, ::1")


def test_forwarded_header_from_an_untrusted_peer_is_ignored():
    assert client_address("203.0.113.9", ["1.2.3.4"], ()) == "203.0.113.9"
    assert client_address("203.0.113.9", ["1.2.3.4"], PROXY) == "203.0.113.9"


def test_forwarded_header_from_a_trusted_proxy_gives_the_right_most_untrusted_address():
    # the visitor wrote "6.6.6.6" themselves; the proxy appended the real peer 198.51.100.7
    assert client_address("10.0.0.5", ["6.6.6.6", "198.51.100.7"], PROXY) == "198.51.100.7"


def test_a_chain_of_trusted_proxies_is_walked_back_to_the_first_untrusted_hop():
    chain = ["6.6.6.6", "198.51.100.7", "192.168.10.20", "10.0.0.5"]
    assert client_address("192.168.10.3", chain, PROXIES) == "198.51.100.7"


def test_a_trusted_proxy_with_no_header_is_itself_the_client():
    assert client_address("10.0.0.5", [], PROXY) == "10.0.0.5"


def test_when_every_hop_is_a_trusted_proxy_the_first_one_is_the_client():
    assert client_address("10.0.0.5", ["192.168.10.9", "10.0.0.5"], PROXIES) == "192.168.10.9"


def test_garbage_in_the_header_is_never_taken_for_a_trusted_proxy():
    assert client_address("10.0.0.5", ["1.2.3.4", "unknown"], PROXY) == "unknown"


def test_ipv6_proxies_and_ipv4_mapped_addresses_are_matched():
    assert client_address("2001:db8::1", ["198.51.100.7"], PROXIES) == "198.51.100.7"
    assert client_address("::ffff:10.0.0.5", ["198.51.100.7"], PROXIES) == "198.51.100.7"


def test_a_loopback_peer_keeps_its_address_so_limits_stay_on():
    assert client_address("127.0.0.1", [], ()) == "127.0.0.1"
    assert client_address("::1", ["1.2.3.4"], ()) == "::1"


def test_no_peer_at_all_is_no_address():
    assert client_address(None, ["1.2.3.4"], PROXY) is None


def test_forwarded_values_are_split_joined_and_stripped_of_ports():
    values = ["1.2.3.4:5678, [2001:db8::7]:443", " , 5.6.7.8", "2001:db8::9"]
    assert forwarded_chain(values) == ["1.2.3.4", "2001:db8::7", "5.6.7.8", "2001:db8::9"]


def test_uvicorns_rewrite_for_a_loopback_peer_is_undone():
    # uvicorn (FORWARDED_ALLOW_IPS unset) replaced the loopback peer by the header's entry
    chain = ["6.6.6.6"]
    assert socket_peer("6.6.6.6", chain, server_trust(None)) == "127.0.0.1"
    # … so with no trusted proxy of our own, the forged header does not count
    assert client_address(socket_peer("6.6.6.6", chain, server_trust(None)), chain, ()) == "127.0.0.1"
    # and with the loopback proxy trusted, the right-most untrusted entry does
    chain = ["6.6.6.6", "198.51.100.7"]
    peer = socket_peer("198.51.100.7", chain, server_trust(None))
    assert client_address(peer, chain, LOOPBACK) == "198.51.100.7"


def test_a_peer_the_server_did_not_rewrite_is_the_peer():
    assert socket_peer("203.0.113.9", ["1.2.3.4"], server_trust(None)) == "203.0.113.9"
    assert socket_peer("203.0.113.9", [], server_trust(None)) == "203.0.113.9"
    # FORWARDED_ALLOW_IPS="" : uvicorn never rewrites, the reported peer is the socket's
    assert server_trust("") == ()
    assert socket_peer("6.6.6.6", ["6.6.6.6"], server_trust("")) == "6.6.6.6"


def test_a_server_trusting_everyone_cannot_be_used_to_pick_an_address():
    everyone = server_trust("*")
    peer = socket_peer("6.6.6.6", ["6.6.6.6"], everyone)
    assert client_address(peer, ["6.6.6.6"], ()) == "0.0.0.0"


@pytest.mark.parametrize("value", ["10.0.0.300", "10.0.0.0/40", "proxy.example", "10.0.0.5;"])
def test_a_trusted_proxy_setting_with_a_bad_entry_is_refused_with_its_name(value):
    with pytest.raises(ConfigError) as info:
        load_settings({"KARTINNSPILL_TRUSTED_PROXIES": f"10.0.0.1, {value}"}, secrets_path=_nowhere())
    assert info.value.key == "config.networks_invalid" and value in info.value.message()


def test_trusted_proxies_default_to_none_and_read_addresses_and_networks():
    assert load_settings({}, secrets_path=_nowhere()).trusted_proxies == ()
    settings = load_settings({"KARTINNSPILL_TRUSTED_PROXIES": "127.0.0.1, 10.1.0.0/16,::1"}, secrets_path=_nowhere())
    assert [str(n) for n in settings.trusted_proxies] == ["127.0.0.1/32", "10.1.0.0/16", "::1/128"]


def _nowhere():
    from pathlib import Path

    return Path("/nonexistent/secrets.toml")
