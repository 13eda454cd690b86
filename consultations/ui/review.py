"""The planners' review page: every input with filters, a map and moderation actions on a
selection, then the merknadsbehandling — progress, answers per input or group, and
publishing them to residents.

Actions run in widget callbacks, before the rerun, so the table, progress and map drawn
afterwards already show their effect; each leaves one message where it was taken.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from .. import archive, attachments, retention, review
from ..analysis import filter_frame
from ..config import Settings
from ..export import missed_frists
from ..i18n import LOCAL_TZ, format_date, t, tn
from ..moderation import flags
from ..public import masked
from ..model import (
    Channel,
    Consultation,
    Input,
    InputStatus,
    MapPoint,
    Moderation,
    NotMerknad,
    Outcome,
    Role,
    Status,
    User,
    reference,
)
from ..store import Store
from ..text import escape_markdown, excerpt
from . import dashboard, downloads, flash, parties
from .maps import consultation_map
from .safe import labelled_lines, text_block

EXCERPT = 120
SHOWN_REFS = 10  # references listed for a selection; the count says the rest
_EITHER = {None: "any", True: "yes", False: "no"}  # a yes/no filter, or none


# -- plumbing --------------------------------------------------------------------------------


def _run(where: str, lang: str, action: Callable[..., str], *args: object) -> None:
    flash.run(f"review-{where}", lang, action, *args)


def _themes(values: object) -> list[str]:
    return [str(v) for v in values] if values is not None else []


def _label(row: pd.Series) -> str:
    return f"{reference(int(row['id']))} · {row['category']} · {excerpt(row['text'], 60)}"


# -- the page --------------------------------------------------------------------------------


def page(store: Store, settings: Settings, user: User, lang: str) -> None:
    st.title(t("planning.title", lang), anchor=False)
    st.caption(t("planning.intro", lang))
    by_id = {
        entry.consultation.id: entry.consultation
        for entry in store.listings()
        if entry.consultation.status != Status.DRAFT  # drafts have no inputs
    }
    if not by_id:
        st.info(t("planning.none", lang))
        return
    ids = list(by_id)
    wanted = st.query_params.get("id")
    chosen = st.selectbox(
        t("planning.choose", lang),
        options=ids,
        index=ids.index(wanted) if wanted in by_id else 0,
        format_func=lambda cid: t(
            "planning.choose_option", lang,
            title=by_id[cid].title, status=t(f"status.{by_id[cid].status.value}", lang),
        ),  # fmt: skip
        key="review-consultation",
    )
    st.query_params["id"] = chosen  # the address always links to what is on screen
    c = by_id[chosen]
    parties.summary(store, c, lang)
    frame = store.analysis_frame(c.id)
    filtered = filter_frame(frame, **_filters(c, frame, lang))  # one filter for list and summary
    inputs_tab, summary_tab, responses_tab, downloads_tab = st.tabs(
        [
            t("planning.tab_inputs", lang),
            t("dashboard.tab", lang),
            t("planning.tab_responses", lang),
            t("downloads.tab", lang),
        ]
    )
    with inputs_tab:
        inputs_view(store, settings, c, frame, filtered, user, lang)
    with summary_tab:
        dashboard.view(settings, c, filtered, lang)
    with responses_tab:
        responses_view(store, c, frame, user, lang)
    with downloads_tab:
        downloads.view(store, settings, c, user, lang)


# -- the inputs tab ----------------------------------------------------------------------------


def _filters(c: Consultation, frame: pd.DataFrame, lang: str) -> dict:
    k = f"review-{c.id}-filter"
    every = t("planning.filter.all", lang)
    with st.expander(t("planning.filter.heading", lang), expanded=True):
        first, second = st.columns(3), st.columns(4)
        statuses = first[0].multiselect(
            t("planning.filter.status", lang), options=[s.value for s in InputStatus],
            format_func=lambda v: t(f"planning.input_status.{v}", lang), placeholder=every, key=f"{k}-status",
        )  # fmt: skip
        categories = first[1].multiselect(
            t("planning.filter.category", lang),
            options=list(dict.fromkeys([*c.categories, *frame["category"]])),  # renamed ones too
            placeholder=every, key=f"{k}-category",
        )  # fmt: skip
        channels = first[2].multiselect(
            t("planning.filter.channel", lang), options=[ch.value for ch in Channel],
            format_func=lambda v: t(f"channel.{v}", lang), placeholder=every, key=f"{k}-channel",
        )  # fmt: skip
        dates = second[0].date_input(
            t("planning.filter.dates", lang), value=(), format="DD.MM.YYYY", key=f"{k}-dates"
        )
        text = second[1].text_input(t("planning.filter.text", lang), key=f"{k}-text")
        has_location = second[2].selectbox(
            t("planning.filter.location", lang), options=list(_EITHER),
            format_func=lambda v: t(f"planning.filter.location_{_EITHER[v]}", lang), key=f"{k}-location",
        )  # fmt: skip
        answered = second[3].selectbox(
            t("planning.filter.answered", lang), options=list(_EITHER),
            format_func=lambda v: t(f"planning.filter.answered_{_EITHER[v]}", lang), key=f"{k}-answered",
        )  # fmt: skip
    dates = tuple(dates) if isinstance(dates, (tuple, list)) else (dates,)
    return dict(
        statuses=statuses, categories=categories, channels=channels,
        date_from=dates[0] if dates else None, date_to=dates[1] if len(dates) > 1 else None,
        text=text, has_location=has_location, answered=answered,
    )  # fmt: skip


def _table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The review list; ``frame`` carries ``missed`` (``export.missed_frists``)."""
    def col(name: str) -> str:
        return t(f"planning.table.{name}", lang)

    def label(prefix: str) -> Callable[[object], str]:
        return lambda v: t(f"{prefix}.{v}", lang) if isinstance(v, str) and v else ""

    return pd.DataFrame(
        {
            col("reference"): frame["id"].map(reference),
            col("received"): pd.to_datetime(frame["created_at"]).dt.tz_localize(UTC),
            col("status"): frame["status"].map(label("planning.input_status")),
            t("report11.table.not_merknad", lang): frame["not_merknad"].map(label("report11.not_merknad")),
            col("category"): frame["category"],
            col("channel"): frame["channel"].map(label("channel")),
            col("sender"): frame["sender_type"].map(label("sender_type")),
            t("parties.table.objection", lang): [
                parties.objection_label(o, s, lang)
                for o, s in zip(frame["objection"], frame["objection_status"], strict=True)
            ],
            t("parties.table.late", lang): frame["missed"].map(lambda m: parties.late_label(m, lang)),
            col("text"): frame["text"].map(lambda text: excerpt(text, EXCERPT)),
            col("themes"): frame["themes"].map(lambda v: ", ".join(_themes(v))),
            col("supports"): frame["supports"],
            col("duplicate_of"): frame["duplicate_of"].map(lambda v: "" if pd.isna(v) else reference(int(v))),
            col("outcome"): frame["outcome"].map(label("planning.outcome")),
            t("archive.table.column", lang): [
                archive.status_label(*row, lang)
                for row in zip(frame["archived_at"], frame["journal_year"], frame["journal_sequence"],
                               frame["journalpost_number"], strict=True)
            ],
            col("flags"): frame["text"].map(
                lambda text: ", ".join(t(f"planning.flag.{f}", lang) for f in flags(text))
            ),
        }
    )


