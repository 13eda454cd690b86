"""leaflet.draw for the staff's area drawing: self-hosted like every other map asset."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import branca
import folium
import folium.elements
import folium.plugins
import pytest
from streamlit_folium import _get_header, _get_html, _get_map_string

from consultations import assets
from consultations.config import load_settings
from consultations.ui.maps import consultation_map, draw_map, overview_map, use_local_assets
from tests.conftest import BORGEN_SQUARE, make_consultation

ROOT = Path(__file__).resolve().parent.parent
DRAW = assets.LEAFLET_DRAW
URL = re.compile(r"""(?:https?:)?//[^\s"'<>)\\]+""")


def settings(tiles: str, tmp_path: Path):
    return load_settings({"KARTINNSPILL_TILES": tiles}, secrets_path=tmp_path / "none.toml")


def sent_to_browser(m: folium.Map) -> tuple[str, list[str]]:
    """What st_folium sends: header, html and script, and the js/css links it collects
    by walking the map for default_js/default_css (as in streamlit_folium.st_folium)."""

    def walk(fig):
        if isinstance(fig, branca.colormap.ColorMap):
            yield fig
        if isinstance(fig, folium.elements.JSCSSMixin):
            yield fig
        for child in getattr(fig, "_children", {}).values():
            yield from walk(child)

    links: list[str] = []
    for elem in walk(m):
        assert not isinstance(elem, branca.colormap.ColorMap)  # would add d3 from a CDN
        links += [href for _, href in getattr(elem, "default_css", [])]
        links += [src for _, src in getattr(elem, "default_js", [])]
    m.get_root().render()  # the order st_folium uses: render, html, header, script
    m.render()
    text = "\n".join((_get_html(m), _get_header(m), _get_map_string(m)))
    return text, list(dict.fromkeys(links))


@pytest.fixture(autouse=True)
def local_assets():
    use_local_assets()


def test_draw_map_loads_only_the_apps_own_files(tmp_path):
    s = settings("kartverket-topo", tmp_path)
    text, links = sent_to_browser(draw_map(s, BORGEN_SQUARE))
    assert DRAW.url("leaflet.draw.js") in links and DRAW.url("leaflet.draw.css") in links
    assert all(link.startswith("/app/static/vendor/") for link in links), links
    assert "cdnjs" not in text and "cdn." not in text
    tile_host = urlparse(s.tiles.url).netloc
    hosts = {urlparse(u if u.startswith("http") else "https:" + u).netloc for u in URL.findall(text)}
    attribution_hosts = {urlparse(u).netloc for u in URL.findall(s.tiles.attribution)}
    assert tile_host in hosts  # the configured tile server is the one outside address…
    assert hosts <= {tile_host} | attribution_hosts  # …besides the attribution's link


def test_without_tiles_the_draw_map_names_no_outside_address(tmp_path):
    text, links = sent_to_browser(draw_map(settings("none", tmp_path)))
    assert links and all(link.startswith("/app/static/vendor/") for link in links)
    assert URL.findall(text) == []


def test_draw_control_offers_polygons_and_rectangles_only_with_edit_and_remove(tmp_path):
    text, _ = sent_to_browser(draw_map(settings("none", tmp_path), BORGEN_SQUARE))
    assert "new L.Control.Draw" in text
    for shape in ("polyline", "circle", "circlemarker", "marker"):
        assert re.search(rf'"{shape}": false', text), shape
    assert '"polygon": {"allowIntersection": false' in text and '"rectangle": {' in text
    assert '"edit": true' in text and '"remove": true' in text
    assert "id='export'" not in text  # no export button
    # the current area sits in the control's own layer group, so it can be edited
    (group,) = re.findall(r"var drawnItems =\s*(feature_group_\w+);", text)
    assert f"{group}.addTo(map_div)" in re.sub(r"\s+", "", text)
    assert text.count("L.polygon(") == 1 and "[59.822, 10.405]" in text


def test_draw_map_without_area_starts_from_the_municipality(tmp_path):
    s = settings("none", tmp_path)
    m = draw_map(s)
    assert m.location == list(s.profile.centre)
    text, _ = sent_to_browser(m)
    assert "L.polygon(" not in text and "fitBounds" not in text


def test_other_maps_do_not_load_leaflet_draw(tmp_path):
    s = settings("none", tmp_path)
    c = make_consultation()
    for m in (overview_map(s, [c], "nb"), consultation_map(s, c, [], "nb")):
        text, links = sent_to_browser(m)
        assert not any("draw" in link for link in links) and "L.Control.Draw" not in text


def test_installed_draw_files_are_really_there():
    assert assets.missing() == []
    for file in DRAW.files:
        path = assets.VENDOR / DRAW.folder / file
        assert path.stat().st_size > 500, file
    js = (assets.VENDOR / DRAW.folder / "leaflet.draw.js").read_text()
    assert js.lstrip("/* \n").startswith("Leaflet.draw 1.0.4")
    css = (assets.VENDOR / DRAW.folder / "leaflet.draw.css").read_text()
    assert set(re.findall(r"url\('?([^')]+)'?\)", css)) == {
        "images/spritesheet.png",
        "images/spritesheet-2x.png",
        "images/spritesheet.svg",
    }


def test_install_fills_an_empty_folder_from_the_downloaded_wheel(tmp_path):
    vendor = tmp_path / "vendor"
    assert f"{DRAW.folder}/leaflet.draw.js" in assets.missing(vendor)
    n = assets.install(vendor)
    assert assets.missing(vendor) == [] and (vendor / ".installed").exists()
    assert n == sum(len(a.files) for a in (*assets.ASSETS, *assets.WHEEL_ASSETS))
    for file in DRAW.files:
        assert (vendor / DRAW.folder / file).read_bytes() == (assets.VENDOR / DRAW.folder / file).read_bytes()


def test_a_wheel_with_another_checksum_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / f"django_leaflet-{DRAW.version}-py3-none-any.whl", "w") as z:
        z.writestr(DRAW.prefix + "leaflet.draw.js", "alert('not the real one')")
    with pytest.raises(RuntimeError, match="SHA-256"):
        assets.fetch_wheel(DRAW, tmp_path)


def test_the_pin_is_the_same_in_assets_makefile_and_pyproject():
    assert f"DRAW_WHEEL := {DRAW.requirement}\n" in (ROOT / "Makefile").read_text()
    assert DRAW.requirement in (ROOT / "pyproject.toml").read_text()


def test_maps_that_may_open_in_a_hidden_tab_get_their_view_from_the_server():
    """fitBounds in a tab that is not open zooms to the maximum; these maps set centre and
    zoom themselves, and the whole area fits a 600 × 380 map."""
    from consultations.ui.maps import view

    (lat, lon), zoom = view((10.405, 59.822, 10.422, 59.830))
    assert (round(lat, 3), round(lon, 4)) == (59.826, 10.4135) and zoom == 15
    # one zoom step further and the area would no longer fit
    tiles_wide = 600 / 256
    assert (10.422 - 10.405) <= 360 / 2**zoom * tiles_wide < 2 * (10.422 - 10.405) * 2
