"""«Slik ble innspillene behandlet»: what became of each published input, for residents,
once the consultation has closed and staff have published the responses.

Unanswered inputs are listed too, as «Ikke besvart ennå», so residents see that theirs is
still being dealt with rather than wonder whether it was forgotten. A duplicate shows the
answer given to its original. Sender names and hidden inputs never appear here.
"""

from __future__ import annotations

import streamlit as st

from .. import mail
from ..participation import public
from ..i18n import format_date, t, tn
from ..model import Consultation, reference
from ..store import Store
from ..text import escape_markdown
from .safe import text_block


def outcomes_section(store: Store, c: Consultation, lang: str) -> None:
    outcomes = public.outcomes(store, c.id, lang)
    wanted = st.query_params.get(mail.ANSWER_PARAM, "")  # the answer a mail links to: first
    outcomes = sorted(outcomes, key=lambda o: o.input.reference != wanted)
    st.subheader(t("planning.outcomes.heading", lang), anchor=False)
    st.caption(t("planning.outcomes.intro", lang))
    answered = sum(o.response is not None for o in outcomes)
    st.caption(tn("planning.outcomes.count", len(outcomes), lang, answered=answered))
    for o in outcomes:
        item, response = o.input, o.response
        with st.container(border=True):
            if item.reference == wanted:
                st.caption(t("mail24b.answer.linked", lang, ref=item.reference))
            st.markdown(f"**{escape_markdown(c.labels(lang).category(item.category))}**")
            st.caption(t("planning.outcomes.meta", lang, ref=item.reference, date=format_date(item.created_at, lang)))
            text_block(item.text)
            if response is None:
                st.caption(t("planning.outcomes.unanswered", lang))
                continue
            label = t(f"planning.outcome.{response.outcome.value}", lang)
            st.markdown(f"**{t('planning.outcomes.outcome', lang, outcome=label)}**")
            if o.via is not None:
                st.caption(t("planning.outcomes.via", lang, ref=reference(o.via)))
            st.markdown(f"*{t('planning.outcomes.assessment', lang)}:* {escape_markdown(response.assessment)}")
            if response.plan_change:
                st.markdown(f"*{t('planning.outcomes.plan_change', lang)}:* {escape_markdown(response.plan_change)}")
