"""The medvirkningsrapport worth sending (#27): «vi hørte – vi gjør» per theme, charts under
the < 5 rule, hotspots that separate and are named, place names out of the word groups,
how the medvirkning was run and whom we did not hear from, and people counted «om lag»."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from docx import Document

from consultations.planning import activities
from consultations.casework import analysis, themes
from consultations.outputs import charts, feedback
from consultations.participation import places
from consultations.config import load_profile
from consultations.outputs.medvirkningsrapport import build_medvirkning_report, received_line
from consultations.model import InputDraft, Role
from consultations.permissions import NotAllowed
from consultations.casework.review import hide, tag
from consultations.store import Store
from consultations.participation.submission import submit_input
from tests.conftest import INSIDE, NOW, make_consultation, staff
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

PROFILE = load_profile("asker")
BORGEN = "borgen-tettstedsutvikling"
TRAFFIC = "Trafikk og trafikksikkerhet"
PHONE = "Fortau langs Skoleveien, ring meg på 912 34 567."


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def send(store, cid, text, session, k=0, **fields):
    draft = InputDraft(fields.pop("category", "Annet"), text, *fields.pop("at", INSIDE), **fields)
    return submit_input(store, cid, draft, session=session, now=NOW + timedelta(minutes=k)).id


@pytest.fixture
def heard(store):
    c = make_consultation("hort")
    store.add_consultation(c)
    kari = staff(store)
    ids = [send(store, c.id, f"Innspill {k} om trafikken ved skolen", f"p{k}", k, category=TRAFFIC) for k in range(4)]
    ids.append(send(store, c.id, PHONE, "p9", 9, category=TRAFFIC))
    hidden = send(store, c.id, "Et stygt personangrep som ikke skal trykkes.", "p10", 10, category=TRAFFIC)
    hide(store, [hidden], "Personangrep", kari)
    tag(store, ids[:2], "Skolevei", kari)
    return c, ids, kari


# -- «vi hørte – vi gjør» ------------------------------------------------------------------


def test_each_theme_is_prefilled_with_its_count_and_masked_quotes_from_published_inputs(store, heard):
    c, _ids, _kari = heard
    rows = {r.key: r for r in feedback.table(store, c.id)}
    assert set(rows) == {"tag:Skolevei", "category:Trafikk og trafikksikkerhet"}
    assert (
        rows["tag:Skolevei"].count == 2 and rows["category:Trafikk og trafikksikkerhet"].count == 5
    )  # the hidden one is out
    quotes = "\n".join(q for r in rows.values() for q in r.quotes)
    assert "912 34 567" not in quotes and "personangrep" not in quotes
    assert len(rows["category:Trafikk og trafikksikkerhet"].quotes) == 3
    assert not any(r.done for r in rows.values())


def test_a_follow_up_is_stored_audited_and_not_followed_up_needs_a_reason(store, heard):
    c, _ids, kari = heard
    for kind, text, reason, key in (
        ("ikke_fulgt_opp", "", "", "feedback.error.reason"),
        ("utredning", "", "", "feedback.error.text"),
        ("tull", "x", "", "feedback.error.kind"),
        ("", "Tekst uten type", "", "feedback.error.kind"),
    ):
        with pytest.raises(feedback.InvalidFollowUp) as err:
            feedback.set_follow_up(store, c.id, "category:Trafikk og trafikksikkerhet", kind, text, reason, kari)
        assert err.value.key == key
    with pytest.raises(feedback.InvalidFollowUp):
        feedback.set_follow_up(store, c.id, "nonsense", "utredning", "x", "", kari)
    assert store.follow_ups(c.id) == {}
    feedback.set_follow_up(
        store, c.id, "category:Trafikk og trafikksikkerhet", "utredning", "Trafikkanalyse, kap. 5", "", kari
    )
    feedback.set_follow_up(store, c.id, "tag:Skolevei", "ikke_fulgt_opp", "", "Utenfor planområdet", kari)
    rows = {r.key: r for r in feedback.table(store, c.id)}
    assert (
        rows["category:Trafikk og trafikksikkerhet"].kind == "utredning"
        and rows["category:Trafikk og trafikksikkerhet"].follow_up == "Trafikkanalyse, kap. 5"
    )
    assert rows["tag:Skolevei"].reason == "Utenfor planområdet"
    assert [e.action for e in store.audit_entries(text="follow_up")] == ["consultation.follow_up"] * 2
    with pytest.raises(NotAllowed):
        feedback.set_follow_up(
            store,
            c.id,
            "category:Trafikk og trafikksikkerhet",
            "utredning",
            "x",
            "",
            staff(store, "lena", Role.TEACHER),
        )


def test_a_follow_up_whose_theme_lost_its_inputs_stays_in_the_table(store, heard):
    c, _ids, kari = heard
    feedback.set_follow_up(store, c.id, "tag:Borte", "senere_fase", "Tas i neste fase", "", kari)
    row = next(r for r in feedback.table(store, c.id) if r.key == "tag:Borte")
    assert (row.count, row.follow_up) == (0, "Tas i neste fase")


def test_residents_see_the_table_only_once_published_and_only_answered_rows(store, heard):
    c, _ids, kari = heard
    with pytest.raises(feedback.InvalidFollowUp):
        feedback.publish(store, c.id, True, kari)  # nothing written yet
    feedback.set_follow_up(store, c.id, "category:Trafikk og trafikksikkerhet", "planprogram", "Kapittel 5.2", "", kari)
    assert feedback.public_table(store, c.id) == []
    feedback.publish(store, c.id, True, kari)
    shown = feedback.public_table(store, c.id)
    assert [r.key for r in shown] == ["category:Trafikk og trafikksikkerhet"]
    assert all("912 34 567" not in q for q in shown[0].quotes)
    feedback.publish(store, c.id, False, kari)
    assert feedback.public_table(store, c.id) == []


def test_the_report_has_the_table_with_the_follow_ups(store, heard):
    c, _ids, kari = heard
    feedback.set_follow_up(
        store, c.id, "category:Trafikk og trafikksikkerhet", "utredning", "Trafikkanalyse, kap. 5", "", kari
    )
    text = docx_text(build_medvirkning_report(store, c.id, profile=PROFILE, tiles=None))
    assert "Vi hørte – vi gjør" in text and "Trafikkanalyse, kap. 5" in text and "Utredes" in text
    assert "1 tema har ikke fått oppfølging ennå." in text


# -- charts ----------------------------------------------------------------------------------


def test_a_chart_draws_a_group_under_five_as_under_five_never_its_height():
    fig = charts.bar_chart("Alder", [("Under 18 år", "< 5"), ("30–49 år", 12)], "Deltakere")
    (ax,) = fig.axes
    small, large = ax.patches  # in the order drawn: the group under five first
    assert small.get_width() == analysis.SMALL_GROUP and small.get_hatch() and small.get_facecolor()[3] == 0
    assert large.get_width() == 12 and not large.get_hatch()
    assert [x.get_text() for x in ax.texts] == ["< 5", "12"]
    svg = charts.render(fig, "svg").decode()
    assert "&lt; 5" in svg and ">12<" in svg  # text stays text in the page's SVG
    assert charts.render(charts.bar_chart("Alder", [("A", 7)], "Deltakere"), "png").startswith(b"\x89PNG")


def test_the_reports_age_chart_takes_the_suppressed_counts(store, heard):
    c, _ids, _kari = heard
    from consultations.outputs.medvirkningsrapport import participation, report_charts

    frame = store.analysis_frame(c.id)
    frame = frame[frame["status"] != "hidden"].reset_index(drop=True)
    tables = participation(frame, "nb")
    figures = report_charts(c, frame, tables, "nb")
    shown = {x.get_text() for x in figures["age_group"].axes[0].texts}
    assert shown == {"0", "5"}  # five did not state their age; every known group is empty
    assert {x.get_text() for x in figures["channel"].axes[0].texts} == {"5"}
    tables["age_group"] = [type(tables["age_group"][0])("Under 18 år", "< 5")]
    assert [x.get_text() for x in report_charts(c, frame, tables, "nb")["age_group"].axes[0].texts] == ["< 5"]


# -- people are «om lag» -----------------------------------------------------------------------


def test_participants_are_about_as_many_as_browser_sessions_not_the_inputs():
    line = received_line(55, 41, "nb")
    assert line.startswith("55 innspill er mottatt, fra om lag 41 deltakere")
    assert "Deltakere: 55" not in line


# -- activities and whom we did not hear from -------------------------------------------------


def test_an_activity_is_checked_stored_and_printed(store, heard):
    c, _ids, kari = heard
    with pytest.raises(activities.InvalidActivity) as err:
        activities.add_activity(store, c.id, held_on=date(2026, 11, 20), place="", kind="mote", attended=3, actor=kari)
    assert err.value.key == "activities.error.place"
    with pytest.raises(activities.InvalidActivity):
        activities.add_activity(
            store, c.id, held_on=date(2026, 11, 20), place="Rådhuset", kind="fest", attended=3, actor=kari
        )
    with pytest.raises(activities.InvalidActivity):
        activities.add_activity(
            store, c.id, held_on=date(2026, 11, 20), place="Rådhuset", kind="mote", attended=-1, actor=kari
        )
    first = activities.add_activity(
        store, c.id, held_on=date(2026, 11, 20), place="Rådhuset", kind="mote", attended=40, actor=kari
    )
    activities.add_activity(
        store, c.id, held_on=date(2026, 11, 18), place="Borgen skole", kind="skolebesok", attended=None, actor=kari
    )
    assert [a.place for a in activities.activities(store, c.id)] == ["Borgen skole", "Rådhuset"]
    text = docx_text(build_medvirkning_report(store, c.id, profile=PROFILE, tiles=None))
    assert "Slik gjennomførte vi medvirkningen" in text and "Skolebesøk" in text and "Ikke talt" in text
    assert "Til sammen kom 40 personer på 2 aktiviteter" in text
    activities.remove_activity(store, c.id, first, kari)
    assert len(activities.activities(store, c.id)) == 1


def test_few_under_18_gives_the_section_5_1_note_and_the_suggestion_to_run_a_class(store, heard):
    c, _ids, _kari = heard
    text = docx_text(build_medvirkning_report(store, c.id, profile=PROFILE, tiles=None))
    assert "Hvem hørte vi ikke fra" in text
    assert "§ 5-1 andre ledd" in text and "la en skoleklasse delta" in text
    assert "Under 18 år" in text.split("Hvem hørte vi ikke fra")[1]


def test_enough_young_people_and_no_note():
    import pandas as pd

    from consultations.outputs.medvirkningsrapport import people

    c = make_consultation("x")
    frame = pd.DataFrame(
        {
            "id": range(10),
            "session_hash": [f"s{k}" for k in range(10)],
            "age_group": ["under_18"] * 5 + ["30_49"] * 5,
            "relation": [None] * 10,
            "channel": ["web"] * 10,
            "east": [None] * 10,
            "north": [None] * 10,
        }
    )
    found = activities.missing(frame, c, (), people=people(frame), classes_took_part=False, epsg=25832)
    assert not found.children_missing and "under_18" not in found.age_groups and "30_49" not in found.age_groups


# -- the Borgen demo -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def borgen(demo_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("borgen") / "demo.duckdb"
    path.write_bytes(demo_db.read_bytes())  # the demo the run seeded once
    store = Store.open(path)
    yield store
    store.close()


def test_the_borgen_demo_has_at_least_three_separated_hotspots_named_by_street_and_place(borgen):
    c = borgen.get_consultation(BORGEN)
    frame = borgen.analysis_frame(c.id)
    streets = places.street_places(borgen, c.area, PROFILE.working_crs)
    spots = analysis.hotspots(frame, analysis.load_places(PROFILE), epsg=PROFILE.working_crs, streets=streets)
    assert len(spots) >= 3
    assert max(s.size for s in spots) < 0.5 * int(frame["lon"].notna().sum())  # no one spot holds them all
    assert len({s.street for s in spots}) >= 3 and all(s.place == "Borgen" for s in spots)
    for a in spots:  # compact: no hotspot wider than twice DBSCAN's reach
        members = frame[frame["id"].isin(a.input_ids)]
        span = (members[["east", "north"]].max() - members[["east", "north"]].min()).to_numpy()
        assert (span**2).sum() ** 0.5 <= 400 + 40


def test_place_names_form_no_word_group(borgen):
    c = borgen.get_consultation(BORGEN)
    frame = borgen.analysis_frame(c.id)
    streets = places.street_places(borgen, c.area, PROFILE.working_crs)
    words = themes.place_stop_words([p.name for p in (*analysis.load_places(PROFILE), *streets)] + ["Asker"])
    assert {"borgen", "sentrum", "asker", "bondivann"} <= words
    plain = {t for theme in themes.themes(frame[["id", "category", "text"]]) for t in theme.terms}
    found = {t for theme in themes.themes(frame[["id", "category", "text"]], place_words=words) for t in theme.terms}
    assert plain & {"borgen", "bondivann", "asker", "sentrum"}  # without the stop words they are there
    assert not found & {"borgen", "bondivann", "asker", "sentrum"}


@pytest.mark.skipif(
    not shutil.which("soffice") or not shutil.which("pdfimages"), reason="LibreOffice / poppler missing"
)
def test_the_borgen_medvirkningsrapport_renders_with_its_table_hotspots_charts_and_new_sections(borgen, tmp_path):
    data = build_medvirkning_report(borgen, BORGEN, profile=PROFILE, tiles=None)
    text = docx_text(data)
    for heading in ("Slik gjennomførte vi medvirkningen", "Hvem hørte vi ikke fra", "Vi hørte – vi gjør"):
        assert heading in text
    assert "Fartsnivå og krysningspunkter" in text and "Ikke fulgt opp" in text and "Ruters ansvar" in text
    assert "fra om lag" in text and "Deltakere: 55" not in text
    assert len(re.findall(r"\n\d\n[^\n]+, \d+ m [a-zøæå]+ for Borgen\n", text)) >= 3
    docx = tmp_path / "rapport.docx"
    docx.write_bytes(data)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = tmp_path / "rapport.pdf"
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    images = [line for line in listing.splitlines()[2:] if line.split()[2] == "image"]
    assert len(images) == 6  # four charts, the map and the per-category maps
    body = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Vi hørte – vi gjør" in body and "Hvem hørte vi ikke fra" in body
