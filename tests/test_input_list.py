"""The consultation page's list of published inputs: few elements per input, text escaped."""

from __future__ import annotations

from consultations.model import InputDraft
from consultations.submission import submit_input
from consultations.text import escape_html

BORGEN = "borgen-tettstedsutvikling"


def test_each_listed_input_is_one_escaped_block_with_its_category_over_its_text(demo_app):
    text = "Farlig kryss <b>her</b> & «der»\nandre linje"
    store = demo_app.store()
    submit_input(store, BORGEN, InputDraft("Annet", text, whole_area=True), session="s")
    demo_app.query_params["id"] = BORGEN
    at = demo_app.run()
    assert not at.exception
    blocks = [h.proto.body for h in at.get("html") if 'class="ki-text"' in h.proto.body]
    assert len(blocks) == 20  # one per input on the first page of the list
    (newest,) = [b for b in blocks if "Farlig kryss" in b]
    assert f"<strong>Annet</strong>\n{escape_html(text)}</p>" in newest
    assert "<b>" not in newest


def test_each_listed_input_has_one_caption_with_reference_place_and_supports(demo_app):
    demo_app.query_params["id"] = BORGEN
    at = demo_app.run()
    metas = [c.value for c in at.caption if c.value.startswith("KI-")]
    assert len(metas) == 20
    assert all("støtte" in m.lower() for m in metas), metas[:3]
