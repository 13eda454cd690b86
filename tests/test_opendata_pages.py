"""The way from a consultation's page to its open data, under AppTest."""

from __future__ import annotations

from dataclasses import replace

from consultations.model import Status
from tests.conftest import BORGEN, log_in_as, staff


def _captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def test_a_public_consultation_links_to_its_open_data_in_the_reader_language(app):
    app.query_params["id"] = BORGEN
    app.query_params["lang"] = "en"
    at = app.run()
    assert not at.exception
    assert f"[Open data](opendata/{BORGEN}?lang=en)" in _captions(at)


def test_a_draft_seen_by_staff_has_no_open_data_link(app):
    at = app.run()
    store = at.store()
    store.update_consultation(replace(store.get_consultation(BORGEN), status=Status.DRAFT), "kari")
    log_in_as(at, staff(store).id)
    at.query_params["id"] = BORGEN
    at.run()
    assert not at.exception
    assert "Borgen" in at.title[0].value  # the preview of the draft, not «not found»
    assert "opendata/" not in _captions(at)
