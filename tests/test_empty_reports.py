"""Reports of a consultation nobody has answered yet, or whose only input is no merknad: the
merknadsbehandling, its «Ikke vurdert» list, the medvirkningsrapport and the command line
make their files and say there is nothing, instead of a KeyError (issue 21)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta

import docx
import pytest

from consultations.casework import review
from consultations.config import load_profile
from consultations.outputs.medvirkningsrapport import build_medvirkning_report
from consultations.model import InputDraft, NotMerknad, Stage
from consultations.outputs.merknadsbehandling import build_report, unassessed_points
from consultations.participation.submission import submit_input
from tests.conftest import INSIDE, NOW, docx_text, make_consultation, staff

ASKER = load_profile("asker")
CLOSED = dict(opens_at=NOW - timedelta(weeks=8), closes_at=NOW - timedelta(days=1))


@pytest.fixture
def hearing(store):
    c = make_consultation(
        "tom-horing", stage=Stage.OFFENTLIG_ETTERSYN, plan_id="2025.14", case_number="25/4711", **CLOSED
    )
    store.add_consultation(c)
    return c


@pytest.fixture
def early(store):
    c = make_consultation("tom-medvirkning", **CLOSED)
    store.add_consultation(c)
    return c


def _text(data: bytes) -> str:
    return docx_text(docx.Document(io.BytesIO(data)))


def test_the_merknadsbehandling_of_a_hearing_without_merknader_is_made_and_says_there_is_nothing(store, hearing):
    text = _text(build_report(store, hearing.id, profile=ASKER, now=NOW))
    assert "Ingen innspill å behandle." in text
    assert "Ingen merknadspunkter fører til endringer i planforslaget." in text
    assert "ikke vurdert" not in text  # nothing to list on the first page
    assert unassessed_points(store, hearing.id, NOW) == []


def test_a_hearing_whose_only_input_is_no_merknad_gets_a_report_counting_it_in_the_annex(store, hearing):
    sent = submit_input(
        store,
        hearing.id,
        InputDraft("Annet", "Kjøp klokker billig her.", *INSIDE),
        session="s",
        now=hearing.opens_at + timedelta(days=1),
    )
    review.mark_not_merknad(store, [sent.id], NotMerknad.SPAM, "Reklame.", staff(store))
    text = _text(build_report(store, hearing.id, profile=ASKER, now=NOW))
    assert "Ingen innspill å behandle." in text and "Kjøp klokker" not in text
    assert "Søppel (spam)\n1" in text  # the annex counts it by reason
    assert unassessed_points(store, hearing.id, NOW) == []


def test_the_medvirkningsrapport_of_an_early_consultation_without_inputs_is_made(store, early):
    text = _text(build_medvirkning_report(store, early.id, profile=ASKER, tiles=None, now=NOW))
    assert "Ingen innspill er mottatt." in text


def test_cli_report_of_a_hearing_without_merknader_writes_the_file_and_exits_0(
    store, hearing, store_location, tmp_path
):
    store.close()
    out = tmp_path / "tom.docx"
    done = subprocess.run(
        [sys.executable, "-m", "consultations", "report", "--consultation", hearing.id, "--out", str(out)],
        env={"KARTINNSPILL_DB": str(store_location), "PATH": "/usr/bin:/bin", "KARTINNSPILL_TILES": "none"},
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(__file__)),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Ikke vurdert" not in done.stderr
    assert "Ingen innspill å behandle." in _text(out.read_bytes())


def test_the_review_page_of_a_hearing_without_merknader_offers_the_report_and_it_downloads(staff_app_db):
    from consultations.config import load_settings
    from consultations.ui.review.exports import _report
    from tests.conftest import app_store, open_page

    path, ids = staff_app_db
    store = app_store(path)
    c = make_consultation(
        "tom-horing", stage=Stage.OFFENTLIG_ETTERSYN, plan_id="2025.14", case_number="25/4711", **CLOSED
    )
    store.add_consultation(c)
    at = open_page("pages/gjennomgang.py", ids["kari"], c.id)
    assert not at.exception
    assert "Rapport (Word)" in [b.label for b in at.get("download_button")]
    data = _report(store, c, load_settings(), False, store.get_user(ids["kari"]), "nb")  # what the button sends
    assert "Ingen innspill å behandle." in _text(data)
