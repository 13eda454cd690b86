"""Registering an input that came by e-mail, letter or meeting (the planner's form)."""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st

from ..planning import hearing_parties, planprocess
from ..participation.attachments import EXTENSIONS, MAX_PER_INPUT
from ..config import Settings
from ..errors import InvalidInput
from ..i18n import LOCAL_TZ, t
from ..casework.letters import PLACE_MAX, STREET_MAX, postal_address
from ..model import (
    REGISTERED_TEXT_MAX,
    TEXT_MIN,
    Channel,
    Consultation,
    InputDraft,
    InputStatus,
    Moderation,
    Objection,
    SenderType,
    Shape,
    Status,
    User,
)
from ..store import Store
from ..participation.submission import REGISTERABLE, SENDER_NAME_MAX, register_input
from . import flash, location

CHANNELS = (Channel.EMAIL, Channel.LETTER, Channel.MEETING)
_FIELDS = (
    "channel",
    "sender_type",
    "sender_name",
    "received",
    "category",
    "text",
    "whole_area",
    "authority",
    "objection",
    "street",
    "postcode",
    "place",
    "journalpost",
    "property",
)
NO_OBJECTION = "none"  # the objection radio's «neither innsigelse nor faglig råd»
BOTH = "both"  # a letter that holds an innsigelse and a faglig råd
KEYS = {f: f"register-{f}" for f in _FIELDS} | {"consultation": "register-consultation"}
KEYS["sender_email"] = "register-sender_email"  # a receipt and the vedtak notice go there (mail.py)
PREFIX = "register-"  # the location widget's keys: register-map-<id>, register-place-<id> …
_WHERE = "register"


def _today() -> date:
    return datetime.now(LOCAL_TZ).date()


def _reset(consultation_id: str) -> None:
    state = st.session_state
    for field in ("channel", "sender_type", "category", "authority"):
        state[KEYS[field]] = None
    state[KEYS["objection"]] = NO_OBJECTION
    for field in ("sender_name", "sender_email", "text", "street", "postcode", "place", "journalpost", "property"):
        state[KEYS[field]] = ""
    state["register-upload-round"] = state.get("register-upload-round", 0) + 1  # empty uploaders
    state[KEYS["received"]] = _today()
    state[KEYS["whole_area"]] = True
    location.clear(consultation_id, PREFIX)


def _register(store: Store, settings: Settings, consultation: Consultation, actor: User, lang: str) -> str:
    """Store the input and clear the form; the message for the planner."""
    state = st.session_state
    channel, sender_type = state.get(KEYS["channel"]), state.get(KEYS["sender_type"])
    if channel is None:
        raise InvalidInput("input.channel_missing")
    if sender_type is None:
        raise InvalidInput("input.sender_type_missing")
    whole_area = state.get(KEYS["whole_area"], True)
    lat, lon, drawing = (None, None, None) if whole_area else location.sketch(consultation.id, PREFIX).location
    sender_name = state.get(KEYS["sender_name"])
    if sender_type == SenderType.AUTHORITY.value and state.get(KEYS["authority"]):
        sender_name = state.get(KEYS["authority"])  # the chosen authority is the sender
    objection = state.get(KEYS["objection"], NO_OBJECTION)
    if not SenderType(sender_type).may_object:
        objection = NO_OBJECTION  # a choice left from another sender type
    address = None
    if SenderType(sender_type).is_person:
        address = postal_address(state.get(KEYS["street"]), state.get(KEYS["postcode"]), state.get(KEYS["place"]))
    original = state.get(_upload_key("original"))
    files = state.get(_upload_key("attachments")) or []
    draft = InputDraft(
        category=state.get(KEYS["category"]),
        text=state.get(KEYS["text"]),
        lat=lat,
        lon=lon,
        drawing=drawing,
    )
    stored = register_input(
        store,
        consultation.id,
        draft,
        channel=Channel(channel),
        sender_type=SenderType(sender_type),
        sender_name=sender_name,
        received_at=state.get(KEYS["received"]),
        actor=actor,
        objection=None
        if objection == NO_OBJECTION
        else Objection.INNSIGELSE
        if objection == BOTH
        else Objection(objection),
        outside_share=settings.profile.line_outside_share,
        original=(original.name, original.getvalue()) if original is not None else None,
        attachments=[(f.name, f.getvalue()) for f in files],
        sender_address=str(address) if address else None,
        sender_property=state.get(KEYS["property"]) if SenderType(sender_type).is_person else None,
        journalpost=state.get(KEYS["journalpost"]),
        also_advice=objection == BOTH,
        sender_email=state.get(KEYS["sender_email"]),
    )
    party = hearing_parties.link_by_name(store, stored, actor)
    _reset(consultation.id)
    key = "register.saved" if stored.status == InputStatus.PUBLISHED else "register.saved_pending"
    if planprocess.mode(consultation.stage) == planprocess.Mode.FORMAL:
        key = "letters.formal." + key.split(".")[1]
    elif stored.status == InputStatus.PENDING and consultation.moderation != Moderation.PRE:
        key = "letters.saved_pending"  # a private sender's letter, or personal data in it
    message = t(key, lang, ref=stored.reference)
    if party is not None:
        message += " " + t("parties.register.answered", lang, name=party.name)
    return message


