"""Planners see who sent a formal merknad and download its attachments in the review detail."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from consultations.auth import create_user
from consultations.model import InputDraft, PlanType, Stage
from consultations.store import Store
from consultations.participation.submission import submit_input
from tests.conftest import PASSWORD, make_consultation
from tests.conftest import log_in as log_in_as_kari

PAGE = "pages/gjennomgang.py"
CID = "formal-borgen"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (6, 6), (0, 90, 0)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("formal-review") / "seed.duckdb"
    store = Store.open(path)
    now = datetime.now(UTC)
    store.add_consultation(
        make_consultation(
            CID,
            plan_type=PlanType.DETALJREGULERING,
            stage=Stage.OFFENTLIG_ETTERSYN,
            plan_id="2024.07",
            case_number="24/1234",
            opens_at=now - timedelta(days=10),
            closes_at=now + timedelta(days=30),
        )
    )
    draft = InputDraft(
        "Annet",
        "Se vedlagt kart: stien over tomta må bestå.",
        whole_area=True,
        sender_name="Kari Nordmann",
        sender_address="Borgenveien 2",
        sender_property="12/345",
    )
    submit_input(store, CID, draft, session="s", now=now, files=[("sti.png", png())])
    create_user(store, "kari", "planner", PASSWORD)
    store.close()
    return path


def test_planner_sees_address_gnr_bnr_and_downloads_the_attachment(app):
    app.query_params["id"] = CID
    at = log_in_as_kari(app, PAGE)
    shown = next(d for d in at.dataframe if (d.key or "").startswith("review-table-"))
    at.session_state[shown.key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Kari Nordmann" in text and "**Adresse:** Borgenveien 2" in text and "**Gnr/bnr:** 12/345" in text
    assert [b.label for b in at.get("download_button") if "sti.png" in b.label] == ["Last ned sti.png (0,0 MB)"]
