"""Embedding a consultation in the municipality's page: the snippet the builder shows
(consultations/participation/embed.py) and the builder page showing it. The browser side (allowed and
refused origins, the height) is tests/browser/test_embed.py."""

from __future__ import annotations

import html
import re

from consultations.participation import embed
from consultations.config import parse_frame_ancestors
from tests.conftest import log_in

BORGEN = "borgen-tettstedsutvikling"


def test_snippet_frames_the_embed_address_with_an_escaped_title():
    snippet = embed.snippet("https://innspill.asker.kommune.no", BORGEN, 'Borgen "sentrum" <høring>')
    iframe = re.search(r"<iframe [^>]*></iframe>", snippet).group(0)
    assert f'src="https://innspill.asker.kommune.no/?id={BORGEN}&amp;embed=true"' in iframe
    assert 'title="Borgen &quot;sentrum&quot; &lt;høring&gt;"' in iframe
    assert "<høring>" not in snippet


def test_the_snippet_listens_only_to_the_app_origin_even_under_a_base_path():
    snippet = embed.snippet("https://kommune.no/innspill", BORGEN, "Borgen")
    assert 'e.origin !== "https://kommune.no"' in snippet
    assert 'src="https://kommune.no/innspill/?id=' in snippet


def test_the_framed_page_tells_its_height_only_to_the_allowed_origins():
    origins = parse_frame_ancestors("https://www.asker.kommune.no, https://asker.kommune.no")
    script = embed.height_script(origins)
    assert '["https://www.asker.kommune.no", "https://asker.kommune.no"]' in script
    assert "postMessage" in script and '"*"' not in script


def test_the_builder_shows_the_ready_snippet_and_says_no_site_may_frame_it_yet(app):
    app.query_params["id"] = BORGEN
    at = log_in(app, "pages/rediger.py")
    assert not at.exception
    codes = [c.value for c in at.code if "<iframe" in c.value]
    assert len(codes) == 1
    assert f"?id={BORGEN}&amp;embed=true" in codes[0]
    title = at.store().get_consultation(BORGEN).title
    assert f'title="{html.escape(title, quote=True)} – høring fra Asker kommune"' in codes[0]
    assert any("KARTINNSPILL_FRAME_ANCESTORS" in w.value for w in at.warning)