def _on_register(store: Store, settings: Settings, consultation: Consultation, actor: User, lang: str) -> None:
    """Runs before the rerun: the input is stored and the form cleared, or it says why not."""
    flash.run(_WHERE, lang, _register, store, settings, consultation, actor, lang)


@st.fragment
def _location(store: Store, settings: Settings, consultation: Consultation, lang: str) -> None:
    """The location widget, rerun alone when clicked; without a place the input concerns the
    whole area. A letter may describe a point, a route or an area, whatever residents may
    draw; the keyboard route finds a letter's address or gnr/bnr without the map."""
    if st.checkbox(
        t("register.whole_area", lang),
        help=t("register.whole_area_help", lang),
        key=KEYS["whole_area"],
    ):
        return
    location.widget(
        store,
        settings,
        consultation,
        lang,
        prefix=PREFIX,
        shapes=tuple(Shape),
        inputs=False,
        point_help=t("register.map_help", lang),
        height=420,
    )


def _sender(column, settings: Settings, sender_type: str | None, lang: str) -> None:
    """Who sent it: an authority from the profile's list (its name is the sender's), or a
    name typed in; for an authority or another municipality, innsigelse or faglig råd."""
    if sender_type == SenderType.AUTHORITY.value and settings.profile.authorities:
        column.selectbox(
            t("parties.register.authority", lang),
            options=list(settings.profile.authorities),
            index=None,
            accept_new_options=True,  # an authority the profile does not list
            placeholder=t("parties.register.authority_placeholder", lang),
            help=t("parties.register.authority_help", lang),
            key=KEYS["authority"],
        )
    else:
        column.text_input(
            t("register.sender_name", lang),
            max_chars=SENDER_NAME_MAX,
            help=t("register.sender_name_help", lang),
            key=KEYS["sender_name"],
        )
        column.caption(t("register.sender_name_note", lang))
    if sender_type is not None and SenderType(sender_type).may_object:
        column.radio(
            t("parties.register.objection", lang),
            options=[NO_OBJECTION, *(o.value for o in Objection), BOTH],
            format_func=lambda v: t("letters.form.both" if v == BOTH else f"objection.kind.{v}", lang),
            help=t("parties.register.objection_help", lang),
            key=KEYS["objection"],
        )


