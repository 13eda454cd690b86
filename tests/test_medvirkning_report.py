"""The medvirkningsrapport of an early-phase consultation (Word)."""

from __future__ import annotations

import http.server
import io
import json
import socket
import threading
import zipfile
from datetime import timedelta

import numpy as np
import pytest
from docx import Document

from consultations.outputs import downloads
from consultations.config import TILE_PRESETS, TileLayer, load_profile
from consultations.errors import NotFound
from consultations.outputs.medvirkningsrapport import (
    USE_MAX,
    InvalidUse,
    build_medvirkning_report,
    set_use_of_input,
)
from consultations.model import InputDraft, Question, QuestionKind, Role
from consultations.permissions import NotAllowed
from consultations.casework.review import hide, tag
from consultations.participation.submission import submit_input
from tests.conftest import INSIDE, NOW, make_consultation, staff
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

PROFILE = load_profile("asker")
QUESTIONS = (
    Question("transport", QuestionKind.SINGLE, "Hvordan kommer du deg til sentrum?", ("Bil", "Buss", "Sykkel")),
    Question("hva", QuestionKind.TEXT, "Hva savner du?"),
)
PHONE_TEXT = "Skoleveien trenger fortau, ring meg på 912 34 567 om dette."
HIDDEN_TEXT = "Et stygt personangrep på naboen som ikke skal trykkes."


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
def early(store):
    """An idéfase with questions: six people aged 30–49, one of them (p0) sending three
    inputs and answering the question in two; three people aged 18–29; an input with a
    phone number; a hidden one."""
    c = make_consultation("ideer", questions=QUESTIONS)
    store.add_consultation(c)
    ids = {}
    k = 0
    for n in range(6):
        for _ in range(3 if n == 0 else 1):
            k += 1
            answers = {"transport": "Buss" if k < 3 else "Sykkel"} if n == 0 else {"transport": "Bil"}
            ids[k] = send(
                store,
                c.id,
                f"Innspill {k} om parken og benkene ved skolen",
                f"p{n}",
                k,
                age_group="30_49",
                answers=answers,
            )
    for n in range(3):
        k += 1
        ids[k] = send(
            store,
            c.id,
            f"Innspill {k} om parkering ved stasjonen",
            f"q{n}",
            k,
            age_group="18_29",
            answers={"hva": "Mer lys på stien, ring 912 34 567"},
        )
    ids["phone"] = send(store, c.id, PHONE_TEXT, "r1", 50)
    ids["hidden"] = send(store, c.id, HIDDEN_TEXT, "r2", 51)
    kari = staff(store)
    hide(store, [ids["hidden"]], "Personangrep", kari)
    tag(store, [ids["phone"], ids[1]], "Skolevei", kari)
    return c, ids, kari


def test_who_took_part_is_counted_per_person_with_small_groups_shown_as_under_five(store, early):
    c, _ids, _ = early
    text = docx_text(build_medvirkning_report(store, c.id, profile=PROFILE, tiles=None, now=NOW))
    doc = Document(io.BytesIO(build_medvirkning_report(store, c.id, profile=PROFILE, tiles=None, now=NOW)))
    rows = {tuple(cell.text for cell in row.cells) for table in doc.tables for row in table.rows}
    assert ("30–49 år", "6") in rows  # p0 sent three inputs and counts once
    assert ("18–29 år", "< 5") in rows
    assert ("Ikke oppgitt", "< 5") in rows  # r1 (the hidden r2 is not counted)
    assert "12 innspill er mottatt, fra om lag 10 deltakere" in text  # a session is not a person
    assert "1 innspill er skjult av saksbehandler" in text


