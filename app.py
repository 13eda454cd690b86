"""Kartinnspill: page set-up and navigation; nothing else.

Every staff page is registered for everyone, so its address always answers — with the
login to a visitor — but only staff see the menu, and each page shows only what its role
allows.
"""

import time

import streamlit as st

from consultations import assets, background_gc
from consultations.i18n import t
from consultations.model import Role
from consultations.ui import context, style, timing
from consultations.ui.auth import TOKEN_KEY, current_user, sidebar
from consultations.ui.maps import use_local_assets

started = time.perf_counter()  # the script run, timed for the benchmarks (ui/timing.py)

# a session resumed from another browser starts empty (the staff login answers for itself)
context.bind_session_to_browser(keep={TOKEN_KEY})
lang = context.lang()
st.set_page_config(page_title=t("app.name", lang), page_icon="🗺️", layout="wide")
style.apply(lang)  # every page's styles and scripts: the page's language, Streamlit's words in it
use_local_assets()
if missing := assets.missing():
    st.error(t("app.assets_missing", lang, files=", ".join(missing[:3])))
    st.stop()

store = context.store()
# The database may stop answering during any run (PostgreSQL restarting): one calm message
# for every page, said here (context.outage_message)
with context.outage_message():
    user = current_user(store)


def page(path: str, title: str, url_path: str | None = None, role: Role | None = None, **kw):
    shown = role is None or (user is not None and user.can(role))
    return st.Page(path, title=title, url_path=url_path, visibility="visible" if shown else "hidden", **kw)


# One flat list: Streamlit's sectioned menu puts list items inside divs (not a valid list
# for screen readers).
# /?klasse=CODE: a school class's pupils get their own view at the app's front door
class_code = st.query_params.get("klasse", "").strip()
pages = [
    page("pages/klasse.py", t("pupil.title", lang), default=True)
    if class_code
    else page("pages/home.py", t("home.title", lang), default=True),
    page("pages/personvern.py", t("privacy_page.title", lang), "personvern"),
    page("pages/tilgjengelighet.py", t("accessibility_page.title", lang), "tilgjengelighet"),
    page("pages/saksbehandling.py", t("nav.consultations", lang), "saksbehandling", Role.PLANNER),
    page("pages/rediger.py", t("nav.builder", lang), "rediger", Role.PLANNER),
    page("pages/registrer-innspill.py", t("nav.register", lang), "registrer-innspill", Role.PLANNER),
    page("pages/gjennomgang.py", t("planning.nav_title", lang), "gjennomgang", Role.PLANNER),
    page("pages/horingsinstanser.py", t("hearing.title", lang), "horingsinstanser", Role.PLANNER),
    page("pages/klasser.py", t("classes.nav", lang), "klasser", Role.TEACHER),
    page("pages/brukere.py", t("nav.users", lang), "brukere", Role.ADMIN),
    page("pages/revisjonslogg.py", t("nav.audit", lang), "revisjonslogg", Role.ADMIN),
    page("pages/drift.py", t("operations.nav", lang), "drift", Role.ADMIN),
    st.Page("pages/kvittering.py", title=t("receipt.nav_title", lang), url_path="kvittering", visibility="hidden"),
    st.Page("pages/epost.py", title=t("mail.page.title", lang), url_path="epost", visibility="hidden"),
    st.Page("pages/logg-inn.py", title=t("login.title", lang), url_path="logg-inn", visibility="hidden"),
]
with context.outage_message():
    if user is not None:
        sidebar(store, user, lang)
    with timing.script_run(started):
        st.navigation(pages, position="sidebar" if user is not None else "hidden").run()
# Once per process, after a first run has imported the pages' modules: that heap out of
# every later full collection (KARTINNSPILL_BACKGROUND_GC, consultations/background_gc.py).
background_gc.start(context.settings().background_gc)