def table_key(consultation_id: str, ids: list[int]) -> str:
    """The table's widget key: a new set of rows starts a new selection, so a row number
    chosen under one filter never points at another input under the next."""
    digest = hashlib.sha1(",".join(map(str, ids)).encode()).hexdigest()[:12]
    return f"review-table-{consultation_id}-{digest}"


def inputs_view(
    store: Store,
    settings: Settings,
    c: Consultation,
    frame: pd.DataFrame,
    filtered: pd.DataFrame,
    user: User,
    lang: str,
) -> None:
    if c.moderation == Moderation.PRE:
        st.caption(t("planning.pre_moderated", lang))
    shown = review.order_frame(filtered, c.moderation)
    shown = shown.assign(missed=pd.Series(missed_frists(shown, c), index=shown.index, dtype=object))
    ids = [int(i) for i in shown["id"]]
    st.caption(tn("planning.filter.count", len(frame), lang, shown=len(shown)))
    event = st.dataframe(
        _table(shown, lang),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="multi-row",
        key=table_key(c.id, ids),
        column_config={
            t("planning.table.received", lang): st.column_config.DatetimeColumn(
                format="DD.MM.YYYY HH:mm", timezone=str(LOCAL_TZ)
            )
        },
    )
    st.caption(t("planning.table.help", lang))
    selected = [ids[row] for row in event.selection.rows if row < len(ids)]
    left, right = st.columns([3, 2], gap="large")
    with left:
        flash.show("review-inputs")
        if not selected:
            st.info(t("planning.detail.none_selected", lang))
        else:
            if len(selected) == 1:
                detail(store, c, shown[shown["id"] == selected[0]].iloc[0], lang, user)
            else:
                refs = ", ".join(reference(i) for i in selected[:SHOWN_REFS])
                more = "…" if len(selected) > SHOWN_REFS else ""
                st.markdown(t("planning.detail.selected", lang, n=len(selected), refs=refs + more))
            actions(store, c, frame, selected, user, lang)
    with right:
        _map(settings, c, shown, lang)


