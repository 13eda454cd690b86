"""The planners' review page and the residents' «Slik ble innspillene behandlet» under AppTest."""

from __future__ import annotations


from streamlit.testing.v1 import AppTest

from consultations.planning.lifecycle import transition
from consultations.model import InputStatus, Outcome, Status, Role
from consultations.text import escape_html, escape_markdown
from tests.conftest import APP, staff
from tests.helpers_review import CID, IDS, PAGE, SENDER, TEXTS, log_in
from tests.helpers_review import seeded  # noqa: F401  (a fixture: the conftest's app runs on it)


def ref(input_id: int) -> str:
    return f"KI-{input_id:06d}"


def table(at: AppTest):
    return next(d for d in at.dataframe if (d.key or "").startswith("review-table-"))


def select(at: AppTest, *input_ids: int) -> AppTest:
    """Pick rows in the table as a click would."""
    shown = table(at)
    refs = list(shown.value["Ref."])
    at.session_state[shown.key] = {
        "selection": {"rows": [refs.index(ref(i)) for i in input_ids], "columns": [], "cells": []}
    }
    return at.run()


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def page_text(at: AppTest) -> str:
    kinds = ("title", "subheader", "markdown", "caption", "info", "warning", "success", "error")
    texts = [str(e.value) for kind in kinds for e in at.get(kind)]
    return "\n".join(texts + [h.proto.body for h in at.get("html")])


def progress_text(at: AppTest) -> str:
    return at.get("progress")[0].proto.text


def resident_page(at: AppTest) -> AppTest:
    resident = AppTest.from_file(APP, default_timeout=30)
    resident.query_params["id"] = CID
    return resident.run()


def test_visitor_sees_the_login_on_the_review_page(app):
    app.switch_page(PAGE)
    at = app.run()
    assert not at.exception
    assert [w.label for w in at.text_input] == ["Brukernavn", "Passord"]
    assert not at.dataframe and at.title[0].value == "Logg inn for ansatte"


def test_pending_inputs_come_first_and_staff_see_the_senders_name(app):
    at = log_in(app)
    assert list(table(at).value["Ref."]) == [ref(i) for i in (IDS[3], IDS[0], IDS[1], IDS[2], IDS[4])]
    assert list(table(at).value["Status"])[:2] == ["Venter", "Publisert"]
    select(at, IDS[4])
    assert SENDER in page_text(at)  # the detail view: staff only


def test_planner_hides_an_input_with_a_reason_and_residents_no_longer_see_it(app):
    at = log_in(app)
    target = IDS[0]
    assert escape_html(TEXTS[0]) in page_text(resident_page(app))
    select(at, target)
    button(at, "Skjul").click().run()
    assert [e.value for e in at.error] == ["Skriv hvorfor innspillet skjules."]
    at.text_input(key=f"review-{CID}-action-reason").input("Inneholder personopplysninger")
    button(at, "Skjul").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["1 innspill er skjult."]
    stored = app.store().get_input(target)
    assert stored.status == InputStatus.HIDDEN and stored.hidden_reason == "Inneholder personopplysninger"
    entry = app.store().audit_entries()[0]
    assert (entry.actor, entry.action, entry.object_id) == ("kari", "input.hidden", str(target))
    assert "Inneholder personopplysninger" in entry.after
    assert escape_html(TEXTS[0]) not in page_text(resident_page(app))


def test_planner_publishes_a_pending_input(app):
    at = log_in(app)
    pending = IDS[3]
    select(at, pending)
    button(at, "Publiser").click().run()
    assert [s.value for s in at.success] == ["1 innspill er publisert."]
    assert app.store().get_input(pending).status == InputStatus.PUBLISHED
    assert escape_html(TEXTS[3]) in page_text(resident_page(app))


def test_planner_tags_two_inputs_with_a_new_theme_then_filters_on_answers(app):
    at = log_in(app)
    a, b = IDS[1], IDS[2]
    select(at, a, b)
    assert f"2 innspill valgt: {ref(a)}, {ref(b)}" in page_text(at)
    at.text_input(key=f"review-{CID}-action-theme-new").input("Trygg skolevei")
    button(at, "Merk med tema").click().run()
    assert [s.value for s in at.success] == ["Temaet «Trygg skolevei» er lagt til for 2 innspill."]
    assert app.store().tags(CID) == {a: ["Trygg skolevei"], b: ["Trygg skolevei"]}
    assert list(table(at).value["Temaer"]).count("Trygg skolevei") == 2
    at.multiselect(key=f"review-{CID}-filter-status").set_value(["pending"]).run()
    assert list(table(at).value["Ref."]) == [ref(IDS[3])]


