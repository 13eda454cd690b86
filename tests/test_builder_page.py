"""The staff pages for consultations under AppTest: the login gate, the builder, the list."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from consultations.auth import create_user
from consultations.i18n import LOCAL_TZ
from consultations.model import MerknadRecipient, Proposer, Status
from tests.conftest import BORGEN_SQUARE, log_in


@pytest.mark.parametrize("page", ["pages/saksbehandling.py", "pages/rediger.py"])
def test_visitor_opening_a_staff_page_sees_only_the_login(app, page):
    app.switch_page(page)
    at = app.run()
    assert not at.exception
    assert [w.label for w in at.text_input] == ["Brukernavn", "Passord"]
    assert [b.label for b in at.button] == ["Logg inn"]
    assert not at.dataframe and at.title[0].value == "Logg inn for ansatte"


def test_wrong_password_is_refused_and_audit_logged(app):
    app.switch_page("pages/saksbehandling.py")
    at = app.run()
    at.text_input[0].input("kari")
    at.text_input[1].input("feil-passord-her")
    at.button[0].click()
    at.run()
    assert at.error[0].value == "Feil brukernavn eller passord."
    assert at.store().audit_entries()[0].action == "login.failed"


def test_planner_logs_in_and_sees_every_consultation(app):
    at = log_in(app, "pages/saksbehandling.py")
    assert not at.exception
    assert at.title[0].value == "Høringer"
    assert len(at.dataframe[0].value) == 5  # the demo's five consultations
    assert at.store().audit_entries()[0].action == "login"


def test_planner_builds_a_consultation_and_publishes_it_for_residents(app):
    at = log_in(app, "pages/rediger.py")
    assert at.title[0].value == "Ny høring"
    at.text_input(key="builder-new-title").input("Vollen sentrum – idéfase")
    at.run()
    assert at.text_input(key="builder-new-id").value == "vollen-sentrum-idefase"
    at.text_area(key="builder-new-summary").input("Hva ønsker du for Vollen?")
    at.text_area(key="builder-new-body").input("## Bakgrunn\nVollen vokser.")
    at.session_state["builder-new-area"] = BORGEN_SQUARE  # as an upload or a drawing sets it
    at.session_state["builder-new-area_source"] = "test"
    at.button(key="builder-new-save").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    store = at.store()
    c = store.get_consultation("vollen-sentrum-idefase")
    assert c.status == Status.DRAFT and c.area.equals(BORGEN_SQUARE)
    assert store.audit_entries()[0].action == "consultation.create"
    assert store.audit_entries()[0].actor == "kari"
    assert at.success[0].value.startswith("Høringen er opprettet som utkast")

    # residents do not see the draft; then the planner publishes it from the list
    at.switch_page("pages/saksbehandling.py")
    at.run()
    at.selectbox(key="staff-selected").set_value("vollen-sentrum-idefase")
    at.run()
    at.button(key="move-vollen-sentrum-idefase-published").click()
    at.run()
    assert store.get_consultation("vollen-sentrum-idefase").status == Status.PUBLISHED
    assert store.audit_entries()[0].action == "consultation.status.published"


def test_builder_refuses_bad_fields_with_a_reason_and_creates_nothing(app):
    at = log_in(app, "pages/rediger.py")
    at.text_input(key="builder-new-title").input("Uten planområde")
    at.text_area(key="builder-new-summary").input("Sammendrag")
    at.button(key="builder-new-save").click()
    at.run()
    assert at.error[0].value.startswith("Høringen trenger et planområde")
    assert at.store().get_consultation("uten-planomrade") is None


def test_builder_opens_an_existing_consultation_with_its_values(app):
    at = log_in(app, "pages/rediger.py")
    at.query_params["id"] = "borgen-tettstedsutvikling"
    at.run()
    assert at.title[0].value.startswith("Endre høring")
    assert at.text_input(key="builder-borgen-tettstedsutvikling-title").value.startswith("Borgen")
    # the id of a published consultation stays: its link may be shared
    assert at.text_input(key="builder-borgen-tettstedsutvikling-id").disabled


def _oidc(at: AppTest, email: str | None, verified: bool = True, sub: str = "sub-1") -> AppTest:
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-secret",
        "client_id": "kartinnspill",
        "client_secret": "x",
        "server_metadata_url": "https://login.example/.well-known/openid-configuration",
    }
    token = {"iss": "https://login.example", "sub": sub, "email": email, "email_verified": verified}
    at.user = {"is_logged_in": True, **token} if email else {"is_logged_in": False}
    return at


def test_with_oidc_the_role_comes_from_the_users_table_by_email(app):
    create_user(app.store(), "ola", "planner", email="ola@asker.kommune.no")
    at = _oidc(app, "OLA@asker.kommune.no")
    at.switch_page("pages/saksbehandling.py")
    at.run()
    assert not at.exception
    assert at.title[0].value == "Høringer" and len(at.dataframe[0].value) == 5
    assert not at.text_input  # no local password form


def test_with_oidc_an_unknown_email_gets_no_access_not_a_role(app):
    at = _oidc(app, "ukjent@example.no")
    at.switch_page("pages/saksbehandling.py")
    at.run()
    assert not at.dataframe
    assert "ikke tilgang" in at.error[0].value and "ukjent@example.no" in at.error[0].value


def test_with_oidc_an_unverified_email_gets_no_role(app):
    create_user(app.store(), "ola", "admin", email="ola@asker.kommune.no")
    at = _oidc(app, "ola@asker.kommune.no", verified=False)
    at.switch_page("pages/saksbehandling.py")
    at.run()
    assert not at.exception and not at.dataframe
    assert "ikke bekreftet" in at.error[0].value


def test_with_oidc_a_second_account_with_the_same_email_cannot_take_over_the_user(app):
    create_user(app.store(), "ola", "admin", email="ola@asker.kommune.no")
    _oidc(app, "ola@asker.kommune.no", sub="sub-ola").switch_page("pages/saksbehandling.py")
    assert app.run().title[0].value == "Høringer"  # the first login binds the row
    at = _oidc(app, "ola@asker.kommune.no", sub="sub-someone-else")
    at.run()
    assert not at.dataframe and "annen konto" in at.error[0].value


def test_with_oidc_a_visitor_gets_the_municipality_login_button(app):
    at = _oidc(app, None)
    at.switch_page("pages/saksbehandling.py")
    at.run()
    assert [b.label for b in at.button] == ["Logg inn"] and not at.text_input and not at.dataframe


@pytest.mark.parametrize("bad_id", ["[x](https://evil.example)", "https://evil.example"])
def test_builder_shows_an_unknown_id_from_the_address_as_plain_text(app, bad_id):
    at = log_in(app, "pages/rediger.py")
    at.query_params["id"] = bad_id
    at.run()
    assert not at.exception
    assert not any("evil" in w.value for w in [*at.warning, *at.markdown])
    assert [t.value for t in at.text] == [f"Id i lenken: {bad_id}"]


def test_builder_tells_staff_that_remote_images_are_not_shown_to_residents(app):
    at = log_in(app, "pages/rediger.py")
    at.query_params["id"] = "borgen-tettstedsutvikling"
    at.run()
    body = next(a for a in at.text_area if a.label == "Tekst (markdown)")
    body.input("Kart: ![plan](http://evil.example/x.png)").run()
    assert not at.exception
    assert any("bilder fra andre nettsteder" in w.value for w in at.warning)
    assert not any("![plan](http" in m.value for m in at.markdown)


def _formal_draft(at: AppTest) -> AppTest:
    from datetime import date

    from consultations.model import PlanType, Stage

    at.text_input(key="builder-new-title").input("Detaljregulering Vollen brygge")
    at.text_area(key="builder-new-summary").input("Forslag til detaljregulering.")
    at.selectbox(key="builder-new-plan_type").set_value(PlanType.DETALJREGULERING)
    at.selectbox(key="builder-new-stage").set_value(Stage.OFFENTLIG_ETTERSYN)
    at.text_input(key="builder-new-plan_id").input("3203 2024.07")
    at.date_input(key="builder-new-opens_date").set_value(date(2026, 11, 10))
    at.date_input(key="builder-new-closes_date").set_value(date(2026, 12, 25))
    at.session_state["builder-new-area"] = BORGEN_SQUARE
    at.session_state["builder-new-area_source"] = "test"
    return at.run()


def test_a_formal_hearing_needs_its_saksnummer_and_the_builder_says_why(app):
    at = _formal_draft(log_in(app, "pages/rediger.py"))
    assert "Formell høring" in " ".join(c.value for c in at.caption)
    at.button(key="builder-new-save").click()
    at.run()
    assert at.error[0].value.startswith("En formell høring trenger saksnummeret")
    assert at.store().get_consultation("detaljregulering-vollen-brygge") is None


def test_a_frist_on_christmas_day_is_saved_on_the_next_working_day_with_a_warning(app):
    from datetime import date

    at = _formal_draft(log_in(app, "pages/rediger.py"))
    at.text_input(key="builder-new-case_number").input("24/1234")
    at.date_input(key="builder-new-announced_on").set_value(date(2026, 11, 10))
    at.checkbox(key="builder-new-frist_confirmed-2026-12-28").check()  # the moved date, confirmed (issue 21)
    at.button(key="builder-new-save").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    c = at.store().get_consultation("detaljregulering-vollen-brygge")
    assert (c.plan_id, c.case_number) == ("2024.07", "24/1234")
    assert c.closes_at.astimezone(LOCAL_TZ).date() == date(2026, 12, 28)
    shown = " ".join(m.value for m in at.success) + " ".join(m.value for m in at.warning)
    assert "Kunngjort frist 25.12.2026, gjelder 28.12.2026" in shown  # both dates (issue 21)
    assert "jul" in shown  # the period runs over Christmas


def test_builder_saves_the_contact_person_and_the_forslagsstiller_of_a_private_plan(app):
    at = log_in(app, "pages/rediger.py")
    cid = "slemmestad-detaljregulering-kai"
    at.query_params["id"] = cid
    at.run()
    assert at.text_input(key=f"builder-{cid}-contact_name").value == "Jonas Berg (fiktiv)"
    at.text_input(key=f"builder-{cid}-contact_phone").input("+47 66 90 90 00")
    at.text_input(key=f"builder-{cid}-proposer_name").input("Slemmestad Brygge AS")
    at.text_input(key=f"builder-{cid}-proposer_consultant").input("Plankontoret AS")
    at.radio(key=f"builder-{cid}-proposer_recipient").set_value(MerknadRecipient.CONSULTANT)
    at.button(key=f"builder-{cid}-save").click()
    at.run()
    assert at.error[0].value.startswith("Når plankonsulenten skal motta merknadene")
    at.text_input(key=f"builder-{cid}-proposer_address").input("post@plankontoret.example")
    at.button(key=f"builder-{cid}-save").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    c = at.store().get_consultation(cid)
    assert c.contact.phone == "+47 66 90 90 00" and c.contact.name == "Jonas Berg (fiktiv)"
    assert c.proposer == Proposer(
        "Slemmestad Brygge AS", "Plankontoret AS", MerknadRecipient.CONSULTANT, "post@plankontoret.example"
    )


def test_builder_has_a_named_slot_for_each_plan_document_and_says_what_is_missing(app):
    at = log_in(app, "pages/rediger.py")
    store = at.store()
    from consultations.planning.lifecycle import ConsultationForm, save
    from consultations.permissions import OPERATOR

    c = store.get_consultation("asker-sentrum-omraderegulering")
    form = ConsultationForm(
        id="ny-ettersyn",
        title="Ny detaljregulering",
        summary="Forslag.",
        body="",
        plan_type=c.plan_type,
        plan_id="2025.01",
        stage=c.stage,
        opens_at=c.opens_at,
        closes_at=c.closes_at,
        area=c.area,
        categories=c.categories,
        case_number="25/1",
        announced_on=c.announced_on,
    )
    save(store, form, OPERATOR)
    at.query_params["id"] = "ny-ettersyn"
    at.run()
    assert not at.exception
    shown = [m.value for m in at.markdown]
    for name in (
        "**Plankart (kreves)**",
        "**Planbestemmelser (kreves)**",
        "**Planbeskrivelse (kreves)**",
        "**Planprogram**",
    ):
        assert name in shown, shown
    assert at.info[-1].value == (
        "Dette trinnet krever dokumentene Plankart, Planbestemmelser, Planbeskrivelse før høringen kan publiseres."
    )


def test_a_frist_shorter_than_six_weeks_is_refused_in_the_builder_until_staff_give_a_reason(app):
    # issue 21: pbl. § 12-10 asks six weeks; a shorter offentlig ettersyn needs a reason
    from datetime import date

    at = _formal_draft(log_in(app, "pages/rediger.py"))
    at.text_input(key="builder-new-case_number").input("24/1234")
    at.date_input(key="builder-new-announced_on").set_value(date(2026, 11, 10))
    at.date_input(key="builder-new-closes_date").set_value(date(2026, 12, 4))
    at.button(key="builder-new-save").click()
    at.run()
    assert at.error and "§§ 11-14 og 12-10" in at.error[0].value and "22.12.2026" in at.error[0].value
    assert at.store().get_consultation("detaljregulering-vollen-brygge") is None
    at.text_area(key="builder-new-short_frist_reason").input("Begrenset endring, avtalt med Statsforvalteren.")
    at.text_input(key="builder-new-decision_body").input("Utvalg for plan")
    at.number_input(key="builder-new-neighbours").set_value(12)
    at.button(key="builder-new-save").click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    facts = at.store().case_facts("detaljregulering-vollen-brygge")
    assert facts.short_frist_reason == "Begrenset endring, avtalt med Statsforvalteren."
    assert (facts.first_decision.body, facts.neighbours_notified) == ("Utvalg for plan", 12)
