"""The consultation page's list of published inputs: few elements per input, text escaped."""

from __future__ import annotations

import re

from consultations.model import InputDraft
from consultations.participation.submission import submit_input
from consultations.text import escape_html
from consultations.ui.participation import PAGE_SIZE

BORGEN = "borgen-tettstedsutvikling"


def test_each_listed_input_is_one_escaped_block_with_its_category_over_its_text(demo_app):
    text = "Farlig kryss <b>her</b> & «der»\nandre linje"
    store = demo_app.store()
    submit_input(store, BORGEN, InputDraft("Annet", text, whole_area=True), session="s")
    demo_app.query_params["id"] = BORGEN
    at = demo_app.run()
    assert not at.exception
    blocks = [h.proto.body for h in at.get("html") if 'class="ki-text"' in h.proto.body]
    assert len(blocks) == PAGE_SIZE  # one per input on the first page of the list
    (newest,) = [b for b in blocks if "Farlig kryss" in b]
    assert f"<strong>Annet</strong>\n{escape_html(text)}</p>" in newest
    assert "<b>" not in newest


def test_each_listed_input_has_one_line_with_reference_place_and_supports_in_its_block(demo_app):
    demo_app.query_params["id"] = BORGEN
    at = demo_app.run()
    blocks = [h.proto.body for h in at.get("html") if 'class="ki-text"' in h.proto.body]
    metas = [re.search(r'<p class="ki-meta"[^>]*>([^<]*)</p>', b) for b in blocks]
    assert len(metas) == PAGE_SIZE and all(metas)
    lines = [m.group(1) for m in metas]
    assert all(line.startswith("KI-") and "støtte" in line.lower() for line in lines), lines[:3]


def test_an_input_is_two_elements_its_block_and_its_support_button_named_by_it(demo_app):
    demo_app.query_params["id"] = BORGEN
    at = demo_app.run()
    blocks = [h.proto.body for h in at.get("html") if 'class="ki-item"' in h.proto.body]
    supports = [b for b in at.button if b.key and b.key.startswith("support-")]
    assert len(blocks) == len(supports) == PAGE_SIZE
    for block, button in zip(blocks, supports, strict=True):  # each button right after its block
        ref = re.search(r"KI-\d{6}", block).group(0)
        assert button.label == f"Støtt {ref}"


def test_the_list_is_written_once_per_data_version_and_shared(demo_app):
    from consultations.ui import list_markup

    store = demo_app.store()
    c = store.get_consultation(BORGEN).in_language("nb")
    first = list_markup.listed(store, c, "nb", [], 20)
    assert list_markup.listed(store, c, "nb", [], 20) is first  # another session: the same
    assert list_markup.listed(store, c, "en", [], 20) is not first  # another language
    submit_input(store, BORGEN, InputDraft("Annet", "Et nytt innspill om benker", whole_area=True), session="s")
    after = list_markup.listed(store, c, "nb", [], 20)
    assert after is not first and "Et nytt innspill om benker" in after[0].html
    assert {key[0] for key in list_markup._LISTS} == {store.data_version}  # the older lists are gone