def _answer_theme(at: AppTest, theme: str) -> AppTest:
    at.radio(key=f"review-{CID}-response-scope").set_value("theme").run()
    at.selectbox(key=f"review-{CID}-response-theme").set_value(theme).run()
    form = f"review-{CID}-response-theme-{theme}"
    at.text_area(key=f"{form}-summary").input("Ønsker tryggere skolevei over Borgenkrysset.")
    at.text_area(key=f"{form}-assessment").input("Kommunen legger inn opphøyd gangfelt i planen.")
    at.radio(key=f"{form}-outcome").set_value(Outcome.TAKEN.value)
    at.text_area(key=f"{form}-plan_change").input("Nytt opphøyd gangfelt, § 4.2.")
    return button(at, "Lagre svaret").click().run()


def test_planner_answers_a_theme_group_and_progress_counts_it(app):
    a, b = IDS[1], IDS[2]
    app.store().add_tag([a, b], "Trygg skolevei", "kari")
    at = log_in(app)
    assert progress_text(at) == "0 av 5 besvart"  # the pending one counts: it must be dealt with
    at = _answer_theme(at, "Trygg skolevei")
    assert not at.exception
    assert [s.value for s in at.success] == ["Svaret er lagret for 2 innspill."]
    responses = app.store().responses(CID)
    assert set(responses) == {a, b}
    assert {r.outcome for r in responses.values()} == {Outcome.TAKEN}
    assert responses[a].plan_change == "Nytt opphøyd gangfelt, § 4.2." and responses[a].author == "kari"
    assert progress_text(at) == "2 av 5 besvart"


def test_responses_reach_residents_only_after_closing_and_never_with_names(app):
    store = app.store()
    store.add_tag([IDS[1], IDS[2]], "Trygg skolevei", "kari")
    at = _answer_theme(log_in(app), "Trygg skolevei")
    assert at.toggle(key=f"review-{CID}-publish").disabled  # the core refuses it too (test_review)
    assert any(c.value.startswith("Svarene kan publiseres når høringen er avsluttet") for c in at.caption)
    assert "Slik ble innspillene behandlet" not in page_text(resident_page(app))

    transition(store, CID, Status.CLOSED, staff(store))
    at.run()
    assert not at.toggle(key=f"review-{CID}-publish").disabled
    at.toggle(key=f"review-{CID}-publish").set_value(True).run()
    assert [s.value for s in at.success] == ["Innbyggerne ser nå hvordan innspillene ble behandlet."]
    assert store.responses_published(CID)

    resident = page_text(resident_page(app))
    assert "Slik ble innspillene behandlet" in resident
    assert "Konklusjon: Tatt til følge" in resident
    assert escape_markdown("Kommunen legger inn opphøyd gangfelt i planen.") in resident
    assert "Ikke besvart ennå." in resident  # the letter and the first input are still open
    assert SENDER not in resident and "Nordmann" not in resident
    assert escape_html(TEXTS[3]) not in resident  # still pending: not public


def test_only_an_admin_can_delete_an_input_and_only_with_a_reason(app):
    at = log_in(app)  # kari is a planner
    select(at, IDS[1])
    assert not any(b.label == "Slett innspillet" for b in at.button)

    app.store().update_user(app.store().login_record("kari")[0].id, "test", role=Role.ADMIN)
    at.run()
    select(at, IDS[1])
    button(at, "Slett innspillet").click().run()
    assert at.error[0].value.startswith("Skriv en grunn")
    assert app.store().get_input(IDS[1]) is not None
    at.text_input(key=f"review-{CID}-action-delete-reason").input("Innbyggerens ønske, e-post 12.11.")
    at.checkbox(key=f"review-{CID}-action-delete-confirm").check()
    button(at, "Slett innspillet").click().run()
    assert app.store().get_input(IDS[1]) is None
    entry = app.store().audit_entries()[0]
    assert entry.action == "input.delete" and "Innbyggerens ønske" in entry.after


def test_planner_can_download_every_export_and_the_report_as_word_or_pdf_ordered_as_chosen(app):
    at = log_in(app)
    labels = [b.label for b in at.get("download_button")]
    assert labels == [
        "CSV",
        "Excel",
        "GeoJSON",
        "GeoPackage",
        "Rapport (Word)",
        "Rapport (PDF)",
        "Arkivpakke (Fiks Arkiv)",
        "Medvirkningsrapport (Word)",
    ]
    order = at.radio(key=f"downloads-{CID}-order")
    assert order.options == ["Tema (ellers kategori)", "Kategori"] and order.value == "theme"


def test_an_early_phase_consultation_offers_the_medvirkningsrapport_with_the_use_text_staff_write(app):
    at = log_in(app)
    at.text_area(key=f"downloads-{CID}-use").input("Innspillene brukes i planprogrammet.")
    button(at, "Lagre teksten").click().run()
    assert not at.exception and at.success[0].value == "Teksten er lagret."
    store = app.store()
    assert store.use_of_input(CID) == "Innspillene brukes i planprogrammet."
    assert store.audit_entries()[0].action == "consultation.use_of_input"
    assert at.text_area(key=f"downloads-{CID}-use").value == "Innspillene brukes i planprogrammet."


