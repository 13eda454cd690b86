"""The builder's case facts beside the form (``store.CaseFacts``): the reason for a frist
shorter than six weeks, the 1. gangs vedtak and the neighbours notified by letter."""

from __future__ import annotations

import streamlit as st

from ..i18n import t
from ..planning.lifecycle import CASE_TEXT_MAX, NEIGHBOURS_MAX, SHORT_REASON_MAX
from ..store import CaseFacts, FirstDecision

FIELDS = ("short_frist_reason", "decision_body", "decision_date", "decision_case", "neighbours")


def defaults(facts: CaseFacts) -> dict[str, object]:
    """The widgets' starting values from what is stored."""
    d = facts.first_decision
    return {
        "short_frist_reason": facts.short_frist_reason,
        "decision_body": d.body,
        "decision_date": d.date,
        "decision_case": d.case,
        "neighbours": facts.neighbours_notified,
    }


def section(key, lang: str) -> None:
    """The fields, under the dates; ``key(name)`` is the builder's widget key."""
    with st.expander(t("letters.builder.facts", lang)):
        st.text_area(
            t("letters.builder.short_frist_reason", lang),
            key=key("short_frist_reason"),
            max_chars=SHORT_REASON_MAX,
            help=t("letters.builder.short_frist_reason_help", lang),
            height=80,
        )
        body, day, case = st.columns([2, 1, 1])
        body.text_input(
            t("letters.builder.first_decision_body", lang), key=key("decision_body"), max_chars=CASE_TEXT_MAX
        )
        day.date_input(t("letters.builder.first_decision_date", lang), key=key("decision_date"), format="DD.MM.YYYY")
        case.text_input(
            t("letters.builder.first_decision_case", lang), key=key("decision_case"), max_chars=CASE_TEXT_MAX
        )
        st.number_input(
            t("letters.builder.neighbours_notified", lang),
            key=key("neighbours"),
            min_value=0,
            max_value=NEIGHBOURS_MAX,
            step=1,
        )


def form_values(value) -> dict[str, object]:
    """The form's fields from the widgets (``value(name)``)."""
    neighbours = value("neighbours")
    return {
        "short_frist_reason": value("short_frist_reason") or "",
        "first_decision": FirstDecision(
            value("decision_body") or "", value("decision_date"), value("decision_case") or ""
        ),
        "neighbours_notified": None if neighbours is None else int(neighbours),
    }
