"""The planners' summary (Oppsummering tab) under AppTest, on the demo data."""

from __future__ import annotations

from tests.conftest import log_in

BORGEN = "borgen-tettstedsutvikling"


def summary(app):
    at = log_in(app, "pages/gjennomgang.py")
    at.selectbox(key="review-consultation").set_value(BORGEN)
    return at.run()


def test_summary_shows_totals_charts_map_themes_and_groups(app):
    at = summary(app)
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Innspill"] == "55" and metrics["Med sted i kartet"].endswith("%")
    assert len(at.get("vega_lite_chart")) == 3  # per category, supports, per day
    subheaders = [s.value for s in at.subheader]
    for heading in ("Hvor", "Hva", "Hvem", "Mest støttede innspill"):
        assert heading in subheaders
    assert any(e.label.startswith("Tema 1:") for e in at.expander)
    # demographics never show a group of 1–4 as a number
    tables = [df.value for df in at.dataframe]
    counts = [str(v) for table in tables if "Antall" in table.columns for v in table["Antall"]]
    assert counts and all(c == "< 5" or c == "0" or int(c) >= 5 for c in counts)


def test_summary_follows_the_filter(app):
    at = summary(app)
    at.multiselect(key=f"review-{BORGEN}-filter-category").set_value(["Kollektivtransport"])
    at.run()
    metrics = {m.label: m.value for m in at.metric}
    assert 0 < int(metrics["Innspill"]) < 55