def _map(settings: Settings, c: Consultation, shown: pd.DataFrame, lang: str) -> None:
    located = shown[shown["lat"].notna()]
    points = [MapPoint(r.lat, r.lon, r.category, masked(r.text, lang), int(r.id)) for r in located.itertuples()]
    st.subheader(t("planning.map.heading", lang), anchor=False)
    st.caption(t("planning.map.caption", lang, n=len(points)))
    st_folium(
        consultation_map(settings, c, points, lang),
        key=f"review-map-{c.id}",
        height=420,
        use_container_width=True,
        returned_objects=[],
    )


def _answer_text(value: object) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def detail(store: Store, c: Consultation, row: pd.Series, lang: str, user: User | None = None) -> None:
    """One input (its row of the analysis frame) with every field staff may see, the
    sender's name, address and attachments included."""
    item = store.get_input(int(row["id"]))
    if item is None:
        return
    themes = _themes(row["themes"])

    def d(name: str, **params: object) -> str:
        return t(f"planning.detail.{name}", lang, **params)

    sender = t(f"sender_type.{item.sender_type.value}", lang) if item.sender_type else d("sender_unknown")
    if item.sender_name:
        sender += f" – {escape_markdown(item.sender_name)}"
    if kind := parties.objection_label(item.objection, item.objection_status, lang):
        sender += f" ({kind})"
    where = d("whole_area")
    if item.has_location:  # the store keeps east/north with every point
        where = d("point", lat=f"{item.lat:.5f}", lon=f"{item.lon:.5f}", east=f"{item.east:.0f}",
                  north=f"{item.north:.0f}")  # fmt: skip
    facts = [
        (d("status"), t(f"planning.input_status.{item.status.value}", lang)),
        (d("received"), format_date(item.created_at, lang, with_time=True)
         + (f" – **{late}**" if (late := parties.late_label(row["missed"], lang)) else "")),
        (d("category"), escape_markdown(item.category)),
        (d("channel"), t(f"channel.{item.channel.value}", lang)),
        (d("sender"), sender),
        *_sender_where(item, lang),
        (d("location"), where),
        (d("supports"), str(item.supports)),
        (d("themes"), escape_markdown(", ".join(themes)) if themes else d("no_themes")),
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
        if isinstance(outcome, str) else d("no_response")
    )  # fmt: skip
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


# -- moderation actions (one input or many: the same code) -------------------------------


def _publish(store: Store, ids: list[int], actor: User, lang: str) -> str:
    return tn("planning.action.published", review.publish(store, ids, actor), lang)


def _hide(store: Store, ids: list[int], actor: User, lang: str, key: str) -> str:
    n = review.hide(store, ids, st.session_state.get(key), actor)
    st.session_state[key] = ""
    return tn("planning.action.hidden", n, lang)


def _tag(store: Store, ids: list[int], actor: User, lang: str, existing_key: str, new_key: str) -> str:
    theme = review.tag(store, ids, st.session_state.get(new_key) or st.session_state.get(existing_key), actor)
    st.session_state[new_key] = ""
    return t("planning.action.tagged", lang, theme=theme, n=len(ids))


def _untag(store: Store, ids: list[int], actor: User, lang: str, key: str) -> str:
    theme = review.untag(store, ids, st.session_state.get(key), actor)
    return t("planning.action.untagged", lang, theme=theme, n=len(ids))


def _duplicate(store: Store, c: Consultation, ids: list[int], actor: User, lang: str, key: str) -> str:
    of_id = st.session_state.get(key)
    n = review.mark_duplicates(store, c.id, ids, of_id, actor)
    return tn("planning.action.duplicated", n, lang, ref=reference(of_id))


