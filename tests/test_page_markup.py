"""The consultation page in fewer elements (issue 26): the facts box as one escaped HTML
block shared by every session, every page's styles and scripts as two elements — and
nothing a resident could reach before is gone (every label, every part of the form)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from consultations import mail
from consultations.config import load_settings
from consultations.i18n import t
from consultations.model import Contact, MerknadRecipient, Proposer
from consultations.participation import attachments
from consultations.planning.planprocess import worded
from consultations.ui import page_markup, style
from tests.conftest import BORGEN

FORMAL = "asker-sentrum-omraderegulering"  # demo: offentlig ettersyn, saksnummer 24/4711


def open_page(at, cid: str = BORGEN):
    at.query_params["id"] = cid
    at.run()
    assert not at.exception
    return at


def bodies(at) -> list[str]:
    return [h.proto.body for h in at.get("html")]


def test_the_facts_box_is_one_block_with_the_four_facts_and_staffs_text_escaped(demo_app):
    store = demo_app.store()
    c = store.get_consultation(FORMAL)
    hostile = dataclasses.replace(
        c,
        case_number="24/4711<script>alert(1)</script>",
        announced_on=date(2026, 10, 1),
        announced_where="Budstikka & <i>Asker</i>",
        contact=Contact("Kari <b>Nordmann</b>", "Saksbehandler", "kari@example.invalid", "+47 999 99 999"),
        proposer=Proposer("Bygg <AS>", "Plan & Co", MerknadRecipient.CONSULTANT, "Postboks 1, 1372 Asker"),
    )
    store.update_consultation(hostile, "test")
    at = open_page(demo_app, FORMAL)
    (box,) = [b for b in bodies(at) if f'class="{page_markup.FACTS_CLASS}"' in b]
    for label in ("consultation.facts", "consultation.plan_type", "consultation.plan_id", "consultation.stage"):
        assert t(label, "nb") in box
    assert t("plan_process.resident.period_formal", "nb") in box
    assert "<script>" not in box and "&lt;script&gt;" in box
    assert "Kunngjort 1. oktober 2026 i Budstikka &amp; &lt;i&gt;Asker&lt;/i&gt;" in box
    assert "<strong>Kontaktperson:</strong> Kari &lt;b&gt;Nordmann&lt;/b&gt;, Saksbehandler" in box
    assert "Telefon: +47 999 99 999" in box
    assert "Planforslaget er fremmet av Bygg &lt;AS&gt;. Plankonsulent: Plan &amp; Co." in box
    assert "Plan &amp; Co, Postboks 1, 1372 Asker" in box  # the plankonsulent receives
    # no element of its own for any of it any more: the box is one container and one block
    shown = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "Kontaktperson" not in shown and "Kunngjort" not in shown


def test_the_facts_box_is_written_once_per_state_of_the_consultation_and_language(demo_app, monkeypatch):
    written = []
    real = page_markup.facts_html
    monkeypatch.setattr(page_markup, "facts_html", lambda *a: written.append(a[2]) or real(*a))
    monkeypatch.setattr(page_markup, "_FACTS", {})
    store, settings = demo_app.store(), load_settings()
    c = store.get_consultation(BORGEN)
    first = page_markup.facts(settings, c, "nb")
    assert page_markup.facts(settings, store.get_consultation(BORGEN), "nb") is first  # another session
    assert written == ["nb"]
    english = page_markup.facts(settings, c, "en")
    assert english != first and written == ["nb", "en"]
    store.update_consultation(dataclasses.replace(c, case_number="26/9999"), "test")
    after = page_markup.facts(settings, store.get_consultation(BORGEN), "nb")
    assert "26/9999" in after and "26/9999" not in first and written == ["nb", "en", "nb"]


def test_every_page_has_one_style_sheet_and_one_script_of_the_app(demo_app):
    at = demo_app.run()
    assert not at.exception
    found = bodies(at)
    (sheet,) = [b for b in found if "stCaptionContainer" in b]
    assert sheet.count("<style>") == 1 and ".ki-cta" in sheet and ".ki-step-nav" in sheet  # every part's rules
    (script,) = [b for b in found if "kiFrameworkWords" in b]
    assert "document.documentElement.lang" in script and "kiCopyPlain" in script
    assert script == style.page_script("nb")
    assert style.page_script("nn") != script and '"nn"' in style.page_script("nn")


def test_the_consultation_page_has_one_script_of_its_own_with_the_call_to_action(demo_app):
    at = open_page(demo_app)
    own = [b for b in bodies(at) if "kiFolded" in b]
    assert len(own) == 1
    (page,) = own
    assert "window.kiStep" in page and "window.kiMapName" in page  # the form's parts, the map's name
    assert f'<a href="#kart">{t("phone_first.cta", "nb")}</a>' in page
    assert sum("kiStep" in b for b in bodies(at)) == 1  # the form no longer brings its own


@pytest.mark.parametrize("cid", [BORGEN, FORMAL])
def test_every_label_of_the_consultation_page_is_still_there(demo_app, cid):
    """What a resident could use before the page lost elements: every field, choice,
    button and fold, by its label."""
    at = open_page(demo_app, cid)
    c = demo_app.store().get_consultation(cid)
    said = lambda key: t(worded(key, c.stage), "nb")  # noqa: E731
    mailed = lambda key: t(mail.worded(key, c.stage), "nb")  # noqa: E731
    labels = {
        "selectbox": [
            t("language.label", "nb"),
            t("consultation.place", "nb"),
            t("form.category", "nb"),
            t("form.age_group", "nb"),
            t("form.relation", "nb"),
        ],
        "text_input": [
            t("place_search.label", "nb"),
            t("consultation.coordinates", "nb"),
            *(t("photo.alt", "nb", n=n, max=attachments.ALT_MAX) for n in (1, 2, 3)),
            t("mail.form.email", "nb"),
            mailed("follow.email"),
        ],
        "text_area": [said("form.text")],
        "checkbox": [t("form.whole_area", "nb"), t("mail.form.receipt", "nb"), t("mail.form.follow", "nb")],
        "multiselect": [t("list.filter", "nb")],
        "button": [said("form.submit"), mailed("follow.button")],
        "expander": [
            t("phone_first.background", "nb"),
            t("consultation.without_map", "nb"),
            t("form.about_you", "nb"),
            t("photo.heading", "nb"),
            t("mail.form.heading", "nb"),
            mailed("follow.heading"),
        ],
    }
    for kind, wanted in labels.items():
        shown = [e.label for e in at.get(kind)]
        for label in wanted:
            assert label in shown, (kind, label, shown)
    uploads = [e.proto.label for e in at.get("file_uploader")]
    assert all(t("photo.file", "nb", n=n) in uploads for n in (1, 2, 3)), uploads
    if cid == BORGEN:  # the demo's busy one: a page of ten inputs and more
        supports = [b.label for b in at.button if b.key and b.key.startswith("support-")]
        assert len(supports) == 10 and all(label.startswith("Støtt KI-") for label in supports)
        assert t("list.more", "nb") in [b.label for b in at.button]
