"""One input, with every field staff may see: the sender's name, address and attachments
included."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ...participation import attachments
from ...participation.drawing import size_words
from ...i18n import format_date, t
from ...model import Consultation, Input, User, reference
from ...casework.moderation import flags
from ...store import Store
from ...text import escape_markdown
from .. import parties
from ..safe import labelled_lines, text_block
from .common import tags_of


def _answer_text(value: object) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def detail(store: Store, c: Consultation, row: pd.Series, lang: str, user: User | None = None) -> None:
    """One input (its row of the analysis frame) with every field staff may see, the
    sender's name, address and attachments included."""
    item = store.get_input(int(row["id"]))
    if item is None:
        return
    tags = tags_of(row["tags"])

    def d(name: str, **params: object) -> str:
        return t(f"planning.detail.{name}", lang, **params)

    sender = t(f"sender_type.{item.sender_type.value}", lang) if item.sender_type else d("sender_unknown")
    if item.sender_name:
        sender += f" – {escape_markdown(item.sender_name)}"
    if kind := parties.objection_label(item.objection, item.objection_status, lang):
        sender += f" ({kind})"
    where = d("whole_area")
    if item.has_location:  # the store keeps east/north with every point
        where = d(
            "point", lat=f"{item.lat:.5f}", lon=f"{item.lon:.5f}", east=f"{item.east:.0f}", north=f"{item.north:.0f}"
        )
        if item.drawing is not None:  # the point lies on the line or inside the area
            where = t(
                "list_where.review_drawn", lang, shape_size=size_words(item.shape, item.measure, lang), point=where
            )
    facts = [
        (d("status"), t(f"planning.input_status.{item.status.value}", lang)),
        (
            d("received"),
            format_date(item.created_at, lang, with_time=True)
            + (f" – **{late}**" if (late := parties.late_label(row["missed"], lang)) else ""),
        ),
        (d("category"), escape_markdown(item.category)),
        (d("channel"), t(f"channel.{item.channel.value}", lang)),
        (d("sender"), sender),
        *_sender_where(item, lang),
        (d("location"), where),
        (d("supports"), str(item.supports)),
        (d("themes"), escape_markdown(", ".join(tags)) if tags else d("no_themes")),
    ]
    if item.age_group:
        facts.append((d("age_group"), t(f"age_group.{item.age_group}", lang)))
    if item.relation:
        facts.append((d("relation"), t(f"relation.{item.relation}", lang)))
    if item.hidden_reason:
        facts.append((d("hidden_reason"), escape_markdown(item.hidden_reason)))
    if item.duplicate_of is not None:
        facts.append((d("duplicate_of"), reference(item.duplicate_of)))
    if item.not_merknad is not None:
        why = t(f"report11.not_merknad.{item.not_merknad.value}", lang)
        if item.not_merknad_note:
            why += f" – {escape_markdown(item.not_merknad_note)}"
        facts.append((t("report11.detail.not_merknad", lang), why))
    if found := flags(item.text):
        facts.append((d("flags"), ", ".join(t(f"planning.flag.{f}", lang) for f in found)))
    st.subheader(d("heading", ref=item.reference), anchor=False)
    with st.container(border=True):
        text_block(item.text)
    st.markdown("  \n".join(f"**{label}:** {value}" for label, value in facts))
    questions = {q.id: q.text for q in c.questions}
    answers = [(questions.get(qid, qid), v) for qid, v in item.answers.items() if v not in (None, "", [])]
    if answers:
        st.markdown(f"**{d('answers')}**")
        labelled_lines([(q, _answer_text(v)) for q, v in answers])
    outcome = row["outcome"]
    answered = (
        f"{t(f'planning.outcome.{outcome}', lang)} – {escape_markdown(row['response_summary'])}"
        if isinstance(outcome, str)
        else d("no_response")
    )
    st.markdown(f"**{d('response')}:** {answered}")
    if user is not None:
        _attachments(store, item.id, user, lang)


def _sender_where(item: Input, lang: str) -> list[tuple[str, str]]:
    """Where to notify the sender of a formal merknad (never shown publicly)."""
    found = [("review_address", item.sender_address), ("review_property", item.sender_property)]
    return [(t(f"identity.{key}", lang), escape_markdown(value)) for key, value in found if value]


def _attachments(store: Store, input_id: int, user: User, lang: str) -> None:
    """The files a resident sent with the merknad, each a download (planners only)."""
    files = attachments.for_input(store, input_id, user)
    if not files:
        return
    st.markdown(f"**{t('attachment.heading', lang)}**")
    for f in files:
        size = f"{f.size / 1_000_000:.1f} MB".replace(".", ",")
        st.download_button(
            t("attachment.download", lang, name=f.filename, size=size),
            data=lambda att_id=f.id: attachments.download(store, att_id, user)[1],
            file_name=f.filename,
            mime=f.media_type,
            key=f"attachment-{f.id}",
            icon=":material/attach_file:",
        )
