"""A formal hearing (a detaljregulering on offentlig ettersyn with a saksnummer) and a web
merknad sent to it with text that would be markup almost anywhere: shared by the receipt
tests."""

from __future__ import annotations

import pytest

from consultations.model import InputDraft, PlanType, Stage
from consultations.participation.submission import submit_input
from tests.conftest import NOW, make_consultation


# Everything that would be markup somewhere: PDF string delimiters and operators, markdown,
# HTML, mathtext, and letters outside Latin-1.
HOSTILE = "Se (kart) \\ ) Tj /JavaScript << /S /Launch >> **fet** <script>x</script> $x^2$ – æøå ČŁ ✓"


@pytest.fixture
def formal(store):
    c = make_consultation(
        "formal",
        title="Detaljregulering Borgen torg",
        plan_type=PlanType.DETALJREGULERING,
        stage=Stage.OFFENTLIG_ETTERSYN,
        plan_id="2024.07",
        case_number="24/1234",
    )
    store.add_consultation(c)
    return c


def send(store, c, text=HOSTILE, session="min-økt", **kw):
    draft = InputDraft("Annet", text, whole_area=True, sender_name="Kari Nordmann", sender_property="12/345")
    return submit_input(store, c.id, draft, session=session, now=NOW, **kw)
