"""The consultation page's pieces: the map with the resident's pin, the form, the list."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ..participation import attachments, public
from ..planning import planprocess
from ..config import Settings
from ..errors import InvalidInput, StoreUnavailable
from ..i18n import DEFAULT_LANG, t, tn
from ..model import (
    AGE_GROUPS,
    RELATIONS,
    TEXT_MIN,
    Channel,
    Consultation,
    InputDraft,
    InputStatus,
    Phase,
    Question,
    QuestionKind,
)
from ..casework.moderation import has_personal_data, remove_personal_data
from ..planning.planprocess import text_max, worded
from ..participation.questions import ANSWER_TEXT_MAX, SCALE
from ..participation.receipt import issue_address
from ..store import Store
from ..participation.submission import (
    SENDER_ADDRESS_MAX,
    SENDER_NAME_MAX,
    submit_input,
    support_input,
)
from . import flash, form_steps, location, mail_forms
from .context import client_address, limiter, settings
from .list_markup import listed
from .maps import keep_own_input, own_write, rendered_consultation_map, show_map
from .receipt import ADDRESS_PARAM, keep_receipt_address
from .skip import after_map, skip_map
from .upload_budget import drop_session_uploads

PAGE_SIZE = 10  # the list's inputs a page («Vis flere» adds as many): each is two elements a run
RECEIPT_PAGE = "pages/kvittering.py"
# The fragments a stored input reruns (``st.rerun`` by key, from the form's callback): the
# map and the form (``consultation_view.participation``), and the list, so the list shows
# the new input at once; the rest of the page does not run again (issue 26).
FORM_FRAGMENT = "ki-participation"
LIST_FRAGMENT = "ki-list"


# -- the map -----------------------------------------------------------------------------


@st.fragment
def _emptied_key(consultation_id: str) -> str:
    return f"emptied-{consultation_id}"


def _empty_form(consultation_id: str) -> None:
    """The form's fields emptied by a stored input, set once more before they are drawn, so
    the browser is sent the empty values (``_on_submit``)."""
    st.session_state.update(st.session_state.pop(_emptied_key(consultation_id), {}))


def map_section(store: Store, settings: Settings, consultation: Consultation, lang: str, accepts_input: bool) -> None:
    """The map reruns alone when clicked or drawn on: the pin or line shows at once, the
    page stays put."""
    _empty_form(consultation.id)
    if not accepts_input:
        st.caption(t(worded("consultation.map_help_closed", consultation.stage), lang))
        rendered = rendered_consultation_map(store, settings, consultation, lang, since=own_write())
        skip_map(f"map-{consultation.id}", lang)
        show_map(rendered, f"map-{consultation.id}", height=480, returned_objects=[])
        after_map(f"map-{consultation.id}")
        return
    with st.container(key=form_steps.key(1)):  # the form's first part: where
        form_steps.heading(1, lang)
        location.widget(store, settings, consultation, lang, point_help=t("consultation.map_help", lang))
        st.checkbox(
            t("form.whole_area", lang),
            help=t(worded("form.whole_area_help", consultation.stage), lang),
            key=_keys(consultation.id)["whole_area"],
        )
        form_steps.nav(1, lang)


# -- the form ----------------------------------------------------------------------------


def _form_where(consultation_id: str) -> str:
    """Where the form's outcome (thanks, or why not) is shown after the rerun."""
    return f"form-{consultation_id}"


def _list_where(consultation_id: str) -> str:
    """Where a support's refusal is shown, above the list."""
    return f"list-{consultation_id}"


def _keys(consultation_id: str) -> dict[str, str]:
    fields = ("category", "text", "whole_area", "age_group", "relation", *_IDENTITY)
    keys = {f: f"form-{consultation_id}-{f}" for f in fields}
    # an upload widget cannot be emptied through session_state: a new key empties it
    upload_round = st.session_state.get(f"files-round-{consultation_id}", 0)
    keys["files"] = f"form-{consultation_id}-files-{upload_round}"
    for n in _PHOTO_SLOTS:
        keys[f"photo_{n}"] = f"form-{consultation_id}-photo-{n}-{upload_round}"
        keys[f"photo_alt_{n}"] = f"form-{consultation_id}-photo-alt-{n}"
    return keys


