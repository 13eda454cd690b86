"""The review page's test data, made once per module that imports ``seeded`` (the conftest's
``app`` then runs on it): a pre-moderated consultation open now with four web inputs (three
published) and a letter with its sender's name, and the planner «kari»; and her login on the
review page. Shared by the review page's, the medvirkning review's and the answer link's
tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from consultations.auth import create_user
from consultations.model import Channel, InputDraft, InputStatus, Moderation, SenderType
from consultations.store import Store
from consultations.participation.submission import register_input, submit_input
from tests.conftest import INSIDE, PASSWORD, make_consultation
from tests.conftest import log_in as log_in_as_kari


PAGE = "pages/gjennomgang.py"
CID = "test-borgen"
SENDER = "Ola Nordmann"
TEXTS = (
    "Vi trenger fartsdempere i Borgenveien før skolestart.",
    "Skoleveien over Borgenkrysset er farlig om morgenen.",
    "Lys langs gangveien til skolen, takk, det er mørkt om vinteren.",
    "Behold ballbanen ved Borgen, den brukes hver dag.",
)
IDS = [1, 2, 3, 4, 5]  # the four texts, then a letter


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A pre-moderated consultation, open now: three web inputs published, one pending,
    and a letter with the sender's name (published); a planner."""
    path = tmp_path_factory.mktemp("review") / "seed.duckdb"
    store = Store.open(path)
    now = datetime.now(UTC)
    store.add_consultation(
        make_consultation(
            CID, moderation=Moderation.PRE, opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=30)
        )
    )
    ids = [
        submit_input(
            store, CID, InputDraft("Annet", text, *INSIDE), session=f"s{n}", now=now - timedelta(hours=4 - n)
        ).id
        for n, text in enumerate(TEXTS)
    ]
    kari = create_user(store, "kari", "planner", PASSWORD)
    ids.append(
        register_input(
            store,
            CID,
            InputDraft("Annet", "Brev: ønsker benker ved Borgen torg."),
            channel=Channel.LETTER,
            sender_type=SenderType.PRIVATE,
            sender_name=SENDER,
            received_at=now - timedelta(days=1),
            actor=kari,
            now=now,
        ).id
    )
    store.set_input_status([ids[0], ids[1], ids[2], ids[4]], InputStatus.PUBLISHED, "kari")
    assert ids == IDS
    store.close()
    return path


def log_in(at: AppTest) -> AppTest:
    at.query_params["id"] = CID
    at = log_in_as_kari(at, PAGE)
    assert not at.exception and at.title[0].value == "Gjennomgang og svar"
    return at
