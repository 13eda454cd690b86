"""School classes under AppTest, shared by the class pages' tests: a consultation open now with
the teachers «lena» and «per» and the planner «kari» (``class_db``, made once per module),
the app on a copy of it (``app``, its accounts' ids in ``app.ids``), and a teacher's class,
a pupil's visit and the steps a pupil takes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from consultations.children import classes
from consultations import geo
from consultations.participation.drawing import Sketch
from consultations.model import Role, Shape
from consultations.store import Store
from tests.conftest import app_on_copy_of, make_consultation, staff


CID = "heggedal-skolevei"
ROUTE = {
    "type": "LineString",
    "coordinates": [[10.406, 59.826], [10.412, 59.826], [10.420, 59.826]],
}


@pytest.fixture(scope="module")
def class_db(tmp_path_factory):
    now = datetime.now(UTC)
    path = tmp_path_factory.mktemp("classes") / "classes.duckdb"
    store = Store.open(path)
    store.add_consultation(
        make_consultation(
            CID, title="Heggedal: skoleveien", opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=30)
        )
    )
    ids = {
        name: staff(store, name, role).id
        for name, role in (("lena", Role.TEACHER), ("per", Role.TEACHER), ("kari", Role.PLANNER))
    }
    store.close()
    return path, ids


@pytest.fixture
def app(class_db, tmp_path, monkeypatch):
    from consultations.ui import context

    path, ids = class_db
    at = app_on_copy_of(path, tmp_path, monkeypatch)
    at.ids = ids
    yield at
    context._store.clear()


def open_class(at: AppTest, teacher: str = "lena", grade: str = "6", lang: str = "nb"):
    store = at.store()
    now = datetime.now(UTC)
    return classes.create_class(
        store,
        store.get_user(at.ids[teacher]),
        CID,
        school="Heggedal skole",
        grade=grade,
        size=24,
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(hours=2),
        lang=lang,
    )


def texts(at: AppTest) -> str:
    kinds = (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "success",
        "info",
        "warning",
        "error",
    )
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


def pupil(app: AppTest, code: str) -> AppTest:
    app.query_params["klasse"] = code
    return app.run()


def drawn(at: AppTest, session) -> None:
    """What drawing the way on the map leaves in the location widget (ui/location.py)."""
    line = geo.read_drawing(ROUTE, (Shape.LINE,), at.store().get_consultation(CID).area)
    at.session_state["location"] = {f"class{session.id}-school-{CID}": Sketch(shape=Shape.LINE, drawing=line)}


def choose_middle(at: AppTest, session) -> AppTest:
    """The place chosen without the map: the middle of the area, from the place search."""
    search = at.selectbox(key=f"class{session.id}-place-place-{CID}")
    return search.set_value(search.options[-1]).run()
