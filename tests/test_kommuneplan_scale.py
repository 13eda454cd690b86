"""What a kommuneplan-sized case needed (issue 26, bench/kommuneplan.py): the archive package
streamed into its file and put in place only when whole, the archive's merknad PDFs in a
compact cut of the font when their text allows it, and the bulk reads behind them."""

from __future__ import annotations

import re
import zipfile
from datetime import timedelta

import pytest
from fontTools.ttLib import TTFont
from lxml import etree

from consultations.outputs import archive, downloads
from consultations import pdf_fonts
from consultations.permissions import OPERATOR
from consultations.store import Store
from tests.conftest import NOW, pdf_lines
from tests.helpers_archive import CID, PROFILE, add, formal, messages, png


def unstamped(xml: bytes) -> bytes:
    """An arkivmelding without its files' checksums and sizes (a PDF carries the second
    it was made)."""
    return re.sub(rb"<(\w+:)?(sjekksum|filstoerrelse)>[^<]*<", b"<\\2><", xml)


@pytest.fixture
def case(store: Store) -> dict[str, int]:
    store.add_consultation(formal())
    return {
        "pin": add(store, "Promenaden må gå helt ut på kaia."),
        "photo": add(store, "Se bildet av bryggen.", photos=[("brygge.png", "image/png", png(), "Bryggen", png())]),
        "whole": add(store, "Hele planen er for høy.", where=None, attachments=[("brev.png", "image/png", png())]),
    }


def test_the_streamed_package_holds_the_same_messages_as_the_package_made_in_memory(store, case, tmp_path):
    in_memory = messages(archive.package(store, CID, profile=PROFILE, now=NOW).zip())
    out = tmp_path / "out"
    out.mkdir()
    target = out / "arkiv.zip"
    assert downloads.write_archive(store, CID, target, profile=PROFILE, actor=OPERATOR, now=NOW) == 3
    streamed = messages(target.read_bytes())
    assert streamed.keys() == in_memory.keys() and set(streamed) >= {"KI-000001", "merknadsbehandling"}
    for folder, files in in_memory.items():
        assert streamed[folder].keys() == files.keys()
        assert unstamped(streamed[folder]["arkivmelding.xml"]) == unstamped(files["arkivmelding.xml"])
    assert set(store.archive_records(CID)) == set(case.values())  # marked as sent once written
    assert [p.name for p in out.iterdir()] == ["arkiv.zip"]  # no partial file left beside it


def test_a_package_refused_part_way_leaves_no_file_and_marks_nothing_as_sent(store, case, tmp_path, monkeypatch):
    checked = archive.check_message

    def refuse_the_report(xml: bytes) -> None:
        if b"merknadsbehandling" in xml:
            raise etree.DocumentInvalid("the report does not validate")
        checked(xml)

    monkeypatch.setattr(archive, "check_message", refuse_the_report)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(archive.InvalidArchive):
        downloads.write_archive(store, CID, out / "arkiv.zip", profile=PROFILE, actor=OPERATOR, now=NOW)
    assert list(out.iterdir()) == []
    assert all(r.archived_at is None for r in store.archive_records(CID).values())


def test_the_package_is_written_one_message_at_a_time(store, case, tmp_path, monkeypatch):
    made, written = [], []
    merknad = archive._merknad

    def counting(*args, **kwargs):
        made.append(len(written))
        return merknad(*args, **kwargs)

    write = archive._write_message
    monkeypatch.setattr(archive, "_merknad", counting)
    monkeypatch.setattr(archive, "_write_message", lambda z, m: (written.append(m.folder), write(z, m)))
    with (tmp_path / "arkiv.zip").open("wb") as f:
        archive.write_package(store, CID, f, profile=PROFILE, now=NOW)
    assert made == [0, 1, 2]  # each merknad made only after the one before it was written
    with zipfile.ZipFile(tmp_path / "arkiv.zip") as z:
        assert {name.split("/")[0] for name in z.namelist()} == set(written)


def test_one_query_gives_every_inputs_attachments_as_the_per_input_read_does(store, case):
    every = store.attachments_of(list(case.values()))
    for input_id in case.values():
        assert every.get(input_id, []) == store.attachments(input_id)
    assert set(every) == {case["photo"], case["whole"]}
    assert store.attachments_of([]) == {}


def test_norwegian_and_sami_text_gets_the_compact_font_and_other_scripts_the_full_one():
    compact = pdf_fonts.font_files(["Ærlig talt – «Åsgårdstrand» ŋ ž đ 5 °C ≤ 7 €"])
    full = pdf_fonts.font_files(["Ærlig talt, 北京"])
    assert compact[""].name.startswith("compact-") and compact["B"].name.startswith("compact-")
    assert full == {style: pdf_fonts.FONT_DIR / name for style, name in pdf_fonts.FILES.items()}


def test_the_compact_font_draws_its_letters_exactly_as_the_full_font():
    compact, full = TTFont(str(pdf_fonts.font_files(["a"])[""])), TTFont(str(pdf_fonts.FONT_DIR / "DejaVuSans.ttf"))
    small, big = compact.getBestCmap(), full.getBestCmap()
    for ch in "AaÆæØøÅåŊŋŽžĐđ«»–€":
        a, b = small[ord(ch)], big[ord(ch)]
        assert compact["hmtx"][a] == full["hmtx"][b]
        assert list(compact["glyf"][a].getCoordinates(compact["glyf"])[0]) == list(
            full["glyf"][b].getCoordinates(full["glyf"])[0]
        )


def test_the_merknad_pdf_in_the_compact_font_reads_back_in_full(store, case):
    item = store.get_input(case["pin"])
    data = archive.merknad_pdf(store.get_consultation(CID), item, NOW - timedelta(days=1), [], PROFILE)
    text = "\n".join(pdf_lines(data))
    assert "Promenaden må gå helt ut på kaia." in text and "KI-000001" in text
