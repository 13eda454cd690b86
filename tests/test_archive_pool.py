"""The archive package's merknad PDFs drawn in worker processes (issue 26: 10,000 merknader
in ≤ 10 minutes): the same package, byte for byte, as when they are drawn in the process
itself; every worker gone afterwards, also when a message is refused; Norwegian and Sámi
letters drawn with their glyphs embedded."""

from __future__ import annotations

import io
import multiprocessing
import os
import re

import multiprocessing.resource_tracker

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from lxml import etree

from consultations.outputs import archive, ordered_pool
from tests.conftest import NOW, pdf_lines
from tests.helpers_archive import CID, PROFILE, add, formal, messages, png

SAMI = "Sámediggi: ŋ đ ŧ š ž č ǥ ǩ ʒ Ŋ Đ Ŧ Š Ž Č Ǥ Ǩ Ʒ — æ ø å Æ Ø Å"


@pytest.fixture(autouse=True, scope="module")
def no_tracker_left_behind():
    """Starting a worker starts multiprocessing's resource tracker, a process that would
    otherwise live as long as the test run: stopped again if these tests started it."""
    tracker = multiprocessing.resource_tracker._resource_tracker
    running = tracker._pid is not None
    yield
    if not running and tracker._pid is not None:
        tracker._stop()


def _pid(shared: str, job: int) -> tuple[str, int, int]:
    return shared, job, os.getpid()


def _fails_on_three(shared: None, job: int) -> int:
    if job == 3:
        raise ValueError("job three")
    return job


@pytest.fixture
def case(store):
    store.add_consultation(formal())
    return {
        "pin": add(store, "Promenaden må gå helt ut på kaia."),
        "sami": add(store, SAMI),
        "phone": add(store, "Ring meg på 912 34 567 om kaia, jeg er syk og kan ikke møte."),  # a public variant
        "whole": add(store, "Hele planen er for høy.", where=None, attachments=[("brev.png", "image/png", png())]),
    }


def package(store, tmp_path, name: str, workers: int) -> dict[str, dict[str, bytes]]:
    with (tmp_path / name).open("wb") as f:
        archive.write_package(store, CID, f, profile=PROFILE, now=NOW, workers=workers)
    return messages((tmp_path / name).read_bytes())


def test_the_package_drawn_in_worker_processes_is_the_same_byte_for_byte(store, case, tmp_path, monkeypatch):
    used = []
    real = archive.ordered_map

    def spy(fn, shared, jobs, *, workers):
        used.append(workers)
        return real(fn, shared, jobs, workers=workers)

    monkeypatch.setattr(archive, "ordered_map", spy)
    monkeypatch.setattr(archive, "POOL_FROM", 1)  # a pool even for four merknader
    monkeypatch.setattr(archive, "usable_cores", lambda: 2)
    alone = package(store, tmp_path, "alone.zip", workers=0)
    pooled = package(store, tmp_path, "pooled.zip", workers=2)
    assert used == [0, 2]
    # the report is made in this process either way (Word stamps the second it was written)
    assert pooled.pop("merknadsbehandling").keys() == alone.pop("merknadsbehandling").keys()
    assert pooled == alone
    assert set(pooled) == {"KI-000001", "KI-000002", "KI-000003", "KI-000004"}
    assert "KI-000003-offentlig.pdf" in pooled["KI-000003"]  # the masked variant came back from a worker
    assert multiprocessing.active_children() == []


def test_a_small_package_or_one_core_draws_in_the_process_itself(store, case, tmp_path, monkeypatch):
    used = []
    real = archive.ordered_map
    monkeypatch.setattr(
        archive,
        "ordered_map",
        lambda fn, shared, jobs, *, workers: (used.append(workers), real(fn, shared, jobs, workers=workers))[1],
    )
    package(store, tmp_path, "small.zip", workers=2)  # 4 merknader < POOL_FROM
    monkeypatch.setattr(archive, "POOL_FROM", 1)
    monkeypatch.setattr(archive, "usable_cores", lambda: 1)
    package(store, tmp_path, "one-core.zip", workers=2)
    assert used == [0, 1]


