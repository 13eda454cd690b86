"""Photos wait for a planner by default, whatever the consultation's moderation mode
(security finding N10: published photos were public thumbnails under post-moderation, so a
stranger's face or a number plate went public before anyone looked)."""

from __future__ import annotations

import pytest

from consultations.participation import public
from consultations.casework import review
from consultations.config import _flag, load_profile
from consultations.errors import ConfigError
from consultations.model import InputDraft, InputStatus, Moderation
from consultations.participation.submission import submit_input
from tests.conftest import NOW
from tests.helpers_photos import CATEGORY, TEXT, phone_jpeg

PHOTO = [("bru.jpg", phone_jpeg((60, 40)), "Ødelagt rekkverk")]


def send(store, c, photos, session, **kw):
    draft = InputDraft(CATEGORY, TEXT + f" ({session})", whole_area=True)
    return submit_input(store, c.id, draft, session=session, now=NOW, photos=photos, **kw)


def test_the_shipped_profile_holds_photos_for_a_planner():
    assert load_profile("asker").photos_premoderated is True


def test_an_input_with_photos_waits_under_post_moderation_and_one_without_does_not(store, consultation, kari):
    assert consultation.moderation == Moderation.POST
    with_photo = send(store, consultation, PHOTO, "a")
    without = send(store, consultation, [], "b")
    assert with_photo.status == InputStatus.PENDING and without.status == InputStatus.PUBLISHED
    assert public.photos(store, consultation.id, "nb") == {}
    assert review.photos_waiting(store.analysis_frame(consultation.id)) == 1
    review.publish(store, [with_photo.id], kari)
    assert [p.alt_text for p in public.photos(store, consultation.id, "nb")[with_photo.id]] == ["Ødelagt rekkverk"]
    assert review.photos_waiting(store.analysis_frame(consultation.id)) == 0


def test_a_profile_may_publish_photos_as_other_inputs(store, consultation):
    item = send(store, consultation, PHOTO, "c", photos_premoderated=False)
    assert item.status == InputStatus.PUBLISHED


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_a_setting_that_is_not_true_or_false_stops_the_app_with_its_name(value):
    with pytest.raises(ConfigError) as refused:
        _flag("asker", "photos_premoderated", value)
    assert refused.value.key == "config.flag_invalid"


def test_the_privacy_page_says_photos_wait_for_a_planner(app):
    app.switch_page("pages/personvern.py")
    at = app.run()
    body = " ".join(m.value for m in at.markdown)
    assert "Et innspill med bilder blir ikke offentlig før en saksbehandler har sett på det" in body
