"""The merknadsbehandling report (.docx) read back with python-docx: facts, map, and the
table per theme and category with Norwegian outcomes, hidden inputs and names left out."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import timedelta

import docx
import pytest

from consultations.model import Channel, InputDraft, InputStatus, Outcome, Response, SenderType
from consultations.report import build_report
from consultations.submission import register_input, submit_input
from tests.conftest import INSIDE, NOW, make_consultation, staff

PRIVATE = "Kari Nordmann"
ORGANISATION = "Borgen Vel"
HIDDEN_TEXT = "Dette innspillet er skjult av saksbehandler."
HEADER = ["Nr", "Dato", "Avsender", "Sammendrag", "Vurdering", "Konklusjon"]


@pytest.fixture
def answered(store):
    c = make_consultation(plan_id="3203202501")
    store.add_consultation(c)

    def web(category, text, session, **kw):
        return submit_input(store, c.id, InputDraft(category, text, *INSIDE, **kw), session=session, now=NOW).id

    def letter(category, text, sender_type, name):
        return register_input(
            store, c.id, InputDraft(category, text), channel=Channel.LETTER, sender_type=sender_type,
            sender_name=name, received_at=NOW - timedelta(days=2), actor=staff(store, "planner"), now=NOW,
        ).id  # fmt: skip

    ids = {
        "speed": web("Trafikk og trafikksikkerhet", "Bilene kjører for fort forbi skolen.", "a"),
        "crossing": web("Trafikk og trafikksikkerhet", "Vi trenger et gangfelt ved butikken.", "b"),
        "park": web("Grøntområder, natur og friluftsliv", "Ta vare på skogen bak skolen. " * 30, "c"),
        "bench": web("Sentrum og møteplasser", "Flere benker på torget, takk.", "d"),
        "private": letter("Gange og sykkel", "Brev om gangvei langs Nesbruveien.", SenderType.PRIVATE, PRIVATE),
        "club": letter("Gange og sykkel", "Velforeningen ønsker sykkelparkering.", SenderType.ORGANISATION, ORGANISATION),
        "hidden": web("Annet", HIDDEN_TEXT, "e"),
        "held": web("Annet", "Et innspill som holdes utenfor rapporten.", "f"),
        "copy": web("Trafikk og trafikksikkerhet", "Bilene kjører for fort forbi skolen!", "g"),
    }  # fmt: skip
    store.mark_duplicate(ids["copy"], ids["speed"], "planner")
    store.add_theme([ids["speed"], ids["crossing"], ids["private"]], "Skolevei", "planner")
    store.add_theme([ids["speed"]], "Fart", "planner")  # first theme alphabetically: Fart
    store.set_input_status([ids["hidden"]], InputStatus.HIDDEN, "planner", reason="Sjikane")
    store.save_response(
        [ids["speed"], ids["crossing"]],
        Response(0, "Ønsker tryggere skolevei.", "Fartsdemping vurderes.", Outcome.PARTLY, "Ny fartshump."),
        "planner",
    )
    store.save_response(
        [ids["private"]], Response(0, "Gangvei langs Nesbruveien.", "Utenfor planområdet.", Outcome.NOT_TAKEN), "planner"
    )
    store.save_response([ids["club"]], Response(0, "Sykkelparkering.", "Tas inn.", Outcome.TAKEN), "planner")
    return c, ids


def _read(data: bytes):
    return docx.Document(io.BytesIO(data))


def _text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _groups(document) -> dict[str, list[list[str]]]:
    """Heading 2 (theme or category) → the rows of the table that follows it."""
    body = document.element.body
    groups, heading = {}, None
    tables = iter(document.tables)
    paragraphs = {p._p: p for p in document.paragraphs}
    for child in body.iterchildren():
        if child in paragraphs and paragraphs[child].style.name == "Heading 2":
            heading = paragraphs[child].text
        elif child.tag.endswith("}tbl"):
            table = next(tables)
            rows = [[c.text for c in r.cells] for r in table.rows]
            if heading and rows[0] == HEADER:
                groups[heading] = rows[1:]
    return groups


def test_the_table_has_one_group_per_theme_then_per_category(store, answered):
    c, ids = answered
    groups = _groups(_read(build_report(store, c.id, exclude_ids=[ids["held"]], now=NOW)))
    assert list(groups) == [
        "Tema: Fart (1 innspill)",
        "Tema: Skolevei (2 innspill)",
        "Kategori: Trafikk og trafikksikkerhet (1 innspill uten tema)",
        "Kategori: Gange og sykkel (1 innspill uten tema)",
        "Kategori: Grøntområder, natur og friluftsliv (1 innspill uten tema)",
        "Kategori: Sentrum og møteplasser (1 innspill uten tema)",
    ]
    nr = {heading: [row[0] for row in rows] for heading, rows in groups.items()}
    ref = {k: f"KI-{v:06d}" for k, v in ids.items()}
    assert nr["Tema: Fart (1 innspill)"] == [ref["speed"]]  # once, under its first theme
    assert nr["Tema: Skolevei (2 innspill)"] == [ref["crossing"], ref["private"]]
    speed = groups["Tema: Fart (1 innspill)"][0]
    assert speed[1] == "27.11.2026" and speed[2] == "Anonym (nettskjema)"
    assert speed[3] == "Ønsker tryggere skolevei."
    assert speed[4] == "Fartsdemping vurderes.\nEndring i planen: Ny fartshump."
    assert speed[5] == "Delvis tatt til følge"


def test_outcomes_are_written_as_norwegian_labels(store, answered):
    c, ids = answered
    rows = [r for rs in _groups(_read(build_report(store, c.id, now=NOW))).values() for r in rs]
    outcome = {row[0]: row[5] for row in rows}
    assert outcome[f"KI-{ids['private']:06d}"] == "Ikke tatt til følge"
    assert outcome[f"KI-{ids['club']:06d}"] == "Tatt til følge"
    assert outcome[f"KI-{ids['bench']:06d}"] == "Ikke behandlet"


def test_a_duplicate_is_answered_through_its_original(store, answered):
    c, ids = answered
    rows = [r for rs in _groups(_read(build_report(store, c.id, now=NOW))).values() for r in rs]
    copy = next(r for r in rows if r[0] == f"KI-{ids['copy']:06d}")
    assert copy[3] == "Bilene kjører for fort forbi skolen!"  # its own words
    assert copy[4].startswith(f"Behandlet sammen med KI-{ids['speed']:06d}")
    assert copy[5] == "Delvis tatt til følge"


def test_an_unanswered_input_is_summarised_by_its_own_text_shortened(store, answered):
    c, ids = answered
    rows = [r for rs in _groups(_read(build_report(store, c.id, now=NOW))).values() for r in rs]
    park = next(r for r in rows if r[0] == f"KI-{ids['park']:06d}")
    assert park[3].startswith("Ta vare på skogen bak skolen.") and park[3].endswith("…")
    assert len(park[3]) <= 401 and park[4] == ""


def test_hidden_and_excluded_inputs_are_left_out_and_counted(store, answered):
    c, ids = answered
    document = _read(build_report(store, c.id, exclude_ids=[ids["held"]], now=NOW))
    text = _text(document)
    assert HIDDEN_TEXT not in text and f"KI-{ids['hidden']:06d}" not in text
    assert f"KI-{ids['held']:06d}" not in text
    assert "1 innspill som saksbehandler har skjult, er ikke med i rapporten." in text
    assert "1 innspill er holdt utenfor rapporten etter saksbehandlers valg." in text


def test_pending_inputs_and_answers_to_hidden_ones_stay_out_of_the_report(store, answered):
    c, ids = answered
    pending_text = "Et innspill som venter på gjennomgang."
    pending = submit_input(store, c.id, InputDraft("Annet", pending_text, *INSIDE), session="p", now=NOW).id
    store.set_input_status([pending], InputStatus.PENDING, "planner")
    # a published copy of the hidden input, which was answered before it was hidden
    store.save_response([ids["hidden"]], Response(0, "Skjult.", "SVAR TIL SKJULT INNSPILL", Outcome.NOT_TAKEN), "planner")
    echo = submit_input(store, c.id, InputDraft("Annet", "Samme som det skjulte.", *INSIDE), session="q", now=NOW).id
    store.mark_duplicate(echo, ids["hidden"], "planner")
    text = _text(_read(build_report(store, c.id, now=NOW)))
    assert pending_text not in text and f"KI-{pending:06d}" not in text
    assert "1 innspill venter på gjennomgang og er ikke med i rapporten før de er publisert." in text
    assert f"KI-{echo:06d}" in text and "SVAR TIL SKJULT INNSPILL" not in text
    assert f"KI-{ids['hidden']:06d}" not in text


def test_private_names_are_left_out_unless_staff_include_them_and_organisations_are_named(store, answered):
    c, ids = answered
    document = _read(build_report(store, c.id, now=NOW))
    text = _text(document)
    assert PRIVATE not in text and "Privatperson" in text
    senders = {row[0]: row[2] for rows in _groups(document).values() for row in rows}
    # an organisation's name is no personal data (issue 10): always in the report
    assert senders[f"KI-{ids['club']:06d}"] == f"Organisasjon, lag eller velforening: {ORGANISATION}"
    named = _groups(_read(build_report(store, c.id, include_names=True, now=NOW)))
    senders = {row[0]: row[2] for rows in named.values() for row in rows}
    assert senders[f"KI-{ids['private']:06d}"] == f"Privatperson: {PRIVATE}"
    assert senders[f"KI-{ids['club']:06d}"] == f"Organisasjon, lag eller velforening: {ORGANISATION}"


def test_the_report_states_the_facts_figures_and_shows_a_point_map(store, answered):
    c, _ = answered
    document = _read(build_report(store, c.id, now=NOW))
    assert document.paragraphs[0].text == f"Merknadsbehandling: {c.title}"
    facts = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert facts["Plan-ID"] == "3203202501" and facts["Plantype"] == "Tettstedsutvikling"
    assert facts["Høringsperiode"] == "17. november 2026 – 27. desember 2026"
    assert facts["Kanaler brukt"] == "Nettskjema, Brev"
    figures = {row.cells[0].text: row.cells[1].text for row in document.tables[1].rows}
    assert figures["Innspill"] == "8" and figures["Andel med stedfesting"] == "75 %"
    text = _text(document)
    assert "6 via nettskjema, 2 via brev" in text and "etterhåndsmoderering" in text
    assert len(document.inline_shapes) == 1  # the map
    caption = next(p.text for p in document.paragraphs if p.style.name == "Caption")
    assert "EPSG:25832" in caption and "Kartgrunnlag: ingen (punktkart)" in caption
    assert "6 av 8" in caption


def test_a_consultation_without_inputs_still_gives_a_report(store, consultation):
    text = _text(_read(build_report(store, consultation.id, now=NOW)))
    assert "Ingen innspill å behandle." in text and "Ingen innspill har stedfesting" in text


def _cli(db_path, *args):
    return subprocess.run(
        [sys.executable, "-m", "consultations", *args],
        env={"KARTINNSPILL_DB": str(db_path)},
        capture_output=True,
    )


def test_cli_writes_the_report_and_refuses_stdout(store, answered, db_path, tmp_path):
    c, ids = answered
    store.close()
    out = tmp_path / "merknader.docx"
    done = _cli(db_path, "report", "--consultation", c.id, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert PRIVATE not in _text(docx.Document(out))
    done = _cli(db_path, "report", "--consultation", c.id, "--out", str(out), "--include-names")
    assert done.returncode == 0 and PRIVATE in _text(docx.Document(out))
    for args in (("--consultation", c.id, "--out", "-"), ("--consultation", "nope", "--out", str(out))):
        done = _cli(db_path, "report", *args)
        assert done.returncode == 2 and len(done.stderr.decode().strip().splitlines()) == 1
