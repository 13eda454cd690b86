"""Photos on the pages (AppTest, demo data): the form's photo slots with their alt text,
thumbnails in the list and the map popups for published inputs only, the escaped alt
text, the count in the planners' summary and the download."""

from __future__ import annotations

import io
import json

from PIL import Image

from consultations.casework import review
from consultations.model import InputDraft, Role
from consultations.participation.submission import submit_input
from tests.conftest import log_in_as, staff

EARLY = "borgen-tettstedsutvikling"
FORMAL = "asker-sentrum-omraderegulering"
HOSTILE_ALT = '"><script>alert(1)</script> rekkverk'


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def send_with_photo(at, cid: str = EARLY, alt: str = HOSTILE_ALT):
    store = at.store()
    c = store.get_consultation(cid)
    draft = InputDraft(c.categories[0], "Rekkverket ved gangbrua er ødelagt, se bildet.", whole_area=True)
    return store, submit_input(
        store, cid, draft, session="photo-test", photos=[("bru.jpg", jpeg(), alt)], photos_premoderated=False
    )  # published at once, as a profile without photo pre-moderation has it


def open_consultation(at, cid: str = EARLY):
    at.query_params["id"] = cid
    return at.run()


def photo_blocks(at) -> list[str]:
    return [h.proto.body for h in at.get("html") if 'class="ki-photos"' in h.proto.body]


def map_script(at) -> str:
    maps = [e for e in at.get("component_instance") if "st_folium" in e.proto.component_name]
    return json.loads(maps[0].proto.json_args)["script"]


def test_every_form_offers_three_photos_each_with_a_required_alt_text(demo_app):
    for cid in (EARLY, FORMAL):
        at = open_consultation(demo_app, cid)
        assert not at.exception
        slots = [u.proto for u in at.get("file_uploader") if not u.proto.multiple_files]
        assert len(slots) == 3
        assert set(slots[0].type) == {".jpg", ".jpeg", ".png", ".heic", ".heif"}
        assert slots[0].max_upload_size_mb == 10
        alts = [w for w in at.text_input if w.label.startswith("Hva viser bilde")]
        assert [w.max_chars for w in alts] == [150, 150, 150]


def test_an_alt_text_without_its_photo_is_refused_and_nothing_is_stored(demo_app):
    at = open_consultation(demo_app)
    before = at.store().count_published(EARLY)
    at.selectbox(key=f"form-{EARLY}-category").set_value(at.store().get_consultation(EARLY).categories[0])
    at.text_area(key=f"form-{EARLY}-text").set_value("Rekkverket ved gangbrua er ødelagt.")
    at.checkbox(key=f"form-{EARLY}-whole_area").check()
    at.text_input(key=f"form-{EARLY}-photo-alt-1").set_value("Ødelagt rekkverk")
    at.button(key=f"FormSubmitter:form-{EARLY}-Send innspill").click()
    at.run()
    assert any("uten å velge et bilde" in e.value for e in at.error)
    assert at.store().count_published(EARLY) == before


def test_the_list_and_the_popup_show_the_thumbnail_with_escaped_alt_text(demo_app):
    store, item = send_with_photo(demo_app)
    at = open_consultation(demo_app)
    assert not at.exception
    (block,) = photo_blocks(at)
    assert 'src="data:image/jpeg;base64,' in block
    assert "<script>" not in block and "&lt;script&gt;alert(1)&lt;/script&gt; rekkverk" in block
    assert 'alt="&quot;&gt;&lt;script&gt;' in block
    send_located(demo_app)  # an input for the whole area has no pin, so no popup
    script = map_script(open_consultation(demo_app))
    assert "data:image/jpeg;base64," in script and "<script>alert" not in script


def send_located(at):
    from consultations import geo

    store = at.store()
    c = store.get_consultation(EARLY)
    lat, lon = geo.centre(c.area)
    draft = InputDraft(c.categories[0], "Her er krysset der barna går over.", lat=lat, lon=lon)
    return store, submit_input(
        store, EARLY, draft, session="photo-map", photos=[("kryss.jpg", jpeg(), "Krysset")], photos_premoderated=False
    )  # published at once, as a profile without photo pre-moderation has it


def test_a_hidden_input_shows_no_photo_in_the_list_or_the_map(demo_app):
    store, item = send_with_photo(demo_app)
    _, located = send_located(demo_app)
    kari = staff(store, "kari", Role.PLANNER)
    review.hide(store, [item.id, located.id], "Test", kari)
    at = open_consultation(demo_app)
    assert photo_blocks(at) == []
    assert "data:image/jpeg;base64," not in map_script(at)


def test_the_summary_counts_the_photos_and_offers_them_for_download(demo_app):
    store, _ = send_with_photo(demo_app)
    kari = staff(store, "kari", Role.PLANNER)
    log_in_as(demo_app, kari.id)
    demo_app.switch_page("pages/gjennomgang.py")
    at = demo_app.run()
    at.selectbox(key="review-consultation").set_value(EARLY)
    at.run()
    assert not at.exception, at.exception
    assert "1 bilde" in [c.value for c in at.caption]
    assert "Bilder (ZIP) · 1 bilde" in [b.label for b in at.get("download_button")]
