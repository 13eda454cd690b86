"""Registering inputs, users and the audit log under AppTest: login gate, roles, the forms."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from consultations.auth import check_login, create_user
from consultations.errors import InvalidUser
from consultations.model import Channel, Role, SenderType
from consultations.participation.submission import received_moment
from consultations.ui.admin import audit_csv
from consultations.users import change
from tests.conftest import (
    APP,
    BORGEN,
    HEGGEDAL,
    PASSWORD,
    app_store,
    log_in_as,
    make_consultation,
    open_page,
)

REGISTER, USERS, AUDIT = "pages/registrer-innspill.py", "pages/brukere.py", "pages/revisjonslogg.py"
PAGES = (REGISTER, USERS, AUDIT)
HEADINGS = {REGISTER: "Registrer innspill", USERS: "Brukere", AUDIT: "Revisjonslogg"}
LETTER = "Brev fra Borgen vel: vi ønsker en trygg skolevei langs Borgenveien."


@pytest.fixture
def db(staff_app_db):
    return staff_app_db


def labels(elements) -> list[str]:
    return [e.label for e in elements]


def texts(at: AppTest) -> str:
    """The page's words, the input list's blocks (``st.html``) included."""
    shown = [str(e.value) for kind in ("title", "markdown", "caption") for e in at.get(kind)]
    return " ".join(shown + [h.proto.body for h in at.get("html")])


# -- the gate ----------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_visitor_sees_the_login_and_nothing_of_the_page(db, page):
    at = open_page(page)
    assert not at.exception
    assert labels(at.text_input) == ["Brukernavn", "Passord"]
    assert labels(at.button) == ["Logg inn"]
    assert HEADINGS[page] not in [e.value for e in at.title]
    assert not at.get("arrow_data_frame") and not at.get("download_button")


@pytest.mark.parametrize("page", [USERS, AUDIT])
def test_planner_is_refused_on_admin_pages(db, page):
    _, ids = db
    at = open_page(page, ids["kari"])
    assert [e.value for e in at.error] == ["Denne siden krever rollen Administrator."]
    assert HEADINGS[page] not in [e.value for e in at.title]
    assert not at.get("arrow_data_frame") and not at.get("download_button")
    assert not at.text_input


@pytest.mark.parametrize("page, user", [(REGISTER, "kari"), (USERS, "ada"), (AUDIT, "ada")])
def test_logging_in_through_the_form_opens_the_page(db, page, user):
    at = open_page(page)
    at.text_input[0].input(user)
    at.text_input[1].input(PASSWORD)
    at.button[0].click()
    at.run()  # the login reruns the script itself
    assert not at.exception and not at.error
    assert at.title[0].value == HEADINGS[page]


def test_wrong_password_is_refused_and_logged(db):
    path, _ = db
    at = open_page(USERS)
    at.text_input[0].input("ada")
    at.text_input[1].input("feil-passord-x")
    at.button[0].click()
    at.run()
    assert [e.value for e in at.error] == ["Feil brukernavn eller passord."]
    assert app_store(path).audit_entries()[0].action == "login.failed"


# -- users -------------------------------------------------------------------------------


def users_table(at: AppTest):
    (table,) = at.dataframe
    return table.value


def test_admin_sees_the_users_and_creates_one(db):
    path, ids = db
    at = open_page(USERS, ids["ada"])
    assert list(users_table(at)["Brukernavn"]) == ["ada", "kari"]
    at.text_input(key="new-user-username").input("Per.Hansen")
    at.text_input(key="new-user-email").input("per@asker.kommune.no")
    at.selectbox(key="new-user-role").set_value("admin")
    at.button[labels(at.button).index("Opprett bruker")].click()
    at.run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == ["Brukeren per.hansen er opprettet med rollen Administrator."]
    table = users_table(at)
    row = table[table["Brukernavn"] == "per.hansen"].iloc[0]
    assert (row["E-post"], row["Rolle"], row["Aktiv"]) == ("per@asker.kommune.no", "Administrator", "Ja")
    assert at.text_input(key="new-user-username").value == ""  # ready for the next one
    entry = app_store(path).audit_entries()[0]
    assert (entry.actor, entry.action, entry.object_id) == ("ada", "user.create", "per.hansen")


def test_a_refused_user_shows_the_reason_and_keeps_what_was_typed(db):
    _, ids = db
    at = open_page(USERS, ids["ada"])
    at.text_input(key="new-user-username").input("per")
    at.button[labels(at.button).index("Opprett bruker")].click()
    at.run()
    assert [e.value for e in at.error] == [
        "En bruker trenger et passord (lokal innlogging) eller en e-postadresse (kommunens innlogging)."
    ]
    assert at.text_input(key="new-user-username").value == "per"
    assert list(users_table(at)["Brukernavn"]) == ["ada", "kari"]


def test_admin_changes_a_role_and_deactivates_a_user(db):
    path, ids = db
    at = open_page(USERS, ids["ada"])
    at.selectbox(key="change-user").set_value(ids["kari"]).run()
    at.selectbox(key=f"change-user-role-{ids['kari']}").set_value("admin")
    at.button(key=f"change-user-save-{ids['kari']}").click().run()
    assert [s.value for s in at.success] == ["kari har nå rollen Administrator."]
    at.button(key=f"change-user-active-{ids['kari']}").click().run()
    assert [s.value for s in at.success] == ["kari er deaktivert og kan ikke logge inn."]
    kari = app_store(path).get_user(ids["kari"])
    assert kari.role == Role.ADMIN and not kari.active
    assert at.button(key=f"change-user-active-{ids['kari']}").label == "Aktiver igjen"


def test_admin_cannot_demote_or_deactivate_themselves(db):
    path, ids = db
    at = open_page(USERS, ids["ada"])
    at.selectbox(key="change-user").set_value(ids["ada"]).run()
    at.button(key=f"change-user-active-{ids['ada']}").click().run()
    assert [e.value for e in at.error] == ["Du kan ikke fjerne din egen administratortilgang."]
    at.selectbox(key=f"change-user-role-{ids['ada']}").set_value("planner")
    at.button(key=f"change-user-save-{ids['ada']}").click().run()
    assert [e.value for e in at.error] == ["Du kan ikke fjerne din egen administratortilgang."]
    ada = app_store(path).get_user(ids["ada"])
    assert ada.role == Role.ADMIN and ada.active


def test_change_user_guards_the_admin_outside_the_widgets_too(store):
    ada = create_user(store, "ada", Role.ADMIN, PASSWORD)
    for changes in ({"role": Role.PLANNER}, {"active": False}):
        with pytest.raises(InvalidUser):
            change(store, ada, ada.id, **changes)
    assert change(store, ada, ada.id, role=Role.ADMIN).role == Role.ADMIN


# -- audit log ---------------------------------------------------------------------------


def test_audit_page_shows_the_login_newest_first_and_offers_csv(db):
    at = open_page(AUDIT)
    at.text_input[0].input("ada")
    at.text_input[1].input(PASSWORD)
    at.button[0].click()
    at.run()
    table = at.dataframe[0].value
    assert list(table.columns) == ["Tid", "Aktør", "Handling", "Objekttype", "Objekt", "Før", "Etter"]
    assert (table.iloc[0]["Aktør"], table.iloc[0]["Handling"]) == ("ada", "login")
    assert list(table["Handling"]).count("user.create") == 2
    (download,) = at.get("download_button")
    assert download.proto.label == "Last ned som CSV"


def test_audit_filter_narrows_by_action_or_actor(db):
    _, ids = db
    at = open_page(AUDIT, ids["ada"])
    at.text_input(key="audit-filter").input("USER.create").run()
    assert set(at.dataframe[0].value["Handling"]) == {"user.create"}
    at.text_input(key="audit-filter").input("ingen-slik").run()
    assert not at.dataframe and "Ingen oppføringer." in texts(at)


def test_audit_csv_is_for_norwegian_excel_and_formula_safe(store):
    store.audit('=HYPERLINK("http://x")', "login.failed", "user", "=1+1")
    data = audit_csv(store.audit_entries(), "nb")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Tid", "Aktør", "Handling", "Objekttype", "Objekt", "Før", "Etter"]
    assert rows[1][1].startswith("'=") and rows[1][4] == "'=1+1"
    assert rows[1][0].endswith(("+01:00", "+02:00"))  # Norwegian time, with its offset


def test_audit_page_shows_one_page_from_the_store_and_builds_the_csv_only_on_request(db):
    path, ids = db
    store = app_store(path)
    before = store.count_audit()  # two accounts, and the demo's merknadspunkter (issue 21)
    for n in range(250):
        store.audit("robot", "export.csv", "consultation", f"c{n}")
    at = open_page(AUDIT, ids["ada"])
    assert not at.exception
    assert f"{250 + before} oppføringer" in texts(at) and "Side 1 av 3 (100 per side)" in texts(at)
    table = at.dataframe[0].value
    assert len(table) == 100 and table.iloc[0]["Objekt"] == "c249"
    (download,) = at.get("download_button")
    assert download.proto.HasField("deferred_file_id") and not download.proto.url
    at.number_input(key="audit-page").set_value(3).run()
    table = at.dataframe[0].value
    assert len(table) == 50 + before and list(table["Handling"]).count("user.create") == 2
    # the filter narrows in the store, and the page number follows it back
    at.text_input(key="audit-filter").input("user.create").run()
    assert len(at.dataframe[0].value) == 2 and not at.number_input


def test_audit_csv_from_the_store_has_every_matching_entry(store):
    for n in range(150):
        store.audit("robot", "export.csv", "consultation", f"c{n}")
    store.audit("kari", "login", "user", "kari")
    assert store.count_audit("EXPORT") == 150 and store.count_audit("") == 151
    rows = list(
        csv.reader(io.StringIO(audit_csv(store.audit_entries(text="kari"), "nb").decode("utf-8-sig")), delimiter=";")
    )
    assert [r[1:3] for r in rows[1:]] == [["kari", "login"]]
    page = store.audit_entries(limit=100, offset=100)
    assert [e.object_id for e in page][:2] == ["c50", "c49"] and len(page) == 51


def test_repeated_wrong_passwords_in_one_session_make_it_wait_instead_of_locking_the_user(db, monkeypatch):
    from consultations import auth

    class Frozen(datetime):  # the back-off counts seconds: a busy machine must not end it
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

    monkeypatch.setattr(auth, "datetime", Frozen)
    path, _ = db
    at = open_page(USERS)
    for _ in range(5):
        at.text_input[0].input("ada")
        at.text_input[1].input("feil-passord-x")
        at.button[0].click()
        at.run()
    at.text_input[1].input(PASSWORD)
    at.button[0].click()
    at.run()
    assert at.error[0].value.startswith("For mange mislykkede forsøk. Vent")
    failed = [e for e in app_store(path).audit_entries() if e.action == "login.failed"]
    assert len(failed) == 1 and '"failures": 5' in failed[0].after
    # another browser (session) with the right password gets in at once
    other = open_page(USERS)
    other.text_input[0].input("ada")
    other.text_input[1].input(PASSWORD)
    other.button[0].click()
    other.run()
    assert other.title[0].value == HEADINGS[USERS]


def test_an_idle_login_ends_and_the_login_says_why(db, monkeypatch):
    from consultations.auth import _token_hash
    from consultations.ui.auth import TOKEN_KEY

    path, _ = db
    at = open_page(AUDIT)
    at.text_input[0].input("ada")
    at.text_input[1].input(PASSWORD)
    at.button[0].click()
    at.run()
    assert at.title[0].value == HEADINGS[AUDIT]
    token_hash = _token_hash(at.session_state[TOKEN_KEY])
    app_store(path).touch_staff_session(token_hash, datetime.now(UTC) - timedelta(minutes=31))
    at.run()
    assert labels(at.text_input) == ["Brukernavn", "Passord"]
    assert [e.value for e in at.info] == ["Du ble logget ut etter 30 minutter uten aktivitet. Logg inn igjen."]
    assert app_store(path).staff_session(token_hash)[2] is not None  # ended in the store


def test_staff_change_their_own_password_in_the_sidebar(db):
    path, ids = db
    # the start page: AppTest shows the entry script's sidebar only on the first run of
    # the default page (not after switch_page, nor on a rerun), so the outcome is read in
    # the store and on the page
    at = log_in_as(AppTest.from_file(APP, default_timeout=30), ids["kari"]).run()
    new = "en-helt-ny-passordsetning"
    at.sidebar.text_input(key="password-current").input(PASSWORD)
    at.sidebar.text_input(key="password-new").input(new)
    at.sidebar.text_input(key="password-repeat").input(new)
    (submit,) = [b for b in at.sidebar.button if b.label == "Bytt passord"]
    submit.click()
    at.run()
    assert not at.exception
    store = app_store(path)
    assert store.audit_entries()[0].action == "user.password"
    assert check_login(store, "kari", new) is not None
    assert at.session_state["password-new"] == ""  # the form is cleared
    at.switch_page(REGISTER).run()
    assert at.title[0].value == HEADINGS[REGISTER]  # this login goes on


# -- registering inputs --------------------------------------------------------------------


def test_planner_registers_a_letter_kept_off_the_resident_page(db):
    path, ids = db
    at = open_page(REGISTER, ids["kari"])
    assert not at.exception
    options = at.selectbox(key="register-consultation").options
    assert any("Avsluttet" in o for o in options) and any("Publisert" in o for o in options)
    at.selectbox(key="register-consultation").set_value(BORGEN).run()
    at.radio(key="register-channel").set_value("letter")
    at.selectbox(key="register-sender_type").set_value("organisasjon")
    at.text_input(key="register-sender_name").input("Borgen Velforening")
    at.selectbox(key="register-category").set_value("Barn og unge (lek, skolevei)")
    at.text_area(key="register-text").input(LETTER)
    at.button[labels(at.button).index("Registrer innspill")].click()
    at.run()
    assert not at.exception and not at.error
    (saved,) = at.success
    (row,) = [i for i in app_store(path).all_inputs(BORGEN) if i.text == LETTER]
    assert saved.value == f"Innspillet er registrert med referansenummer {row.reference}."
    assert (row.channel, row.sender_type, row.sender_name) == (
        Channel.LETTER,
        SenderType.ORGANISATION,
        "Borgen Velforening",
    )
    assert not row.has_location  # "Gjelder hele området" is the default
    assert at.text_area(key="register-text").value == ""  # the form is cleared
    assert at.text_input(key="register-sender_name").value == ""
    assert app_store(path).audit_entries()[0].action == "input.register.letter"

    resident = AppTest.from_file(APP, default_timeout=30)
    resident.query_params["id"] = BORGEN
    resident.run()
    page = texts(resident)
    assert row.reference in page and "Borgen Velforening" not in page


def test_registration_errors_are_shown_and_nothing_is_stored(db):
    path, ids = db
    before = len(app_store(path).all_inputs(BORGEN))
    at = open_page(REGISTER, ids["kari"])
    at.selectbox(key="register-consultation").set_value(BORGEN).run()
    at.text_area(key="register-text").input(LETTER)
    at.button[labels(at.button).index("Registrer innspill")].click()
    at.run()
    assert [e.value for e in at.error] == ["Velg hvordan innspillet kom inn."]
    at.radio(key="register-channel").set_value("email")
    at.selectbox(key="register-sender_type").set_value("privatperson")
    at.button[labels(at.button).index("Registrer innspill")].click()
    at.run()
    assert [e.value for e in at.error] == ["Velg en kategori."]
    assert at.text_area(key="register-text").value == LETTER  # kept as typed
    assert len(app_store(path).all_inputs(BORGEN)) == before


def test_closed_consultation_takes_a_late_letter(db):
    path, ids = db
    at = open_page(REGISTER, ids["kari"])
    at.selectbox(key="register-consultation").set_value(HEGGEDAL).run()
    category = at.selectbox(key="register-category").options[0]
    at.radio(key="register-channel").set_value("meeting")
    at.selectbox(key="register-sender_type").set_value("offentlig_myndighet")
    at.selectbox(key="register-category").set_value(category)
    at.text_area(key="register-text").input("Referat fra møte med fylkeskommunen om kollektivtrafikk.")
    # Heggedal is at varsel om oppstart, a formal høring: the form says «merknad» (issue 21)
    at.button[labels(at.button).index("Registrer merknad")].click()
    at.run()
    assert not at.error and at.success
    (row,) = [i for i in app_store(path).all_inputs(HEGGEDAL) if i.channel == Channel.MEETING]
    assert row.created_at > app_store(path).get_consultation(HEGGEDAL).closes_at


def test_register_map_offers_a_pin_when_not_the_whole_area(db):
    import json

    _, ids = db
    at = open_page(REGISTER, ids["kari"])
    at.selectbox(key="register-consultation").set_value(BORGEN).run()
    assert not at.get("component_instance")
    at.checkbox(key="register-whole_area").uncheck().run()
    (args,) = [json.loads(e.proto.json_args) for e in at.get("component_instance")]
    assert args["returned_objects"] == ["last_clicked"]


def test_received_date_counts_from_noon_but_never_in_the_future_or_before_opening():
    now = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # 09:00 in Oslo
    c = make_consultation(opens_at=datetime(2026, 11, 1, 15, 0, tzinfo=UTC))
    assert received_moment(date(2026, 11, 20), c, now) == datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
    assert received_moment(date(2026, 11, 27), c, now) == now
    assert received_moment(date(2026, 11, 1), c, now) == c.opens_at
    assert received_moment(date(2026, 7, 1), c, now + timedelta(days=1)).hour == 10  # summer time