def _not_duplicate(store: Store, ids: list[int], actor: User, lang: str) -> str:
    review.clear_duplicates(store, ids, actor)
    return t("planning.action.not_duplicated", lang)


def _not_merknad(store: Store, ids: list[int], actor: User, lang: str, key: str) -> str:
    n = review.mark_not_merknad(store, ids, st.session_state.get(f"{key}-kind"), st.session_state.get(f"{key}-note"), actor)
    st.session_state[f"{key}-note"] = ""
    return tn("report11.action.marked", n, lang)


def _merknad_again(store: Store, ids: list[int], actor: User, lang: str) -> str:
    return tn("report11.action.restored", review.restore_merknad(store, ids, actor), lang)


def _not_merknad_controls(store: Store, chosen: pd.DataFrame, ids: list[int], user: User, lang: str, key: str) -> None:
    """Mark the selection as no merknad at all (it leaves the merknadsbehandling), or undo."""
    with st.expander(t("report11.action.heading", lang)):
        st.caption(t("report11.action.help", lang))
        st.selectbox(
            t("report11.action.kind", lang), options=[k.value for k in NotMerknad],
            format_func=lambda v: t(f"report11.not_merknad.{v}", lang), key=f"{key}-kind",
        )  # fmt: skip
        st.text_input(t("report11.action.note", lang), max_chars=review.REASON_MAX, key=f"{key}-note")
        st.button(
            t("report11.action.mark", lang), key=f"{key}-mark",
            on_click=_run, args=("inputs", lang, _not_merknad, store, ids, user, lang, key),
        )  # fmt: skip
        if chosen["not_merknad"].notna().any():
            st.button(
                t("report11.action.restore", lang), key=f"{key}-restore",
                on_click=_run, args=("inputs", lang, _merknad_again, store, ids, user, lang),
            )  # fmt: skip


def actions(store: Store, c: Consultation, frame: pd.DataFrame, ids: list[int], user: User, lang: str) -> None:
    k = f"review-{c.id}-action"
    chosen = frame[frame["id"].isin(ids)]

    def a(name: str) -> str:
        return t(f"planning.action.{name}", lang)

    st.markdown(f"**{a('heading')}**")
    st.button(
        a("publish"), key=f"{k}-publish", type="primary",
        disabled=set(chosen["status"]) == {InputStatus.PUBLISHED.value},
        on_click=_run, args=("inputs", lang, _publish, store, ids, user, lang),
    )  # fmt: skip
    st.text_input(a("reason"), max_chars=review.REASON_MAX, key=f"{k}-reason")
    st.button(
        a("hide"), key=f"{k}-hide",
        on_click=_run, args=("inputs", lang, _hide, store, ids, user, lang, f"{k}-reason"),
    )  # fmt: skip

    every_theme = sorted({th for v in frame["themes"] for th in _themes(v)})
    left, right = st.columns(2)
    left.selectbox(
        a("theme_existing"), options=every_theme, index=None,
        placeholder=a("theme_existing_placeholder"), key=f"{k}-theme",
    )  # fmt: skip
    right.text_input(a("theme_new"), max_chars=review.THEME_MAX, key=f"{k}-theme-new")
    st.button(
        a("tag"), key=f"{k}-tag",
        on_click=_run, args=("inputs", lang, _tag, store, ids, user, lang, f"{k}-theme", f"{k}-theme-new"),
    )  # fmt: skip
    if present := sorted({th for v in chosen["themes"] for th in _themes(v)}):
        st.selectbox(a("theme_remove"), options=present, key=f"{k}-untheme")
        st.button(
            a("untag"), key=f"{k}-untag",
            on_click=_run, args=("inputs", lang, _untag, store, ids, user, lang, f"{k}-untheme"),
        )  # fmt: skip

    others = frame[~frame["id"].isin(ids)]
    labels = {int(row["id"]): _label(row) for _, row in others.iterrows()}
    st.selectbox(
        a("duplicate_of"), options=list(labels), index=None, format_func=labels.get,
        placeholder=a("duplicate_placeholder"), key=f"{k}-original",
    )  # fmt: skip
    st.button(
        a("duplicate"), key=f"{k}-duplicate",
        on_click=_run, args=("inputs", lang, _duplicate, store, c, ids, user, lang, f"{k}-original"),
    )  # fmt: skip
    if chosen["duplicate_of"].notna().any():
        st.button(
            a("not_duplicate"), key=f"{k}-not-duplicate",
            on_click=_run, args=("inputs", lang, _not_duplicate, store, ids, user, lang),
        )  # fmt: skip
    _not_merknad_controls(store, chosen, ids, user, lang, f"{k}-not-merknad")
    if len(ids) == 1 and (item := store.get_input(ids[0])) is not None:
        parties.objection_controls(store, item, user, lang, "review-inputs")
    if len(ids) == 1 and user.can(Role.ADMIN):  # shown to admins; the core decides
        _deletion(store, ids[0], user, lang, f"{k}-delete")


