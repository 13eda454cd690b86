"""The planners' summary (Oppsummering) with drawn routes and areas, under AppTest on the
demo data: Heggedal's school routes as a route-density layer with its legend, its drawn
areas as a layer, and the counts of points, lines and areas."""

from __future__ import annotations

import json
import re

from consultations.model import Role
from tests.conftest import log_in_as, staff

HEGGEDAL = "heggedal-tettstedsutvikling"
BORGEN = "borgen-tettstedsutvikling"


def summary(app, cid: str):
    log_in_as(app, staff(app.store(), "kari", Role.PLANNER).id)
    app.switch_page("pages/gjennomgang.py")
    at = app.run()
    at.selectbox(key="review-consultation").set_value(cid)
    return at.run()


def map_scripts(at) -> list[str]:
    return [
        json.loads(e.proto.json_args)["script"]
        for e in at.get("component_instance")
        if "st_folium" in e.proto.component_name
    ]


def legend(script: str) -> str:
    """The legend's HTML as the map shows it."""
    return json.loads(re.search(r"div\.innerHTML = (\".*?\");", script)[1])


def test_the_summary_shows_where_routes_run_most_and_the_drawn_areas(demo_app):
    at = summary(demo_app, HEGGEDAL)
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    assert "Punkter: 27 · Streker: 40 · Områder: 5" in captions
    assert "Streker og områder" in [s.value for s in at.subheader]
    assert any("50 × 50 meter (EPSG:25832)" in c for c in captions)
    routes = [s for s in map_scripts(at) if "ki-legend" in s]
    assert len(routes) == 1
    script = routes[0]
    # the legend: one class per colour up to the busiest cell (every route ends at the school)
    shown = legend(script)
    assert re.search(r"\d+–40 streker i ruten", shown)
    assert "5 tegnede områder" in shown
    # the density layer: 50 m cells with their number of routes, darker where more run
    counts = [int(n) for n in re.findall(r'"count": (\d+)', script)]
    assert max(counts) == 40 and min(counts) >= 1 and len(counts) > 40
    assert "#08306b" in script  # the darkest class is used
    busiest = next(c for c in captions if c.startswith("Flest streker gjennom én rute"))
    assert "40" in busiest


def test_the_routes_follow_the_filter(demo_app):
    at = summary(demo_app, HEGGEDAL)
    at.multiselect(key=f"review-{HEGGEDAL}-filter-category").set_value(["Gange og sykkel"])
    at.run()
    captions = [c.value for c in at.caption]
    shapes = next(c for c in captions if c.startswith("Punkter:"))
    lines = int(re.search(r"Streker: (\d+)", shapes)[1])
    assert 0 < lines < 40
    (script,) = [s for s in map_scripts(at) if "ki-legend" in s]
    assert max(int(n) for n in re.findall(r'"count": (\d+)', script)) == lines


def test_a_consultation_without_drawings_has_no_route_map(demo_app):
    at = summary(demo_app, BORGEN)
    assert not at.exception, at.exception
    assert "Streker og områder" not in [s.value for s in at.subheader]
    assert any(c.value.startswith("Punkter:") and "Streker: 0" in c.value for c in at.caption)
    assert not [s for s in map_scripts(at) if "ki-legend" in s]
