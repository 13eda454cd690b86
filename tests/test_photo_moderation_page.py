"""The planners' review says how many inputs with photos wait (security finding N10)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from consultations.auth import create_user
from consultations.model import InputDraft
from consultations.store import Store
from consultations.participation.submission import submit_input
from tests.conftest import PASSWORD, make_consultation
from tests.conftest import log_in as log_in_as_kari

PAGE = "pages/gjennomgang.py"
CID = "bilder-borgen"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (0, 90, 0)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("photo-review") / "seed.duckdb"
    store = Store.open(path)
    now = datetime.now(UTC)
    store.add_consultation(
        make_consultation(CID, opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=30))
    )
    for n in range(2):
        draft = InputDraft("Annet", f"Rekkverket ved gangbrua er ødelagt ({n}).", whole_area=True)
        submit_input(store, CID, draft, session=f"s{n}", now=now, photos=[("bru.jpg", jpeg(), "Rekkverk")])
    submit_input(
        store, CID, InputDraft("Annet", "Uten bilde, publisert straks.", whole_area=True), session="t", now=now
    )
    create_user(store, "kari", "planner", PASSWORD)
    store.close()
    return path


def test_the_review_warns_that_inputs_with_photos_wait(app):
    app.query_params["id"] = CID
    at = log_in_as_kari(app, PAGE)
    assert not at.exception
    assert [w.value for w in at.warning if "bilder venter" in w.value] == [
        "2 innspill med bilder venter på godkjenning. Bildene blir ikke offentlige før innspillet er publisert: "
        "se etter personer som kan kjennes igjen og bilskilt."
    ]