def _delete(store: Store, input_id: int, actor: User, lang: str, key: str) -> str:
    if not st.session_state.get(f"{key}-confirm"):
        raise review.InvalidReview("planning.error.delete_reason")
    done = retention.delete_input(store, input_id, st.session_state.get(f"{key}-reason"), actor)
    if done == retention.Deletion.ANONYMISED:
        return t("archive.anonymised", lang, ref=reference(input_id))
    return t("planning.action.deleted", lang, ref=reference(input_id))


def _deletion(store: Store, input_id: int, actor: User, lang: str, key: str) -> None:
    """Admins: delete an input for good when the resident asks (personvern)."""
    with st.expander(t("planning.action.delete_heading", lang)):
        st.caption(t("planning.action.delete_help", lang))
        st.caption(t("archive.delete_note", lang))
        st.text_input(t("planning.action.delete_reason", lang), key=f"{key}-reason", max_chars=200)
        st.checkbox(t("planning.action.delete_confirm", lang), key=f"{key}-confirm")
        st.button(
            t("planning.action.delete", lang), key=key,
            on_click=_run, args=("inputs", lang, _delete, store, input_id, actor, lang, key),
        )  # fmt: skip


# -- the merknadsbehandling tab --------------------------------------------------------------


def _group(c: Consultation, need: pd.DataFrame, lang: str) -> tuple[str, pd.DataFrame] | None:
    """The inputs one answer will cover: one input, all with a planner's theme, or a
    category; ``None``, with a word why, when there is nothing to answer."""
    k = f"review-{c.id}-response"

    def r(name: str) -> str:
        return t(f"planning.response.{name}", lang)

    if need.empty:
        st.info(r("none_needed"))
        return None

    scope = st.radio(
        r("scope"), options=["input", "theme", "category"], horizontal=True,
        format_func=lambda v: r(f"scope_{v}"), key=f"{k}-scope",
    )  # fmt: skip
    if scope == "input":
        ordered = need.assign(done=need["outcome"].notna()).sort_values(["done", "id"])
        labels = {
            int(row["id"]): r("option_answered").format(label=_label(row)) if row["done"] else _label(row)
            for _, row in ordered.iterrows()
        }
        chosen = st.selectbox(
            r("choose_input"), options=list(labels), format_func=labels.get, key=f"{k}-input"
        )
        return f"input-{chosen}", need[need["id"] == chosen]
    if scope == "theme":
        themes = sorted({th for v in need["themes"] for th in _themes(v)})
        if not themes:
            st.info(r("no_themes"))
            return None
        chosen = st.selectbox(r("choose_theme"), options=themes, key=f"{k}-theme")
        return f"theme-{chosen}", need[need["themes"].map(lambda v: chosen in _themes(v))]
    used = set(need["category"])
    categories = [cat for cat in dict.fromkeys([*c.categories, *need["category"]]) if cat in used]
    chosen = st.selectbox(r("choose_category"), options=categories, key=f"{k}-category")
    return f"category-{chosen}", need[need["category"] == chosen]


def _save(store: Store, ids: list[int], keys: dict[str, str], actor: User, lang: str) -> str:
    state = st.session_state
    response = review.validate_response(
        state.get(keys["summary"]), state.get(keys["assessment"]),
        state.get(keys["outcome"]), state.get(keys["plan_change"]),
    )  # fmt: skip
    return tn("planning.response.saved", review.answer(store, ids, response, actor), lang)