_IDENTITY = ("sender_name", "sender_address", "sender_property")
_PHOTO_SLOTS = range(1, attachments.MAX_PER_INPUT + 1)
_MB = 1024 * 1024  # Streamlit's upload sizes are in these megabytes


def _is_formal(consultation: Consultation) -> bool:
    return planprocess.mode(consultation.stage) == planprocess.Mode.FORMAL


def _formal_fields(consultation: Consultation, keys: dict[str, str], lang: str) -> None:
    """Who sends the merknad (as the profile asks: may or must) and its attachments."""
    rule = settings().profile.identified_merknader.value
    st.markdown(f"**{t('identity.heading', lang)}**")
    st.caption(t(f"identity.intro_{rule}", lang))
    st.text_input(t("identity.name", lang), max_chars=SENDER_NAME_MAX, key=keys["sender_name"], autocomplete="name")
    left, right = st.columns([3, 1])
    left.text_input(
        t("identity.address", lang),
        max_chars=SENDER_ADDRESS_MAX,
        key=keys["sender_address"],
        autocomplete="street-address",
    )
    right.text_input(
        t("identity.property", lang), max_chars=30, help=t("identity.property_help", lang), key=keys["sender_property"]
    )
    st.file_uploader(
        t("attachment.label", lang),
        type=list(attachments.EXTENSIONS),
        accept_multiple_files=True,
        max_upload_size=attachments.MAX_BYTES // _MB,  # the browser refuses more up front
        help=t("attachment.help", lang, max=attachments.MAX_PER_INPUT, mb=attachments.MAX_BYTES // _MB),
        key=keys["files"],
    )
    st.caption(t("photo.attachments_note", lang))
    st.caption(t("identity.notice", lang))
    st.page_link("pages/personvern.py", label=t("identity.privacy_link", lang), icon=":material/shield:")


def _photo_fields(keys: dict[str, str], lang: str) -> None:
    """Up to three photos, each with its alt text beside it (a form cannot react to an
    upload, so every photo has its own slot)."""
    mb = attachments.MAX_BYTES // _MB
    with st.expander(t("photo.heading", lang)):
        st.caption(t("photo.intro", lang, max=attachments.MAX_PER_INPUT, mb=mb))
        for n in _PHOTO_SLOTS:
            st.file_uploader(
                t("photo.file", lang, n=n),
                type=list(attachments.PHOTO_EXTENSIONS),
                max_upload_size=mb,
                key=keys[f"photo_{n}"],
            )
            st.text_input(
                t("photo.alt", lang, n=n, max=attachments.ALT_MAX),
                max_chars=attachments.ALT_MAX,
                help=t("photo.alt_help", lang),
                key=keys[f"photo_alt_{n}"],
            )


def _photos(state, keys: dict[str, str]) -> list[tuple[str, bytes, str]]:
    """The photos chosen in the form as ``(name, bytes, alt text)``; an alt text typed
    without its photo is a mistake worth saying rather than dropping."""
    chosen = []
    for n in _PHOTO_SLOTS:
        upload, alt = state.get(keys[f"photo_{n}"]), state.get(keys[f"photo_alt_{n}"]) or ""
        if upload is not None:
            chosen.append((upload.name, upload.getvalue(), alt))
        elif alt.strip():
            raise InvalidInput("photo.alt_without_photo")
    return chosen


def _question_key(consultation_id: str, question: Question) -> str:
    return f"form-{consultation_id}-q-{question.id}"


def _question(consultation: Consultation, q: Question, lang: str) -> None:
    """One optional question, as the widget its kind calls for, in the resident's language
    where staff translated it; the answer is the original option."""
    key = _question_key(consultation.id, q)
    labels = consultation.labels(lang)
    text, option = labels.question(q), partial(labels.option, q)
    if q.kind == QuestionKind.SINGLE:
        st.radio(text, options=q.options, index=None, format_func=option, key=key)
    elif q.kind == QuestionKind.MULTIPLE:
        st.multiselect(text, options=q.options, format_func=option, key=key, placeholder=t("questions.no_answer", lang))
    elif q.kind == QuestionKind.SCALE:
        st.radio(
            text,
            options=SCALE,
            index=None,
            horizontal=True,
            key=key,
            captions=[t("questions.scale_low", lang), "", "", "", t("questions.scale_high", lang)],
        )
    else:
        st.text_input(text, max_chars=ANSWER_TEXT_MAX, key=key)


def _on_submit(
    store: Store,
    consultation: Consultation,
    session: str,
    lang: str,
    personal_data: str | None = None,
) -> None:
    """Runs before the rerun: store the input, or keep the form as typed with the reason.

    Text with what looks like personal data is not sent at once: the resident is warned
    and chooses to remove it (``personal_data="remove"``) or send it as it is ("keep").
    """
    keys = _keys(consultation.id)
    state = st.session_state
    result_key = f"personal-data-{consultation.id}"
    text = state.get(keys["text"]) or ""
    if personal_data is None and has_personal_data(text):
        state[result_key] = True  # the resident chooses: remove it, or send it as it is
        return
    state.pop(result_key, None)
    if personal_data == "remove":
        text = remove_personal_data(text)
        state[keys["text"]] = text
    lat, lon, drawing = location.sketch(consultation.id).location
    draft = InputDraft(
        category=state.get(keys["category"]),
        text=text,
        lat=lat,
        lon=lon,
        drawing=drawing,
        whole_area=bool(state.get(keys["whole_area"])),
        age_group=state.get(keys["age_group"]),
        relation=state.get(keys["relation"]),
        answers={q.id: state.get(_question_key(consultation.id, q)) for q in consultation.questions},
        **{f: state.get(keys[f]) for f in _IDENTITY},
    )
    files = [(f.name, f.getvalue()) for f in state.get(keys["files"]) or []]
    asked = mail_forms.request(consultation.id, lang)
    try:
        photos = _photos(state, keys)
        stored = submit_input(
            store,
            consultation.id,
            draft,
            session=session,
            address=client_address(),
            limiter=limiter(),
            limits=settings().profile.limits,
            files=files,
            identification=settings().profile.identified_merknader,
            photos=photos,
            outside_share=settings().profile.line_outside_share,
            photos_premoderated=settings().profile.photos_premoderated,
            mail_request=asked,
        )
    except InvalidInput as exc:
        flash.say(_form_where(consultation.id), "error", location.said(exc, consultation.stage, lang))
        state[_step_key(consultation.id)] = form_steps.step_of(exc.key)  # on a phone: the part to mend
        return
    except StoreUnavailable as exc:
        flash.outage(_form_where(consultation.id), exc, lang)
        return
    keep_own_input(store, consultation.id, public.map_point(stored, lang))  # on her map at once
    state[_step_key(consultation.id)] = 1  # on a phone: sent; the next input starts at «where»
    message = "form.thanks" if stored.status == InputStatus.PUBLISHED else "form.thanks_pending"
    thanks = t(worded(message, consultation.stage), lang, ref=stored.reference)
    flash.say(
        _form_where(consultation.id),
        "success",
        f"{thanks} {mail_forms.submitted(consultation.id, asked, lang)}".strip(),
    )
    if _is_formal(consultation):
        state[f"receipt-{consultation.id}"] = stored.reference
        state[f"receipt-address-{consultation.id}"] = issue_address(store, stored.id, session)
    round_key = f"files-round-{consultation.id}"  # empties the upload widgets
    state[round_key] = state.get(round_key, 0) + 1
    drop_session_uploads()  # and their files leave the server's memory (security N3)
    emptied = {keys[f"photo_alt_{n}"]: "" for n in _PHOTO_SLOTS}
    emptied |= {keys[field]: None for field in ("category", "age_group", "relation")}
    emptied |= {keys[field]: "" for field in (*_IDENTITY, "text")}
    emptied[keys["whole_area"]] = False
    for q in consultation.questions:
        emptied[_question_key(consultation.id, q)] = [] if q.kind == QuestionKind.MULTIPLE else None
    state.update(emptied)
    # Said again when the fragments draw the form (``_empty_form``): a keyed rerun from a
    # callback starts a new run, in which values set here no longer count as set by the
    # app, and the browser would keep what she typed in the fields.
    state[_emptied_key(consultation.id)] = emptied
    location.clear(consultation.id)
    # Sent from the form's fragment (a browser): the map, the form and the list run again
    # and show the new input. Nothing else on the page shows inputs (the «vi hørte» table
    # follows them within HEARD_FRESHNESS), so the page around them does not: a whole
    # page's run was ~30 ms of a resident's CPU (issue 26). A run of the whole page (the
    # interaction's own) shows it anyway.
    ctx = get_script_run_ctx()
    if ctx is not None and ctx.fragment_ids_this_run:
        st.rerun([FORM_FRAGMENT, LIST_FRAGMENT])


def _what(consultation: Consultation, keys: dict[str, str], lang: str) -> None:
    """Part 2, what: the category and the text, then what the resident may add (about
    you, photos, the consultation's questions)."""
    said = partial(worded, stage=consultation.stage)
    form_steps.heading(2, lang)
    st.selectbox(
        t("form.category", lang),
        options=consultation.categories,
        index=None,
        format_func=consultation.labels(lang).category,  # stored as the original
        placeholder=t("form.category_placeholder", lang),
        key=keys["category"],
    )
    st.text_area(
        t(said("form.text"), lang),
        max_chars=(limit := text_max(consultation.stage, Channel.WEB)),
        help=t("form.text_help", lang, min=TEXT_MIN, max=limit),
        key=keys["text"],
    )
    with st.expander(t("form.about_you", lang)):
        st.selectbox(
            t("form.age_group", lang),
            options=AGE_GROUPS,
            index=None,
            format_func=lambda v: t(f"age_group.{v}", lang),
            placeholder=t("form.not_stated", lang),
            key=keys["age_group"],
        )
        st.selectbox(
            t("form.relation", lang),
            options=RELATIONS,
            index=None,
            format_func=lambda v: t(f"relation.{v}", lang),
            placeholder=t("form.not_stated", lang),
            key=keys["relation"],
        )
    _photo_fields(keys, lang)
    if consultation.questions:
        st.markdown(f"**{t('questions.heading', lang)}**")
        for q in consultation.questions:
            _question(consultation, q, lang)


def input_form(store: Store, consultation: Consultation, session: str, lang: str) -> None:
    """Parts 2 and 3 of where → what → send (part 1 is the map, ``map_section``): what the
    resident says, then who sends it and «Send». One form, every part always on the page
    (``form_steps``): nothing typed is lost on a rerun."""
    keys = _keys(consultation.id)
    said = partial(worded, stage=consultation.stage)
    with st.container(key="ki-form-heading"):
        st.subheader(t(said("consultation.form_heading"), lang), anchor=False)
    asks_about_personal_data = st.session_state.pop(f"personal-data-{consultation.id}", False)
    with st.form(f"form-{consultation.id}", border=True):
        with st.container(key=form_steps.key(2)):
            _what(consultation, keys, lang)
            form_steps.nav(2, lang)
        with st.container(key=form_steps.key(3)):
            form_steps.heading(3, lang)
            if _is_formal(consultation):
                _formal_fields(consultation, keys, lang)
            else:
                st.caption(t(said("form.public_notice"), lang))
            mail_forms.input_fields(consultation.id, lang, consultation.stage)
            st.form_submit_button(
                t(said("form.submit"), lang),
                type="primary",
                on_click=_on_submit,
                args=(store, consultation, session, lang),
            )
            form_steps.nav(3, lang)
    if asks_about_personal_data:
        st.warning(t("privacy.found", lang))
        remove, keep = st.columns(2)
        remove.button(
            t("privacy.remove_and_send", lang),
            type="primary",
            key=f"pd-remove-{consultation.id}",
            on_click=_on_submit,
            args=(store, consultation, session, lang, "remove"),
        )
        keep.button(
            t("privacy.send_anyway", lang),
            key=f"pd-keep-{consultation.id}",
            on_click=_on_submit,
            args=(store, consultation, session, lang, "keep"),
        )
        return
    if (step := st.session_state.pop(_step_key(consultation.id), None)) is not None:
        form_steps.show(step, outcome=True)
    with st.container(key=form_steps.OUTCOME):
        _outcome(consultation, lang)


def _step_key(consultation_id: str) -> str:
    """Which part of the form a phone shows after the form was sent (``form_steps.show``)."""
    return f"form-step-{consultation_id}"


def _outcome(consultation: Consultation, lang: str) -> None:
    """Thanks (with the receipt's address in a formal høring), or why not."""
    if flash.show(_form_where(consultation.id)) == "success" and (
        ref := st.session_state.get(f"receipt-{consultation.id}")
    ):
        token = st.session_state.get(f"receipt-address-{consultation.id}")
        query = {ADDRESS_PARAM: token} if token else {"ref": ref}
        st.page_link(
            RECEIPT_PAGE,
            label=t("receipt.open_link", lang),
            icon=":material/receipt:",
            query_params={**query, **({"lang": lang} if lang != DEFAULT_LANG else {})},
        )
        if token:
            keep_receipt_address(token, lang)


# -- the list ----------------------------------------------------------------------------


def _support(store: Store, consultation_id: str, input_id: int, session: str, lang: str) -> None:
    try:
        added = support_input(
            store,
            consultation_id,
            input_id,
            session=session,
            address=client_address(),
            limiter=limiter(),
            limits=settings().profile.limits,
        )
    except InvalidInput as exc:
        c = store.get_consultation(consultation_id)
        flash.say(_list_where(consultation_id), "info", location.said(exc, c.stage, lang) if c else exc.message(lang))
        return
    except StoreUnavailable as exc:
        flash.outage(_list_where(consultation_id), exc, lang)
        return
    if not added:
        flash.say(_list_where(consultation_id), "info", t("input.already_supported", lang))


@st.fragment(key=LIST_FRAGMENT)
def input_list(store: Store, consultation: Consultation, session: str, lang: str) -> None:
    """Published inputs, newest first, filterable, each with a support button named by it."""
    st.subheader(t(worded("list.heading", consultation.stage), lang), anchor=False)
    chosen = st.multiselect(
        t("list.filter", lang),
        options=consultation.categories,
        format_func=consultation.labels(lang).category,
        placeholder=t("list.filter_placeholder", lang),
        key=f"filter-{consultation.id}",
    )
    total = store.count_published(consultation.id, chosen)
    st.caption(tn(worded("list.count", consultation.stage), total, lang))
    limit_key = f"limit-{consultation.id}"
    limit = st.session_state.get(limit_key, PAGE_SIZE)
    session_hash = store.hash_session(session, consultation.id)
    supported = store.supported_by(consultation.id, session_hash)
    accepts = consultation.phase(datetime.now(UTC)) == Phase.OPEN
    flash.show(_list_where(consultation.id))
    # Two elements an input (were four: a bordered container, text, caption, button): its block,
    # the same for every session and written once per data version (list_markup.listed),
    # and its button (bench/load.py, issue 26).
    for item in listed(store, consultation, lang, chosen, limit):
        st.html(item.html)
        if item.id in supported:
            st.button(t("list.supported", lang), key=f"support-{item.id}", disabled=True)
        else:
            st.button(  # named by its input: ten «Støtt» in a row say nothing to a screen reader
                t("keyboard.support", lang, ref=item.reference),
                key=f"support-{item.id}",
                disabled=not accepts,
                on_click=_support,
                args=(store, consultation.id, item.id, session, lang),
            )
    if total > limit:
        st.button(
            t("list.more", lang),
            key=f"more-{consultation.id}",
            on_click=lambda: st.session_state.__setitem__(limit_key, limit + PAGE_SIZE),
        )
