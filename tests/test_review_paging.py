"""The review page at a kommuneplan's size (issue 26): the list in pages with «Forrige» and
«Neste», every merknad reachable by paging or by its reference, and the tabs that run only
when opened past ``TABS_ON_DEMAND_AT`` merknader."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from consultations import geo
from consultations.auth import create_user
from consultations.model import Channel, InputStatus, Status
from consultations.store import Store
from consultations.ui import review as review_ui
from consultations.ui.review.inputs import PAGE_SIZE
from tests.conftest import INSIDE, PASSWORD, log_in_as, make_consultation

PAGE = "pages/gjennomgang.py"
CID = "test-kommuneplan"
N = 2 * PAGE_SIZE + 30  # three pages, the last one short


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A closed consultation with ``N`` published web merknader in one bulk insert, and a
    planner."""
    path = tmp_path_factory.mktemp("paging") / "seed.duckdb"
    store = Store.open(path)
    now = datetime.now(UTC)
    store.add_consultation(
        make_consultation(
            CID, status=Status.CLOSED, opens_at=now - timedelta(days=50), closes_at=now - timedelta(days=2)
        )
    )
    east, north = geo.to_working_crs(INSIDE[1], INSIDE[0])
    rows = [
        ("Annet", f"Merknad nummer {k} om kaia", *INSIDE, east, north, now - timedelta(days=5, minutes=k))
        for k in range(N)
    ]
    store.bulk_add_inputs(CID, rows, Channel.WEB, InputStatus.PUBLISHED)
    create_user(store, "kari", "planner", PASSWORD)
    store.close()
    return path


def opened() -> AppTest:
    from consultations.ui import context

    kari = context._store(str(context._settings().db_path), False).login_record("kari")[0]
    at = AppTest.from_file(str(Path(__file__).parent.parent / "app.py"), default_timeout=60)
    log_in_as(at, kari.id)
    at.query_params["id"] = CID
    at.switch_page(PAGE)
    return at.run()


def refs(at: AppTest) -> list[str]:
    table = next(d for d in at.dataframe if (d.key or "").startswith("review-table-"))
    return list(table.value["Ref."])


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_the_list_comes_in_pages_and_every_merknad_is_a_page_turn_away(app):
    at = opened()
    assert not at.exception
    everyone = {f"KI-{i:06d}" for i in range(1, N + 1)}
    first = refs(at)
    assert len(first) == PAGE_SIZE
    assert f"Innspill 1–{PAGE_SIZE} av {N} · side 1 av 3" in captions(at)
    assert button(at, "Forrige").disabled and not button(at, "Neste").disabled
    second = refs(button(at, "Neste").click().run())
    assert f"Innspill {PAGE_SIZE + 1}–{2 * PAGE_SIZE} av {N} · side 2 av 3" in captions(at)
    third = refs(button(at, "Neste").click().run())
    assert len(third) == N - 2 * PAGE_SIZE and button(at, "Neste").disabled
    assert set(first) | set(second) | set(third) == everyone  # nothing received is left out
    assert len(first) + len(second) + len(third) == N  # and nothing twice
    assert refs(button(at, "Forrige").click().run()) == second


def test_a_new_filter_starts_on_its_first_page_and_a_reference_finds_one_merknad(app):
    at = opened()
    button(at, "Neste").click().run()
    at.text_input(key=f"review-{CID}-filter-text").input(f"KI-{N:06d}").run()
    assert not at.exception
    assert refs(at) == [f"KI-{N:06d}"]
    assert not [b for b in at.button if b.label == "Neste"]  # one page: no page buttons
    at.text_input(key=f"review-{CID}-filter-text").input("kaia").run()
    assert len(refs(at)) == PAGE_SIZE and f"Innspill 1–{PAGE_SIZE} av {N} · side 1 av 3" in captions(at)


def test_past_the_size_limit_only_the_open_tab_runs(app, monkeypatch):
    monkeypatch.setattr(review_ui, "TABS_ON_DEMAND_AT", N - 1)
    at = opened()
    assert not at.exception and refs(at)
    assert not at.get("progress")  # the merknadsbehandling tab has not run
    at.session_state[f"review-{CID}-tab"] = "Merknadsbehandling"
    at.run()
    assert not at.exception
    assert not [d for d in at.dataframe if (d.key or "").startswith("review-table-")]
    assert f"0 av {N}" in at.get("progress")[0].proto.text
    monkeypatch.setattr(review_ui, "TABS_ON_DEMAND_AT", N)  # small: every tab on every run
    at.run()
    assert refs(at) and at.get("progress")
