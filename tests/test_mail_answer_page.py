"""The link in an answer mail (``?id=…&svar=KI-…``) opens «Slik ble innspillene behandlet»
with that input's answer first, under AppTest."""

from __future__ import annotations

from datetime import UTC, datetime

from streamlit.testing.v1 import AppTest

from consultations import mail
from consultations.planning.lifecycle import transition
from consultations.model import Outcome, Response, Status
from consultations.casework.review import publish_responses, respond
from tests.conftest import APP, staff
from tests.helpers_review import CID, IDS
from tests.helpers_review import seeded  # noqa: F401  (a fixture: the conftest's app runs on it)


def test_the_answer_link_shows_that_answer_first(app):
    store = app.store()
    planner = staff(store)
    respond(store, [IDS[0]], Response(0, "Fart", "Fartsdempere kommer.", Outcome.TAKEN, ""), planner)
    respond(store, [IDS[2]], Response(0, "Lys", "Lys langs gangveien er lagt inn.", Outcome.PARTLY, ""), planner)
    transition(store, CID, Status.CLOSED, planner)
    publish_responses(store, store.get_consultation(CID), True, planner, datetime.now(UTC))
    link = mail.answer_link(store.get_consultation(CID), IDS[2], "nb")
    assert link.endswith(f"svar=KI-{IDS[2]:06d}")

    resident = AppTest.from_file(APP, default_timeout=30)
    resident.query_params["id"] = CID
    resident.query_params["svar"] = f"KI-{IDS[2]:06d}"
    resident = resident.run()
    assert not resident.exception
    captions = [c.value for c in resident.caption]
    linked = captions.index(f"Svaret på KI-{IDS[2]:06d}, som e-posten lenket til:")
    assert captions[linked + 1].startswith(f"KI-{IDS[2]:06d} · ")  # its own line follows
    shown = "\n".join(m.value for m in resident.markdown)  # the assessments: only in the answers
    assert shown.index("Lys langs gangveien er lagt inn") < shown.index("Fartsdempere kommer")
    assert captions.count(f"Svaret på KI-{IDS[0]:06d}, som e-posten lenket til:") == 0
