"""Photos with an input: JPEG, PNG or HEIC, cleaned of EXIF/GPS, at most 1600 px, each with
the resident's alt text; shown as thumbnails only with a published input."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from consultations.participation import public
from consultations.casework import review
from consultations.participation.attachments import ALT_MAX, PHOTO_MAX_SIDE, THUMB_SIDE, check_photo
from consultations.errors import InvalidInput
from consultations.model import InputDraft, Moderation, PlanType, Stage
from consultations.participation.submission import submit_input
from tests.conftest import NOW, make_consultation, staff
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)
from tests.helpers_photos import CATEGORY, TEXT, phone_heic, phone_jpeg


def send(store, c, photos, session="s1", text=TEXT):
    """As a municipality whose profile publishes photos as other inputs (the default holds
    them for a planner: tests/test_photo_moderation.py)."""
    draft = InputDraft(CATEGORY, text, whole_area=True)
    return submit_input(store, c.id, draft, session=session, now=NOW, photos=photos, photos_premoderated=False)


def test_photo_loses_exif_and_gps_and_is_at_most_1600_px():
    photo = check_photo("IMG_0001.JPG", phone_jpeg(), "Ødelagt rekkverk")
    with Image.open(io.BytesIO(photo.content)) as img:
        assert max(img.size) == PHOTO_MAX_SIDE
        assert img.size == (1600, 1200)
        assert not img.getexif()
        assert "exif" not in img.info
    with Image.open(io.BytesIO(photo.thumbnail)) as thumb:
        assert max(thumb.size) == THUMB_SIDE
        assert not thumb.getexif()
    assert photo.media_type == "image/jpeg"


def test_heic_from_a_phone_becomes_a_jpeg_without_gps():
    photo = check_photo("IMG_0002.HEIC", phone_heic(), "Krysset ved skolen")
    assert photo.filename == "IMG_0002.jpg"
    assert photo.media_type == "image/jpeg"
    with Image.open(io.BytesIO(photo.content)) as img:
        assert img.format == "JPEG"
        assert img.size == (1600, 800)
        assert not img.getexif()


@pytest.mark.parametrize(
    "name, data",
    [
        ("plan.pdf", b"%PDF-1.7\n..."),
        ("bilde.jpg", b"dette er tekst, ikke et bilde"),
        ("bilde.gif", b"GIF89a\x01\x00\x01\x00"),
    ],
)
def test_what_is_not_an_image_is_refused_as_not_an_image(name, data):
    with pytest.raises(InvalidInput) as caught:
        check_photo(name, data, "Noe")
    assert caught.value.key == "photo.not_image"
    assert name in caught.value.message("nb")


def test_a_photo_that_does_not_decode_is_refused():
    with pytest.raises(InvalidInput) as caught:
        check_photo("bilde.jpg", b"\xff\xd8\xff" + b"\x00" * 200, "Noe")
    assert caught.value.key == "attachment.broken"


@pytest.mark.parametrize("alt", ["", "   \n "])
def test_a_photo_without_alt_text_is_refused_and_nothing_is_stored(store, consultation, alt):
    with pytest.raises(InvalidInput) as caught:
        send(store, consultation, [("bru.jpg", phone_jpeg((50, 40)), alt)])
    assert caught.value.key == "photo.alt_missing"
    assert store.all_inputs(consultation.id) == []


def test_alt_text_longer_than_150_characters_is_refused():
    with pytest.raises(InvalidInput) as caught:
        check_photo("bru.jpg", phone_jpeg((50, 40)), "x" * (ALT_MAX + 1))
    assert caught.value.key == "photo.alt_long"


def test_a_fourth_photo_is_refused_and_nothing_is_stored(store, consultation):
    four = [(f"b{n}.jpg", phone_jpeg((30, 20)), f"Bilde {n}") for n in range(4)]
    with pytest.raises(InvalidInput) as caught:
        send(store, consultation, four)
    assert caught.value.key == "photo.too_many"
    assert store.all_inputs(consultation.id) == []


def test_early_medvirkning_and_formal_hoering_both_take_photos_stored_with_alt_text(store, consultation):
    formal = make_consultation(
        "formal",
        plan_type=PlanType.DETALJREGULERING,
        stage=Stage.OFFENTLIG_ETTERSYN,
        plan_id="2024.07",
        case_number="24/1234",
    )
    store.add_consultation(formal)
    early = send(store, consultation, [("bru.jpg", phone_jpeg((60, 40)), "  Ødelagt   rekkverk ")])
    late = send(store, formal, [("kryss.jpg", phone_jpeg((60, 40)), "Krysset")], session="s2")
    assert [p.alt_text for p in public.photos(store, consultation.id, "nb")[early.id]] == ["Ødelagt rekkverk"]
    assert [p.alt_text for p in public.photos(store, formal.id, "nb")[late.id]] == ["Krysset"]
    # a photo is also a file planners download (and the archive carries), like an attachment
    assert [a.filename for a in store.attachments(late.id)] == ["kryss.jpg"]


def test_thumbnails_are_shown_only_for_published_inputs(store, kari):
    held = make_consultation("held", moderation=Moderation.PRE)
    store.add_consultation(held)
    item = send(store, held, [("bru.jpg", phone_jpeg((60, 40)), "Ødelagt rekkverk")])
    assert public.photos(store, held.id, "nb") == {}  # held for moderation
    review.publish(store, [item.id], kari)
    shown = public.photos(store, held.id, "nb")[item.id]
    assert shown[0].alt_text == "Ødelagt rekkverk"
    thumb = base64.b64decode(shown[0].src.removeprefix("data:image/jpeg;base64,"))
    with Image.open(io.BytesIO(thumb)) as img:
        assert img.format == "JPEG" and max(img.size) <= THUMB_SIDE
    review.hide(store, [item.id], "Personopplysninger", kari)
    assert public.photos(store, held.id, "nb") == {}  # hidden with its input


def test_alt_text_is_masked_like_the_text_for_the_public(store, consultation):
    item = send(store, consultation, [("bru.jpg", phone_jpeg((60, 40)), "Ring meg på 912 34 567")])
    review.publish(store, [item.id], staff(store))  # personal data waits for a planner (issue 21)
    shown = public.photos(store, consultation.id, "nb")[item.id][0]
    assert "912 34 567" not in shown.alt_text


def test_the_export_carries_every_photo_as_a_file_with_its_alt_text(store, consultation, kari):
    import csv
    import zipfile

    from consultations.outputs.downloads import photos_file

    item = send(
        store,
        consultation,
        [("bru.jpg", phone_jpeg((60, 40)), "Rekkverk; ødelagt"), ("kryss.jpg", phone_jpeg((60, 40)), "Krysset")],
    )
    review.hide(store, [item.id], "Test", kari)  # planners get them whatever the status
    with zipfile.ZipFile(io.BytesIO(photos_file(store, consultation.id, actor=kari))) as zf:
        ref = f"KI-{item.id:06d}"
        assert sorted(zf.namelist()) == ["bilder.csv", f"bilder/{ref}-1.jpg", f"bilder/{ref}-2.jpg"]
        with Image.open(io.BytesIO(zf.read(f"bilder/{ref}-1.jpg"))) as img:
            assert img.format == "JPEG" and not img.getexif()
        rows = list(csv.reader(io.StringIO(zf.read("bilder.csv").decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["referanse", "fil", "alternativ_tekst"]
    assert rows[1] == [ref, f"bilder/{ref}-1.jpg", "Rekkverk; ødelagt"]
    latest = store.audit_entries(limit=1)[0]
    assert (latest.action, latest.actor, latest.after) == ("consultation.export", "kari", '{"format": "photos.zip"}')


def test_the_dashboard_counts_the_photos(store, consultation):
    from consultations.casework import analysis

    send(store, consultation, [("bru.jpg", phone_jpeg((60, 40)), "Bru")])
    send(
        store,
        consultation,
        [(f"b{n}.jpg", phone_jpeg((60, 40)), "Vei") for n in range(2)],
        session="s2",
        text=TEXT + " Og veien.",
    )
    assert analysis.totals(store.analysis_frame(consultation.id)).photos == 3
    assert store.count_photos(consultation.id) == 3  # what the photo export offers