def test_answers_to_the_questions_are_counted_per_person_not_per_input(store, early):
    c, _ids, _ = early
    doc = Document(io.BytesIO(build_medvirkning_report(store, c.id, profile=PROFILE, tiles=None, now=NOW)))
    rows = [tuple(cell.text for cell in row.cells) for table in doc.tables for row in table.rows]
    # p0 answered «Buss» and then «Sykkel»: one person, latest answer; five others «Bil»
    assert ("Bil", "5") in rows and ("Sykkel", "< 5") in rows and ("Buss", "0") in rows
    text = docx_text(doc_bytes := build_medvirkning_report(store, c.id, profile=PROFILE, tiles=None, now=NOW))
    assert "6 deltakere har svart" in text and "3 deltakere har svart" in text
    assert "912 34 567" not in text and doc_bytes


def test_what_was_said_has_themes_with_counts_and_masked_quotes_and_never_the_hidden_text(store, early):
    c, _ids, _ = early
    data = build_medvirkning_report(store, c.id, profile=PROFILE, tiles=None, now=NOW)
    text = docx_text(data)
    assert "Skolevei: 2 innspill" in text
    assert "[personopplysning fjernet]" in text and "912 34 567" not in text
    assert "personangrep" not in text.lower() and "Grupper av innspill som bruker de samme ordene" in text
    with zipfile.ZipFile(io.BytesIO(data)) as z:  # nowhere in the file, not only in the text
        assert not any(b"912 34 567" in z.read(name) for name in z.namelist())


def test_supports_are_no_vote_and_the_report_ranks_nothing_by_them(store, early):
    c, ids, _ = early
    for n in range(7):
        store.add_support(ids[4], f"støtte-{n}")
    text = docx_text(build_medvirkning_report(store, c.id, profile=PROFILE, tiles=None, now=NOW)).lower()
    assert "støtt" not in text and "mest støttede" not in text


def test_how_the_inputs_will_be_used_is_written_by_staff_audited_and_printed(store, early):
    c, _ids, kari = early
    missing = docx_text(build_medvirkning_report(store, c.id, profile=PROFILE, tiles=None, now=NOW))
    assert "Ikke skrevet ennå" in missing
    set_use_of_input(store, c.id, "Innspillene legges til grunn for planprogrammet.\n\nVi kommer tilbake i mars.", kari)
    entry = store.audit_entries()[0]
    assert (entry.actor, entry.action) == ("kari", "consultation.use_of_input")
    text = docx_text(build_medvirkning_report(store, c.id, profile=PROFILE, tiles=None, now=NOW))
    assert "Innspillene legges til grunn for planprogrammet." in text and "Vi kommer tilbake i mars." in text


def test_the_use_text_is_refused_when_too_long_or_when_the_account_may_not_act(store, early):
    c, _ids, kari = early
    with pytest.raises(InvalidUse):
        set_use_of_input(store, c.id, "x" * (USE_MAX + 1), kari)
    store.update_user(kari.id, "ola", active=False)
    with pytest.raises(NotAllowed):
        set_use_of_input(store, c.id, "Brukes i planen.", kari)
    assert store.use_of_input(c.id) == ""
    with pytest.raises(NotFound):
        set_use_of_input(store, "finnes-ikke", "Brukes.", staff(store, "ada", Role.PLANNER))


def test_the_download_is_a_planners_command_and_audited(store, early):
    c, _ids, kari = early
    data = downloads.report_file(
        store, c.id, include_names=False, profile=PROFILE, actor=kari, kind=downloads.ReportKind.MEDVIRKNING, tiles=None
    )
    assert "Medvirkningsrapport" in docx_text(data)
    entry = store.audit_entries()[0]
    assert (entry.actor, entry.action, entry.object_id) == ("kari", "consultation.report", c.id)
    assert '"kind": "medvirkning"' in entry.after


# -- the map --------------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the report tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_without_tiles_the_map_is_the_plan_area_and_points_on_a_neutral_background(store, early, no_network):
    c, _ids, _ = early
    text = docx_text(build_medvirkning_report(store, c.id, profile=PROFILE, tiles=None, now=NOW))
    assert "planområdet og punktene på nøytral bakgrunn" in text
    assert "12 innspill har et punkt i kartet" in text