def register_form(store: Store, settings: Settings, user: User, lang: str) -> None:
    st.caption(t("register.intro", lang))
    choices = sorted(  # open ones first: most letters come during the hearing
        (lst.consultation for lst in store.listings() if lst.consultation.status in REGISTERABLE),
        key=lambda c: c.status != Status.PUBLISHED,
    )
    if not choices:
        st.info(t("register.none", lang))
        return
    by_id = {c.id: c for c in choices}
    st.session_state.setdefault(KEYS["received"], _today())
    st.session_state.setdefault(KEYS["whole_area"], True)
    st.session_state.setdefault(KEYS["objection"], NO_OBJECTION)
    chosen = st.selectbox(
        t("register.consultation", lang),
        options=list(by_id),
        format_func=lambda cid: t(
            "register.consultation_option",
            lang,
            title=by_id[cid].title,
            status=t(f"status.{by_id[cid].status.value}", lang),
        ),
        key=KEYS["consultation"],
        on_change=lambda: st.session_state.pop(KEYS["category"], None),  # another list
    )
    consultation = by_id[chosen]
    left, right = st.columns(2)
    left.radio(
        t("register.channel", lang),
        options=[c.value for c in CHANNELS],
        index=None,
        format_func=lambda v: t(f"channel.{v}", lang),
        horizontal=True,
        key=KEYS["channel"],
    )
    left.date_input(
        t("register.received", lang),
        max_value=_today(),
        format="DD.MM.YYYY",
        help=t("register.received_help", lang),
        key=KEYS["received"],
    )
    sender_type = right.selectbox(
        t("register.sender_type", lang),
        options=[s.value for s in SenderType],
        index=None,
        format_func=lambda v: t(f"sender_type.{v}", lang),
        placeholder=t("register.sender_type_placeholder", lang),
        key=KEYS["sender_type"],
    )
    _sender(right, settings, sender_type, lang)
    formal = planprocess.mode(consultation.stage) == planprocess.Mode.FORMAL
    _letter(left, right, sender_type, formal, lang)
    right.text_input(
        t("mail.staff.sender_email", lang), help=t("mail.staff.sender_email_help", lang), key=KEYS["sender_email"]
    )
    st.selectbox(
        t("register.category", lang),
        options=consultation.categories,
        index=None,
        placeholder=t("register.category_placeholder", lang),
        key=KEYS["category"],
    )
    worded = "letters.formal" if formal else "register"  # a formal høring says «merknad»
    st.text_area(
        t(f"{worded}.text", lang),
        max_chars=REGISTERED_TEXT_MAX,
        height=200,
        help=t(f"{worded}.text_help", lang, min=TEXT_MIN, max=REGISTERED_TEXT_MAX),
        key=KEYS["text"],
    )
    _location(store, settings, consultation, lang)
    st.button(
        t(f"{worded}.submit", lang),
        type="primary",
        on_click=_on_register,
        args=(store, settings, consultation, user, lang),
    )
    flash.show(_WHERE)


def _upload_key(name: str) -> str:
    """An uploader's key, new after each registration so the next letter starts empty."""
    return f"register-{name}-{st.session_state.get('register-upload-round', 0)}"


def _letter(left, right, sender_type: str | None, formal: bool, lang: str) -> None:
    """The letter as received (the hoveddokument), its attachments, the journalpost
    postmottak gave it, and a private sender's postal address for the vedtak notice."""
    left.file_uploader(
        t("letters.form.original", lang),
        type=list(EXTENSIONS),
        help=t("letters.form.original_help", lang),
        key=_upload_key("original"),
    )
    left.file_uploader(
        t("letters.form.attachments", lang),
        type=list(EXTENSIONS),
        accept_multiple_files=True,
        help=t("letters.form.attachments_help", lang, max=MAX_PER_INPUT),
        key=_upload_key("attachments"),
    )
    if formal:
        left.text_input(
            t("letters.form.journalpost", lang),
            help=t("letters.form.journalpost_help", lang),
            key=KEYS["journalpost"],
            placeholder="25/4711-12",
        )
    if sender_type is not None and SenderType(sender_type).is_person:
        right.text_input(t("letters.form.street", lang), key=KEYS["street"], max_chars=STREET_MAX)
        code, place = right.columns([1, 2])
        code.text_input(t("letters.form.postcode", lang), key=KEYS["postcode"], max_chars=4)
        place.text_input(t("letters.form.place", lang), key=KEYS["place"], max_chars=PLACE_MAX)
        right.text_input(t("letters.form.property", lang), key=KEYS["property"], max_chars=30, placeholder="12/345")
        right.caption(t("letters.form.address_note", lang))
        right.caption(t("letters.form.private_note", lang))