def _response_form(
    store: Store, c: Consultation, name: str, group: pd.DataFrame, user: User, lang: str
) -> None:
    def r(key: str) -> str:
        return t(f"planning.response.{key}", lang)

    ids = [int(i) for i in group["id"]]
    st.caption(tn("planning.response.group", len(ids), lang))
    if len(ids) == 1:
        row = group.iloc[0]
        with st.container(border=True):
            st.caption(f"{reference(ids[0])} · {escape_markdown(row['category'])}")
            text_block(row["text"])
    else:
        st.dataframe(
            pd.DataFrame({
                t("planning.table.reference", lang): group["id"].map(reference),
                t("planning.table.category", lang): group["category"],
                t("planning.table.text", lang): group["text"],
            }),
            hide_index=True, width="stretch",
        )  # fmt: skip
    answered = group[group["outcome"].notna()]
    earlier = {
        (row["response_summary"], row["assessment"], row["outcome"], row["plan_change"])
        for _, row in answered.iterrows()
    }
    prefill = earlier.pop() if len(answered) == len(group) and len(earlier) == 1 else ("", "", None, "")
    if len(answered) and not prefill[0]:
        st.warning(t("planning.response.replaces", lang, n=len(answered)))
    outcomes = [o.value for o in Outcome]
    k = f"review-{c.id}-response-{name}"
    keys = {f: f"{k}-{f}" for f in ("summary", "assessment", "outcome", "plan_change")}
    with st.form(f"{k}-form", border=True):
        st.text_area(r("summary"), value=prefill[0], max_chars=review.SUMMARY_MAX, key=keys["summary"])
        st.text_area(
            r("assessment"), value=prefill[1], max_chars=review.ASSESSMENT_MAX, height=180,
            key=keys["assessment"],
        )  # fmt: skip
        st.radio(
            r("outcome"), options=outcomes, index=outcomes.index(prefill[2]) if prefill[2] else None,
            format_func=lambda v: t(f"planning.outcome.{v}", lang), key=keys["outcome"],
        )  # fmt: skip
        st.text_area(
            r("plan_change"), value=prefill[3], max_chars=review.PLAN_CHANGE_MAX, key=keys["plan_change"]
        )
        st.form_submit_button(
            r("save"), type="primary",
            on_click=_run, args=("responses", lang, _save, store, ids, keys, user, lang),
        )  # fmt: skip


def _existing(frame: pd.DataFrame, lang: str) -> None:
    st.subheader(t("planning.response.existing", lang), anchor=False)
    answered = frame[frame["outcome"].notna()]
    if answered.empty:
        st.caption(t("planning.response.existing_none", lang))
        return

    def col(name: str) -> str:
        return t(f"planning.table.{name}", lang)

    st.dataframe(
        pd.DataFrame({
            col("reference"): answered["id"].map(reference),
            col("category"): answered["category"],
            col("summary"): answered["response_summary"],
            col("outcome"): answered["outcome"].map(lambda v: t(f"planning.outcome.{v}", lang)),
            col("assessment"): answered["assessment"],
            col("plan_change"): answered["plan_change"],
            col("author"): answered["response_author"],
        }),
        hide_index=True, width="stretch",
    )  # fmt: skip


def _publish_responses(store: Store, c: Consultation, key: str, actor: User, lang: str) -> str:
    wanted = bool(st.session_state.get(key))
    review.publish_responses(store, c, wanted, actor, datetime.now(UTC))
    return t("planning.response.published_on" if wanted else "planning.response.published_off", lang)


def _publishing(store: Store, c: Consultation, user: User, lang: str) -> None:
    st.subheader(t("planning.response.publish_heading", lang), anchor=False)
    published = store.responses_published(c.id)
    allowed = review.responses_may_be_published(c, datetime.now(UTC))
    if not allowed:
        st.caption(
            t("planning.response.publish_open", lang, date=format_date(c.closes_at, lang, with_time=True))
        )
    key = f"review-{c.id}-publish"
    st.session_state[key] = published  # the toggle always shows what residents see
    st.toggle(
        t("planning.response.publish", lang), key=key,
        disabled=not allowed and not published,  # withdrawing stays possible
        on_change=_run, args=("responses", lang, _publish_responses, store, c, key, user, lang),
    )  # fmt: skip


def responses_view(store: Store, c: Consultation, frame: pd.DataFrame, user: User, lang: str) -> None:
    answered, total = review.progress(frame)
    st.progress(
        answered / total if total else 0.0,
        text=t("planning.response.progress", lang, answered=answered, total=total),
    )
    st.caption(t("planning.response.progress_note", lang))
    flash.show("review-responses")
    if chosen := _group(c, review.needing_answer(frame), lang):
        _response_form(store, c, *chosen, user, lang)
    _existing(frame, lang)
    _publishing(store, c, user, lang)