def test_openstreetmap_tiles_are_never_fetched_for_a_printed_map(store, early, no_network):
    c, _ids, _ = early
    text = docx_text(build_medvirkning_report(store, c.id, profile=PROFILE, tiles=TILE_PRESETS["osm"], now=NOW))
    assert "tillater ikke trykte kart" in text


def _picture(data: bytes) -> np.ndarray:
    from PIL import Image

    with zipfile.ZipFile(io.BytesIO(data)) as z:  # the map: the tallest picture (charts are wide and low)
        images = [Image.open(io.BytesIO(z.read(n))) for n in z.namelist() if n.startswith("word/media/")]
        return np.asarray(max(images, key=lambda i: i.height).convert("RGB"))


def test_configured_tiles_are_drawn_under_the_points_with_their_attribution(store, early):
    from PIL import Image

    tile = io.BytesIO()
    Image.new("RGB", (256, 256), (12, 200, 34)).save(tile, format="PNG")
    asked = []

    class Tiles(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(tile.getvalue())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        tiles = TileLayer(f"http://127.0.0.1:{server.server_port}/{{z}}/{{y}}/{{x}}.png", "&copy; Testkart")
        data = build_medvirkning_report(store, c_id := early[0].id, profile=PROFILE, tiles=tiles, now=NOW)
    finally:
        server.shutdown()
    assert asked and all(path.endswith(".png") for path in asked)
    assert "Bakgrunnskart: © Testkart." in docx_text(data)
    pixels = _picture(data).reshape(-1, 3)
    assert ((pixels == (12, 200, 34)).all(axis=1)).mean() > 0.2  # the tiles fill the map
    assert c_id


def test_a_base_map_that_cannot_be_fetched_leaves_a_neutral_map_that_says_so(store, early):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tiles = TileLayer(f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png", "Borte")
    text = docx_text(build_medvirkning_report(store, early[0].id, profile=PROFILE, tiles=tiles, now=NOW))
    assert "det kunne ikke hentes" in text


def test_an_unknown_consultation_is_not_found(store):
    with pytest.raises(NotFound):
        build_medvirkning_report(store, "finnes-ikke", profile=PROFILE, tiles=None)


def test_the_report_reads_in_english(store, early):
    c, _ids, _ = early
    text = docx_text(build_medvirkning_report(store, c.id, profile=PROFILE, tiles=None, lang="en", now=NOW))
    assert "Participation report" in text and "Who took part" in text and "[personal data removed]" in text
    assert json.dumps(text)  # plain text, no stray objects


def test_a_private_senders_name_is_quoted_only_in_the_internal_version_an_organisations_always(store, early):
    from consultations.model import Channel, InputStatus, SenderType
    from consultations.participation.submission import register_input

    c, _ids, kari = early
    letters = {
        name: register_input(
            store,
            c.id,
            InputDraft("Annet", f"Brev om benkene i parken fra {kind.value}."),
            channel=Channel.LETTER,
            sender_type=kind,
            sender_name=name,
            received_at=NOW,
            actor=kari,
            now=NOW,
        ).id
        for name, kind in (("Kari Privat", SenderType.PRIVATE), ("Borgen Vel", SenderType.ORGANISATION))
    }
    store.set_input_status(list(letters.values()), InputStatus.PUBLISHED, "kari")
    tag(store, list(letters.values()), "Brev", kari)
    public_text = docx_text(build_medvirkning_report(store, c.id, profile=PROFILE, tiles=None, now=NOW))
    internal = docx_text(
        build_medvirkning_report(store, c.id, profile=PROFILE, tiles=None, now=NOW, include_names=True)
    )
    assert "Kari Privat" not in public_text and "Borgen Vel" in public_text
    assert "Kari Privat" in internal
