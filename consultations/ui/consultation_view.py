"""One consultation (høring): facts, map with the resident's pin, form, published inputs."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st
from streamlit_folium import st_folium

from ..planning import planprocess
from ..casework.analysis import SMALL_GROUP
from ..config import Settings
from ..i18n import format_date, t, tn
from ..model import Consultation, DocumentKind, Phase, Status
from ..participation.public import class_result
from ..store import Store
from ..text import escape_markdown, without_remote_images
from . import form_steps, layers, mail_forms, page_markup, phone_first, safe, style
from .class_maps import results_map
from .listing import HOME_PAGE, days_left
from .medvirkning import public_view as heard_section
from .outcomes import outcomes_section
from .participation import FORM_FRAGMENT, input_form, input_list, map_section


def documents(store: Store, consultation_id: str, lang: str) -> None:
    """The consultation's PDF documents, each a download from the app itself."""
    docs = store.documents(consultation_id)
    if not docs:
        return
    st.subheader(t("documents.heading", lang), anchor=False)
    for doc in docs:
        size = f"{doc.size / 1_000_000:.1f} MB".replace(".", ",")
        label = t("documents.download", lang, name=doc.filename, size=size)
        if doc.kind != DocumentKind.ANNET:
            label = f"{t(f'document_kind.{doc.kind.value}', lang)}: {label}"
        st.download_button(
            label,
            data=lambda doc_id=doc.id: store.document_content(doc_id) or b"",
            file_name=doc.filename,
            mime="application/pdf",
            key=f"doc-{doc.id}",
        )


def class_result_section(store: Store, settings: Settings, c: Consultation, lang: str) -> None:
    """«Barn og unges medvirkning»: the published classes' summary (``public.class_result``:
    counts, route cells and dangerous spots five pupils or more share), if there is one."""
    result = class_result(store, c.id)
    if result is None:
        return
    st.subheader(t("class_public.heading", lang), anchor=False)
    summary = result.summary
    st.markdown(
        tn(
            "class_public.intro",
            result.classes,
            lang,
            pupils=summary.pupils,
            routes=summary.routes,
            places=summary.places,
        )
    )
    modes = ", ".join(f"{t(f'classes.transport.{k}', lang)}: {n}" for k, n in summary.by_transport if n)
    st.caption(t("class_public.transport", lang, modes=modes))
    empty = result.routes.iloc[0:0]
    m = results_map(settings, c, result.routes, empty, result.crossings, lang)
    st_folium(
        m,
        key=f"class-result-{c.id}",
        height=420,
        use_container_width=True,
        returned_objects=[],
    )
    st.caption(t("class_public.map_caption", lang, small=SMALL_GROUP))


@st.fragment(key=FORM_FRAGMENT)
def participation(
    store: Store, settings: Settings, c: Consultation, session: str, lang: str, accepts_input: bool
) -> None:
    """The map, its layers and the form. Sending (or a refusal, or the personal-data
    question) reruns only these, not the page around them: a whole page's run is most of
    what a resident costs the server (issue 26). A stored input reruns these and the list
    below, so the list shows it at once as well (``participation._on_submit``)."""
    map_section(store, settings, c, lang, accepts_input=accepts_input)
    layers.resident_list(store.context_layers(c.id), lang)
    if accepts_input:
        input_form(store, c, session, lang)


def show(
    store: Store,
    settings: Settings,
    consultation_id: str,
    session: str,
    lang: str,
    staff_preview: bool = False,
    embedded: bool = False,
) -> None:
    """The resident page; logged-in staff also see drafts and archived ones, marked so.
    ``embedded`` (in the municipality's page): without the link back to the app's list."""
    now = datetime.now(UTC)
    if not embedded:
        st.page_link(HOME_PAGE, label=t("app.back_home", lang))
    c = store.get_consultation(consultation_id)
    hidden = c is not None and c.phase(now) == Phase.HIDDEN
    if c is None or (hidden and not staff_preview):  # drafts and archived ones are not public
        st.title(t("home.title", lang), anchor=False)
        safe.not_found(
            t("consultation.not_found_link", lang),
            t("consultation.asked_id", lang, id=consultation_id),
        )
        return
    if hidden:
        st.warning(t("preview.banner", lang), icon=":material/visibility:")
    stored, c = c, c.in_language(lang)

    phase = c.phase(now)
    mode = planprocess.mode(c.stage).value
    st.title(style.heading(c.title, c.written_in(lang)), anchor=False)
    if lang == "en" and c.written_in(lang, "body") != lang:  # staff wrote it in Norwegian only
        st.caption(t("phone_first.norwegian_text", lang))
    if c.is_demo:
        st.info(t("app.demo_banner", lang), icon=":material/info:")
    if phase == Phase.OPEN:
        left = tn("home.days_left", days_left(c.closes_at, now), lang)
        deadline = format_date(c.closes_at, lang, with_time=True)
        st.success(
            t(
                f"plan_process.resident.status_open_{mode}",
                lang,
                date=deadline,
                left=left,
            )
        )
    elif phase == Phase.UPCOMING:
        opens = format_date(c.opens_at, lang, with_time=True)
        st.info(t(f"plan_process.resident.status_upcoming_{mode}", lang, date=opens))
    elif phase == Phase.CLOSED:
        closed = format_date(c.closes_at, lang)
        st.warning(t(f"plan_process.resident.status_closed_{mode}", lang, date=closed))
    # title, frist, one call to action (while it takes input): a phone's first screen; with
    # the page's one script (its maps' name, the phone's fold, the form's parts)
    phone_first.apply(
        lang, t(planprocess.worded("map.name", c.stage), lang), cta=phase == Phase.OPEN, also=form_steps.SCRIPT
    )
    st.markdown(f"**{escape_markdown(c.summary)}**")

    # The map (with the form) before the background, in the page itself: the order a phone
    # shows (the columns stacked) is the order a keyboard and a screen reader take.
    participate, body = st.columns([3, 2], gap="large")
    with participate:
        st.subheader(t("consultation.map_heading", lang), anchor=phone_first.MAP_ANCHOR)
        participation(store, settings, c, session, lang, accepts_input=phase == Phase.OPEN)
    with body, st.expander(t("phone_first.background", lang), expanded=True, key=phone_first.BACKGROUND):
        # Staff-written markdown; Streamlit renders no raw HTML in it, and images from other
        # servers would make every resident's browser contact them.
        st.markdown(without_remote_images(c.body))
        documents(store, c.id, lang)

    # one block with its own border, the same for every session: written once per state of
    # the consultation and language (page_markup.facts), not fourteen elements a run (issue 26)
    st.html(page_markup.facts(settings, stored, lang))

    input_list(store, c, session, lang)
    if c.status == Status.PUBLISHED:
        mail_forms.follow_form(store, c, lang)
    class_result_section(store, settings, c, lang)
    heard_section(store, c, lang)
    if phase == Phase.CLOSED and store.responses_published(c.id):
        outcomes_section(store, c, lang)
