from __future__ import annotations

from pathlib import Path

import pytest

from consultations.config import TILE_PRESETS, load_settings, parse_tiles
from consultations.errors import ConfigError


def test_defaults_are_kartverket_topo_and_the_data_folder(tmp_path):
    s = load_settings({}, secrets_path=tmp_path / "none.toml")
    assert s.db_path == Path("data/kartinnspill.duckdb")
    assert "cache.kartverket.no" in s.tiles.url and "/topo/" in s.tiles.url
    assert "{z}/{y}/{x}" in s.tiles.url  # Kartverket's cache has y before x
    assert "Kartverket" in s.tiles.attribution
    assert s.demo is False
    assert s.profile.name == "Asker kommune" and s.profile.working_crs == 25832


@pytest.mark.parametrize("name", ["kartverket-topo", "kartverket-graatone", "osm"])
def test_every_tile_preset_has_an_attribution(name):
    layer = parse_tiles(name)
    assert layer.attribution and layer.url.startswith("https://")


def test_graatone_uses_the_grey_layer():
    assert "/topograatone/" in parse_tiles("kartverket-graatone").url
    assert "OpenStreetMap" in TILE_PRESETS["osm"].attribution


def test_none_means_no_base_map():
    assert parse_tiles("none") is None


@pytest.mark.parametrize("url", ["http://127.0.0.1:9000/tiles/{z}/{x}/{y}.png", "https://kart.example/{z}/{y}/{x}"])
def test_custom_url_template_in_either_axis_order(url):
    layer = parse_tiles(url, "© Eksempel")
    assert layer.url == url and layer.attribution == "© Eksempel"


def test_custom_url_without_attribution_names_its_host():
    assert parse_tiles("https://kart.example/{z}/{x}/{y}.png").attribution == "kart.example"


@pytest.mark.parametrize(
    "value, key",
    [
        ("googlemaps", "config.tiles_invalid"),
        ("file:///etc/{z}/{x}/{y}", "config.tiles_invalid"),
        ("https://kart.example/{z}/{x}.png", "config.tiles_placeholders"),
    ],
)
def test_bad_tile_setting_gets_a_clear_message(value, key):
    with pytest.raises(ConfigError) as info:
        parse_tiles(value)
    assert info.value.key == key and "KARTINNSPILL_TILES" in info.value.message()


def test_environment_wins_over_secrets_toml(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('KARTINNSPILL_DB = "fra-secrets.duckdb"\nKARTINNSPILL_TILES = "osm"\n')
    s = load_settings({"KARTINNSPILL_TILES": "none", "KARTINNSPILL_DEMO": "1"}, secrets)
    assert s.db_path == Path("fra-secrets.duckdb")
    assert s.tiles is None and s.demo is True


def test_unknown_profile_is_refused():
    with pytest.raises(ConfigError):
        load_settings({"KARTINNSPILL_PROFILE": "../etc/passwd"})


def test_base_map_comes_from_the_municipality_profile_unless_the_environment_says_otherwise(tmp_path):
    from consultations.config import load_profile

    assert load_profile("asker").tiles == "kartverket-topo"
    assert load_settings({}, tmp_path / "none.toml").tiles.url == parse_tiles("kartverket-topo").url
    assert load_settings({"KARTINNSPILL_TILES": "osm"}, tmp_path / "none.toml").tiles.url.startswith(
        "https://tile.openstreetmap"
    )
