"""An IPv6 address counts as its /64 (security finding N4): before, each of a home's 2^64
addresses had its own budget for submissions, supports, login tries and class codes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from consultations import addresses
from consultations.config import load_settings
from consultations.errors import ConfigError, InvalidInput
from consultations.model import InputDraft
from consultations.ratelimit import Limit, Limits, RateLimiter
from consultations.participation.submission import submit_input
from consultations.ui import context
from tests.conftest import INSIDE, NOW


@pytest.mark.parametrize(
    "address, prefix, key",
    [
        ("2001:db8:1:2:aaaa::1", 64, "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", 64, "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", 64, "2001:db8:1:3::/64"),
        ("2001:db8:1:3::1", 56, "2001:db8:1::/56"),
        ("2001:db8:1:3::1", 128, "2001:db8:1:3::1/128"),
        ("::ffff:192.0.2.7", 64, "192.0.2.7"),
        ("192.0.2.7", 64, "192.0.2.7"),
        ("unknown", 64, "unknown"),
        (None, 64, None),
    ],
)
def test_an_ipv6_address_counts_as_its_network_and_ipv4_as_itself(address, prefix, key):
    assert addresses.rate_key(address, prefix) == key


def _connection(monkeypatch, peer: str, prefix: int | None = None) -> None:
    """The app's view of a browser connected from ``peer`` (no proxy in between)."""
    monkeypatch.setattr(context, "_client_context", lambda: SimpleNamespace(headers=[], remote_ip=peer))
    settings = load_settings()
    if prefix is not None:
        limits = Limits(ipv6_prefix=prefix)
        settings = SimpleNamespace(trusted_proxies=(), profile=SimpleNamespace(limits=limits))
    monkeypatch.setattr(context, "settings", lambda: settings)
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "")


def test_two_addresses_of_one_home_share_the_address_budget(monkeypatch, store, consultation):
    limits = Limits(submit_per_session=Limit(100, 100), submit_per_address=Limit(burst=2, per_hour=1))
    limiter = RateLimiter()
    keys = []
    for n, peer in enumerate(["2001:db8:1:2::a", "2001:db8:1:2::b", "2001:db8:1:2:dead:beef:0:1"]):
        _connection(monkeypatch, peer)
        keys.append(context.client_address())
        draft = InputDraft(consultation.categories[0], f"Innspill nummer {n} om krysset.", lat=INSIDE[0], lon=INSIDE[1])
        send = lambda: submit_input(  # noqa: E731
            store, consultation.id, draft, session=f"tab-{n}", address=keys[-1], now=NOW, limiter=limiter, limits=limits
        )
        if n < 2:
            send()
        else:
            with pytest.raises(InvalidInput) as refused:
                send()
            assert refused.value.key == "input.rate_limited"
    assert set(keys) == {"2001:db8:1:2::/64"}


def test_the_prefix_is_the_profile_s(monkeypatch):
    _connection(monkeypatch, "2001:db8:1:2::a", prefix=48)
    assert context.client_address() == "2001:db8:1::/48"


@pytest.mark.parametrize("value", [8, 129, "64", True])
def test_a_prefix_that_is_not_one_stops_the_app_with_a_message(value):
    with pytest.raises(ValueError):
        Limits.from_profile({"ipv6_prefix": value})
    from consultations.config import _limits

    with pytest.raises(ConfigError):
        _limits("asker", {"ipv6_prefix": value})


def test_the_shipped_profile_counts_a_slash_64():
    assert load_settings().profile.limits.ipv6_prefix == 64
    assert Limits.from_profile({"ipv6_prefix": 56}).ipv6_prefix == 56