def test_a_refused_message_shuts_the_workers_down(store, case, tmp_path, monkeypatch):
    checked = archive.check_message

    def refuse_the_second(xml: bytes) -> None:
        if b"KI-000002" in xml:
            raise etree.DocumentInvalid("refused")
        checked(xml)

    monkeypatch.setattr(archive, "check_message", refuse_the_second)
    monkeypatch.setattr(archive, "POOL_FROM", 1)
    monkeypatch.setattr(archive, "usable_cores", lambda: 2)
    with (tmp_path / "refused.zip").open("wb") as f, pytest.raises(archive.InvalidArchive):
        archive.write_package(store, CID, f, profile=PROFILE, now=NOW, workers=2)
    assert multiprocessing.active_children() == []


def test_the_ordered_pool_shares_the_jobs_with_a_worker_and_hands_back_results_in_order():
    with ordered_pool.ordered_map(_pid, "shared", range(40), workers=2, ahead=2) as results:
        found = list(results)
    assert [(shared, job) for shared, job, _ in found] == [("shared", n) for n in range(40)]
    here = [job for _, job, pid in found if pid == os.getpid()]
    assert here == list(range(2, 40, 3))  # one job in three drawn here, the rest in one worker
    assert len({pid for _, _, pid in found}) == 2
    assert multiprocessing.active_children() == []
    with ordered_pool.ordered_map(_pid, "here", range(3), workers=1) as results:
        assert [pid for _, _, pid in results] == [os.getpid()] * 3


def test_a_workers_error_is_raised_where_its_result_is_read_and_the_pool_is_gone():
    seen = []
    with pytest.raises(ValueError, match="job three"):
        with ordered_pool.ordered_map(_fails_on_three, None, range(10), workers=2, ahead=1) as results:
            for r in results:
                seen.append(r)
    assert seen == [0, 1, 2]
    assert multiprocessing.active_children() == []


def embedded_glyphs(data: bytes) -> dict[str, bool]:
    """Every character the PDF shows, and whether the font embedded for it draws an outline
    of its own for it (not .notdef's) (through the page's ToUnicode map, the CID→GID map and the embedded TrueType)."""
    drawn: dict[str, bool] = {}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for _, font in page.Resources.Font.items():
                cid_font = font.DescendantFonts[0]
                tt = TTFont(io.BytesIO(cid_font.FontDescriptor.FontFile2.read_bytes()))
                order, glyf = tt.getGlyphOrder(), tt["glyf"]
                to_gid = cid_font.CIDToGIDMap.read_bytes()
                cmap = font.ToUnicode.read_bytes().decode("latin-1")
                for src, dst in re.findall(r"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", cmap):
                    cid = int(src, 16)
                    gid = int.from_bytes(to_gid[2 * cid : 2 * cid + 2], "big")
                    ch = bytes.fromhex(dst).decode("utf-16-be")
                    outline = gid != 0 and glyf[order[gid]].numberOfContours != 0  # not .notdef
                    drawn[ch] = drawn.get(ch, False) or outline
    return drawn


def test_sami_and_norwegian_letters_drawn_in_a_worker_have_their_glyphs_embedded(store, case, tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "POOL_FROM", 1)
    monkeypatch.setattr(archive, "usable_cores", lambda: 2)
    pdf = package(store, tmp_path, "sami.zip", workers=2)["KI-000002"]["KI-000002.pdf"]
    assert SAMI in "\n".join(pdf_lines(pdf))
    drawn = embedded_glyphs(pdf)
    letters = {ch for ch in SAMI if ch.isalpha()}
    assert letters <= drawn.keys()
    assert all(drawn[ch] for ch in letters), sorted(ch for ch in letters if not drawn[ch])
    with pikepdf.open(io.BytesIO(pdf)) as opened, opened.open_metadata() as meta:
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "B")