def test_a_formal_hearing_offers_no_medvirkningsrapport(app):
    import dataclasses

    from consultations.model import Stage

    at = app.run()
    store = app.store()
    store.update_consultation(dataclasses.replace(store.get_consultation(CID), stage=Stage.OFFENTLIG_ETTERSYN), "test")
    at = log_in(app)
    labels = [b.label for b in at.get("download_button")]
    assert "Medvirkningsrapport (Word)" not in labels and "Rapport (Word)" in labels


def test_the_downloads_are_the_cli_files_and_audit_logged(app):
    from consultations.config import load_settings
    from consultations.outputs.export import Format
    from consultations.ui.review.exports import _file, _report

    store = app.store()
    c = store.get_consultation(CID)
    assert _file(store, c, Format.CSV, 25832, False, staff(store), "nb").startswith(b"\xef\xbb\xbf")
    assert _report(store, c, load_settings(), False, staff(store), "nb")[:2] == b"PK"  # a .docx (zip)
    actions = [e.action for e in store.audit_entries()[:2]]
    assert actions == ["consultation.report", "consultation.export"]
    import docx
    import io

    by_category = docx.Document(io.BytesIO(_report(store, c, load_settings(), False, staff(store), "nb", "category")))
    assert '"order": "category"' in store.audit_entries()[0].after
    assert not any(p.text.startswith("Tema:") for p in by_category.paragraphs)


def test_a_planner_deactivated_between_two_reruns_cannot_hide_an_input_from_the_open_page(app):
    at = log_in(app)
    select(at, IDS[0])  # the page is open with the hide button drawn for kari
    store = app.store()
    store.update_user(store.login_record("kari")[0].id, "ada", active=False)
    before = store.audit_entries()
    at.text_input(key=f"review-{CID}-action-reason").input("Reklame")
    button(at, "Skjul").click().run()
    assert store.get_input(IDS[0]).status == InputStatus.PUBLISHED and store.get_input(IDS[0]).hidden_reason is None
    assert store.audit_entries() == before
    assert at.title[0].value == "Logg inn for ansatte"  # and the page asks for a login, saying why
    assert [e.value for e in at.error] == [
        "Kontoen din er ikke lenger aktiv, så handlingen ble ikke utført. Logg inn på nytt eller kontakt en administrator."
    ]


def test_an_admin_demoted_between_two_reruns_is_told_the_deletion_was_refused(app):
    store = app.store()
    kari = store.login_record("kari")[0]
    store.update_user(kari.id, "ada", role=Role.ADMIN)
    at = log_in(app)
    select(at, IDS[1])
    at.text_input(key=f"review-{CID}-action-delete-reason").input("Innbyggerens ønske, e-post 12.11.")
    at.checkbox(key=f"review-{CID}-action-delete-confirm").check()
    store.update_user(kari.id, "ada", role=Role.PLANNER)  # meanwhile, another admin demotes kari
    button(at, "Slett innspillet").click().run()
    assert store.get_input(IDS[1]) is not None
    assert [e.value for e in at.error] == ["Bare en administrator kan gjøre dette. Handlingen ble ikke utført."]
    assert not any(b.label == "Slett innspillet" for b in at.button)  # a planner's page now


def test_planner_downloads_the_archive_package_on_the_export_tab_and_the_table_shows_what_was_sent(app):
    from consultations.config import load_settings
    from consultations.ui.review.exports import _archive

    at = log_in(app)
    button = next(b for b in at.get("download_button") if b.label == "Arkivpakke (Fiks Arkiv)")
    assert button.proto.help.startswith("Alle merknadene som journalposter")
    assert set(table(at).value["Arkiv"]) == {""}  # nothing sent yet
    store = app.store()
    data = _archive(store, store.get_consultation(CID), load_settings(), staff(store), "nb")
    assert data[:2] == b"PK"
    assert store.audit_entries()[0].action == "consultation.archive"
    at.run()
    assert all(v.startswith("Sendt ") for v in table(at).value["Arkiv"])


def test_planner_marks_an_input_as_no_merknad_with_a_reason_sees_it_in_the_detail_and_undoes_it(app):
    at = log_in(app)
    target = IDS[2]
    select(at, target)
    key = f"review-{CID}-action-not-merknad"
    at.selectbox(key=f"{key}-kind").set_value("dobbeltregistrering")
    at.text_input(key=f"{key}-note").input("Samme brev registrert to ganger")
    button(at, "Merk som ikke-merknad").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["1 innspill er merket som ikke-merknad."]
    stored = app.store().get_input(target)
    assert stored.not_merknad == "dobbeltregistrering" and stored.not_merknad_note == "Samme brev registrert to ganger"
    entry = app.store().audit_entries()[0]
    assert (entry.actor, entry.action, entry.object_id) == ("kari", "input.not_merknad", str(target))
    at = select(at, target)
    assert "**Ikke en merknad:** Dobbeltregistrering – Samme brev registrert to ganger" in page_text(at)
    button(at, "Gjør til merknad igjen").click().run()
    assert [s.value for s in at.success] == ["1 innspill er en merknad igjen."]
    assert app.store().get_input(target).not_merknad is None
