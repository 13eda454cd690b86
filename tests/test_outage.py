"""When PostgreSQL goes away mid-run (stopped, restarting, connection refused): the store
raises its own ``StoreUnavailable`` and writes nothing, a page shows the calm «try again
shortly» in the visitor's language with no traceback (the reason goes to the server's
log), and both work again by themselves once the database is back.

Each test stops and starts a PostgreSQL server of this module's own (``own_cluster``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import pytest
from streamlit.testing.v1 import AppTest

from consultations.errors import StoreUnavailable
from consultations.i18n import t
from consultations.model import Channel, InputStatus
from consultations.store import Store, postgres_backend
from tests.conftest import APP, INSIDE, NOW, make_consultation

T = TypeVar("T")


@pytest.fixture(autouse=True)
def long_pool_wait(monkeypatch):
    """A call would wait 60 s for a connection, longer than an AppTest run may take (30 s):
    only the short wait once the database was found gone (``OUTAGE_WAIT``) lets a page
    answer during an outage."""
    monkeypatch.setattr(postgres_backend, "POOL_WAIT", 60.0)


@pytest.fixture
def database(own_cluster):
    """A fresh database on the module's server, with one open consultation."""
    url = own_cluster.new_database()
    store = Store.open(url)
    store.add_consultation(make_consultation())
    store.close()
    yield url
    if not own_cluster.running():  # a test that failed while it was stopped
        own_cluster.resume()
    own_cluster.drop(url)


def _add(store: Store, text: str):
    return store.add_input(
        consultation_id="test-borgen",
        category="Annet",
        text=text,
        lat=INSIDE[0],
        lon=INSIDE[1],
        east=None,
        north=None,
        age_group=None,
        relation=None,
        channel=Channel.WEB,
        status=InputStatus.PUBLISHED,
        session_hash="s",
        token=None,
        created_at=NOW,
    )


def _once_back(call: Callable[[], T], tries: int = 60) -> T:
    """``call``'s answer once the store answers again (the pool reconnects in the
    background); bounded, never a wall-clock assertion."""
    for _ in range(tries):
        try:
            return call()
        except StoreUnavailable:
            time.sleep(0.5)
    raise AssertionError(f"the store did not answer again after {tries} tries")


def test_a_write_while_the_database_is_away_raises_the_stores_own_error_and_writes_nothing(own_cluster, database):
    store = Store.open(database)
    try:
        _add(store, "Før stansen")
        with pytest.raises(StoreUnavailable) as lost, store.atomic():
            _add(store, "Halvveis")  # written inside the transaction …
            own_cluster.stop()  # … when the database goes away
            _add(store, "Etter stansen")
        assert lost.value.message("nb") == t("store.unavailable", "nb")
        assert database.rsplit("/", 1)[1] in lost.value.detail()  # for the log: which database
        with pytest.raises(StoreUnavailable):  # while it stays away: refused, not hanging
            _add(store, "Under stansen")
        with pytest.raises(StoreUnavailable):
            store.all_inputs("test-borgen")

        own_cluster.resume()
        texts = _once_back(lambda: [i.text for i in store.all_inputs("test-borgen")])
        assert texts == ["Før stansen"]  # the half-done transaction is gone, nothing else came
        _add(store, "Etter omstarten")  # the same store writes again, on new connections
        assert sorted(i.text for i in store.all_inputs("test-borgen")) == ["Etter omstarten", "Før stansen"]
    finally:
        store.close()


@pytest.fixture
def visit(database, monkeypatch):
    """A visitor opening the app at its front page, in ``lang``: a new session, whose first
    run goes through app.py (under AppTest a session's later runs execute the page file
    alone, which a real server never does)."""
    from consultations.ui import context

    monkeypatch.setenv("KARTINNSPILL_DB", database)
    monkeypatch.setenv("KARTINNSPILL_TILES", "none")
    monkeypatch.delenv("KARTINNSPILL_DEMO", raising=False)
    context._store.clear()
    context._settings.clear()

    def run(lang: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=30)
        at.query_params["lang"] = lang
        return at.run()

    yield run
    context._store(database, False).close()
    context._store.clear()


def _shown(at: AppTest) -> str:
    kinds = ("title", "header", "subheader", "markdown", "caption", "success", "info", "warning", "error")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_a_page_says_try_again_shortly_while_the_database_is_away_and_recovers_by_itself(
    own_cluster, database, visit, lang, caplog
):
    at = visit(lang)
    assert not at.exception and "Borgen" in _shown(at)

    own_cluster.stop()
    with caplog.at_level(logging.ERROR, logger="consultations.ui.context"):
        at = visit(lang)
    assert not at.exception  # no traceback
    assert [e.value for e in at.error] == [t("store.unavailable", lang)]
    assert "Borgen" not in _shown(at) and "psycopg" not in _shown(at)
    (logged,) = [r for r in caplog.records if "does not answer" in r.getMessage()]
    assert database.rsplit("/", 1)[1] in logged.getMessage()  # the log says which database
    at = visit(lang)  # still away: no connection left to fail at once, the pool is asked
    assert not at.exception and [e.value for e in at.error] == [t("store.unavailable", lang)]

    own_cluster.resume()
    for _ in range(60):  # later visits try again; the pool reconnects by itself
        at = visit(lang)
        if not at.error:
            break
        time.sleep(0.5)
    assert not at.exception and not at.error
    assert "Borgen" in _shown(at)
