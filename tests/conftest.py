from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from shapely.geometry import MultiPolygon, Polygon

from consultations.config import load_profile
from consultations.model import Consultation, Moderation, PlanType, Role, Stage, Status, User
from consultations.store import Store

# A small square around Borgen, Asker (lon/lat).
BORGEN_SQUARE = MultiPolygon(
    [Polygon([(10.405, 59.822), (10.422, 59.822), (10.422, 59.830), (10.405, 59.830)])]
)
INSIDE = (59.826, 10.414)  # lat, lon
OUTSIDE = (59.90, 10.60)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def make_consultation(cid: str = "test-borgen", **changes) -> Consultation:
    fields = dict(
        id=cid,
        title="Testhøring Borgen",
        summary="En høring for tester.",
        body="## Bakgrunn\nTekst.",
        plan_type=PlanType.TETTSTEDSUTVIKLING,
        plan_id="",
        stage=Stage.IDEFASE,
        status=Status.PUBLISHED,
        opens_at=NOW - timedelta(days=10),
        closes_at=NOW + timedelta(days=30),
        area=BORGEN_SQUARE,
        categories=load_profile("asker").categories,
        moderation=Moderation.POST,
    )
    fields.update(changes)
    return Consultation(**fields)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each test starts with no submissions counted against its sessions."""
    from consultations.ratelimit import LIMITER

    LIMITER.reset()
    yield
    LIMITER.reset()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture
def store(db_path: Path):
    s = Store.open(db_path)
    yield s
    s.close()


@pytest.fixture
def consultation(store: Store) -> Consultation:
    c = make_consultation()
    store.add_consultation(c)
    return c


APP = str(Path(__file__).resolve().parent.parent / "app.py")


def app_on_copy_of(seeded: Path, tmp_path: Path, monkeypatch):
    """An AppTest of the whole app on a copy of ``seeded`` (the app's store holds its file
    for the whole process, so each test gets its own). ``at.store()`` is the app's store."""
    from streamlit.testing.v1 import AppTest

    from consultations.ui import context

    db = tmp_path / "app.duckdb"
    db.write_bytes(seeded.read_bytes())
    monkeypatch.setenv("KARTINNSPILL_DB", str(db))
    monkeypatch.setenv("KARTINNSPILL_TILES", "none")
    monkeypatch.delenv("KARTINNSPILL_DEMO", raising=False)
    context._store.clear()
    context._settings.clear()
    at = AppTest.from_file(APP, default_timeout=30)
    at.db_path = db
    at.store = lambda: context._store(str(db), False)
    return at


def hold_database(db_path: Path) -> subprocess.Popen:
    """Another process that holds the database file until its stdin closes
    (``holder.communicate("")``)."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
            " sys.stdin.read()",
            str(db_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "ready"
    return holder


def log_in_as(at, user_id: int):
    """Leave in ``at``'s session what a login through the form leaves: the token of a new
    login record in the app's store (the one ``KARTINNSPILL_DB`` names)."""
    from consultations.auth import start_session
    from consultations.ui import context
    from consultations.ui.auth import TOKEN_KEY

    store = context._store(str(context._settings().db_path), False)
    at.session_state[TOKEN_KEY] = start_session(store, store.get_user(user_id))
    return at


def staff(store: Store, username: str = "kari", role: Role = Role.PLANNER) -> User:
    """The staff account ``username`` (created with ``role`` the first time; no password:
    commands need the row, not a login)."""
    found = store.login_record(username)
    return found[0] if found else store.add_user(username, role, None)


@pytest.fixture
def kari(store: Store) -> User:
    """A planner."""
    return staff(store, "kari", Role.PLANNER)


@pytest.fixture
def ola(store: Store) -> User:
    """An administrator."""
    return staff(store, "ola", Role.ADMIN)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    """The demo data in a database file, made once per test module (copy it per test:
    ``app_on_copy_of``)."""
    from consultations.demo import seed_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    store = Store.open(path)
    seed_demo(store)
    store.close()
    return path


@pytest.fixture
def demo_app(demo_db, tmp_path, monkeypatch):
    """An AppTest of the whole app on a fresh copy of the demo data."""
    from consultations.ui import context

    yield app_on_copy_of(demo_db, tmp_path, monkeypatch)
    context._store.clear()
