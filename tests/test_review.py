"""Planners' rules: moderation, duplicates, themes, filters, responses, progress, outcomes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consultations.i18n import keys, t
from consultations.model import InputDraft, InputStatus, Moderation, NotMerknad, Outcome, Response, Status
from consultations.casework.review import (
    ASSESSMENT_MAX,
    REASON_MAX,
    InvalidReview,
    clear_duplicates,
    duplicate_chain,
    hide,
    mark_duplicates,
    mark_not_merknad,
    order_frame,
    progress,
    public_outcomes,
    publish,
    publish_responses,
    respond,
    responded_through,
    restore_merknad,
    review_order,
    tag,
    validate_response,
)
from consultations.participation.submission import submit_input
from tests.conftest import INSIDE, NOW, make_consultation
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

ANSWER = Response(0, "Ønsker fartsdemper", "Vurderes i reguleringen", Outcome.PARTLY)


def _inputs(store, consultation, n=3):
    return [
        submit_input(
            store,
            consultation.id,
            InputDraft("Annet", f"Innspill nummer {k} om skoleveien", *INSIDE),
            session=f"s{k}",
            now=NOW + timedelta(minutes=k),
        ).id
        for k in range(n)
    ]


def _error_key(call) -> str:
    with pytest.raises(InvalidReview) as caught:
        call()
    assert caught.value.key in keys()  # every refusal can be said in bokmål
    return caught.value.key


# -- moderation ----------------------------------------------------------------------------


def test_hiding_needs_a_reason_which_is_kept_and_audit_logged(store, consultation, kari):
    a, b, _ = _inputs(store, consultation)
    assert _error_key(lambda: hide(store, [a], "   ", kari)) == "planning.error.reason_missing"
    assert _error_key(lambda: hide(store, [a], "x" * (REASON_MAX + 1), kari)) == "planning.error.reason_long"
    assert store.get_input(a).status == InputStatus.PUBLISHED  # nothing stored when refused
    assert hide(store, [a, b], "  Inneholder personopplysninger ", kari) == 2
    assert store.get_input(a).hidden_reason == "Inneholder personopplysninger"
    entry = store.audit_entries()[0]
    assert (entry.actor, entry.action) == ("kari", "input.hidden")
    assert "Inneholder personopplysninger" in entry.after


def test_publishing_a_pending_input_makes_it_public(store, kari):
    c = make_consultation("pre", moderation=Moderation.PRE)
    store.add_consultation(c)
    (a,) = _inputs(store, c, 1)
    assert store.get_input(a).status == InputStatus.PENDING
    assert publish(store, [a], kari) == 1
    assert [p.input_id for p in store.map_points(c.id)] == [a]
    assert publish(store, [a], kari) == 0  # already public: nothing to log


def test_a_duplicate_points_at_an_original_of_the_same_consultation(store, consultation, kari):
    a, b, c = _inputs(store, consultation)
    other = make_consultation("annen")
    store.add_consultation(other)
    (x,) = _inputs(store, other, 1)
    assert _error_key(lambda: mark_duplicates(store, consultation.id, [a], a, kari)) == "planning.error.duplicate_self"
    assert (
        _error_key(lambda: mark_duplicates(store, consultation.id, [a], x, kari))
        == "planning.error.duplicate_other_consultation"
    )
    assert (
        _error_key(lambda: mark_duplicates(store, consultation.id, [x], a, kari))
        == "planning.error.duplicate_other_consultation"
    )
    assert mark_duplicates(store, consultation.id, [a, b, c], c, kari) == 2  # the original is left out
    assert [store.get_input(i).duplicate_of for i in (a, b, c)] == [c, c, None]


def test_duplicates_never_form_a_cycle(store, consultation, kari):
    a, b, c = _inputs(store, consultation)
    mark_duplicates(store, consultation.id, [b], a, kari)
    mark_duplicates(store, consultation.id, [c], b, kari)  # a chain c → b → a is fine
    assert _error_key(lambda: mark_duplicates(store, consultation.id, [a], c, kari)) == "planning.error.duplicate_cycle"
    assert store.get_input(a).duplicate_of is None
    clear_duplicates(store, [c], kari)
    assert store.get_input(c).duplicate_of is None


def test_a_theme_is_cleaned_and_required(store, consultation, kari):
    a, b, _ = _inputs(store, consultation)
    assert _error_key(lambda: tag(store, [a], "  ", kari)) == "planning.error.theme_missing"
    assert _error_key(lambda: tag(store, [a], "x" * 61, kari)) == "planning.error.theme_long"
    assert tag(store, [a, b], "  Trygg   skolevei ", kari) == "Trygg skolevei"
    assert store.tags(consultation.id) == {a: ["Trygg skolevei"], b: ["Trygg skolevei"]}


def test_pre_moderated_consultations_list_pending_inputs_first(store, kari):
    c = make_consultation("pre", moderation=Moderation.PRE)
    store.add_consultation(c)
    a, b, d = _inputs(store, c)
    publish(store, [a], kari)
    frame = store.analysis_frame(c.id)
    assert list(order_frame(frame, Moderation.PRE)["id"]) == [b, d, a]
    assert list(order_frame(frame, Moderation.POST)["id"]) == [a, b, d]
    key = review_order(Moderation.PRE)
    assert sorted([("published", 1), ("pending", 5), ("hidden", 2)], key=lambda r: key(*r)) == [
        ("pending", 5),
        ("published", 1),
        ("hidden", 2),
    ]


# -- responses and progress ----------------------------------------------------------------


def test_a_response_needs_summary_assessment_and_one_of_four_outcomes():
    def refused(**changes):
        fields = dict(summary="Sammendrag", assessment="Vurdering", outcome=Outcome.TAKEN, plan_change="")
        fields.update(changes)
        return _error_key(lambda: validate_response(**fields))

    assert refused(summary=" ") == "planning.error.summary_missing"
    assert refused(assessment="") == "planning.error.assessment_missing"
    assert refused(assessment="x" * (ASSESSMENT_MAX + 1)) == "planning.error.assessment_long"
    assert refused(outcome=None) == "planning.error.outcome_missing"
    assert refused(outcome="vedtatt") == "planning.error.outcome_missing"
    assert refused(plan_change="x" * 2001) == "planning.error.plan_change_long"
    response = validate_response(" Ønsker lys ", "Tas med", "delvis_tatt_til_folge", None)
    assert response == Response(0, "Ønsker lys", "Tas med", Outcome.PARTLY, "")


def test_progress_counts_hidden_inputs_but_not_duplicates_or_inputs_marked_as_no_merknad(store, consultation, kari):
    a, b, c, d, e = _inputs(store, consultation, 5)
    assert progress(store.analysis_frame(consultation.id)) == (0, 5)
    hide(store, [b], "Personopplysninger", kari)  # hidden from the web, still a merknad
    mark_not_merknad(store, [e], NotMerknad.SPAM, "", kari)  # not a merknad at all
    mark_duplicates(store, consultation.id, [d], c, kari)  # answered through c
    respond(store, [a, c], ANSWER, kari)
    respond(store, [e], ANSWER, kari)  # an answer to a non-merknad does not count
    assert progress(store.analysis_frame(consultation.id)) == (2, 3)
    assert progress(store.responses(consultation.id), store.all_inputs(consultation.id)) == (2, 3)
    respond(store, [b], ANSWER, kari)
    assert progress(store.analysis_frame(consultation.id)) == (3, 3)
    assert _error_key(lambda: respond(store, [], ANSWER, kari)) == "planning.error.nothing_to_answer"


def test_marking_an_input_as_no_merknad_needs_a_known_reason_is_audited_and_can_be_undone(store, consultation, kari):
    (a,) = _inputs(store, consultation, 1)
    assert _error_key(lambda: mark_not_merknad(store, [a], "ugress", "", kari)) == "report11.error.not_merknad_kind"
    assert (
        _error_key(lambda: mark_not_merknad(store, [a], NotMerknad.OTHER, " ", kari)) == "planning.error.reason_missing"
    )
    assert store.get_input(a).not_merknad is None  # refused: nothing stored
    assert mark_not_merknad(store, [a], NotMerknad.DOUBLE, "Brevet ble registrert to ganger", kari) == 1
    item = store.get_input(a)
    assert (item.not_merknad, item.not_merknad_note) == (NotMerknad.DOUBLE, "Brevet ble registrert to ganger")
    assert restore_merknad(store, [a], kari) == 1 and store.get_input(a).not_merknad is None
    actions = [(e.action, e.actor, e.object_id) for e in store.audit_entries()]
    assert ("input.not_merknad", "kari", str(a)) in actions and ("input.merknad", "kari", str(a)) in actions


def test_a_deactivated_planner_cannot_mark_an_input_as_no_merknad(store, consultation, kari):
    from consultations.permissions import NotAllowed

    (a,) = _inputs(store, consultation, 1)
    store.update_user(kari.id, "admin", active=False)
    with pytest.raises(NotAllowed):
        mark_not_merknad(store, [a], NotMerknad.SPAM, "", kari)
    assert store.get_input(a).not_merknad is None


def test_responses_reach_residents_only_after_the_deadline(store, consultation, kari):
    open_now = consultation
    assert _error_key(lambda: publish_responses(store, open_now, True, kari, NOW)) == "planning.error.publish_open"
    assert store.responses_published(consultation.id) is False
    publish_responses(store, open_now, True, kari, open_now.closes_at)  # deadline passed
    assert store.responses_published(consultation.id) is True
    publish_responses(store, open_now, False, kari, NOW)  # withdrawing is always allowed
    closed = make_consultation("lukket", status=Status.CLOSED)
    store.add_consultation(closed)
    publish_responses(store, closed, True, kari, NOW)
    assert store.responses_published("lukket") is True
    draft = make_consultation("utkast", status=Status.DRAFT, closes_at=NOW - timedelta(days=1))
    assert _error_key(lambda: publish_responses(store, draft, True, kari, NOW)) == "planning.error.publish_open"


def test_residents_see_published_inputs_with_their_own_or_their_originals_answer(store, consultation, kari):
    a, b, c, d = _inputs(store, consultation, 4)
    hide(store, [b], "Reklame", kari)
    mark_duplicates(store, consultation.id, [d], a, kari)
    respond(store, [a], ANSWER, kari)
    shown = public_outcomes(store.all_inputs(consultation.id), store.responses(consultation.id))
    assert [(o.input.id, o.response and o.response.outcome, o.via) for o in shown] == [
        (a, Outcome.PARTLY, None),
        (c, None, None),  # unanswered: listed as not answered yet
        (d, Outcome.PARTLY, a),
    ]


def test_a_published_duplicate_never_shows_the_answer_given_to_a_hidden_original(store, consultation, kari):
    a, b = _inputs(store, consultation, 2)
    mark_duplicates(store, consultation.id, [b], a, kari)
    respond(store, [a], ANSWER, kari)
    hide(store, [a], "Personangrep", kari)
    shown = public_outcomes(store.all_inputs(consultation.id), store.responses(consultation.id))
    assert [(o.input.id, o.response, o.via) for o in shown] == [(b, None, None)]


def test_every_outcome_has_a_label():
    assert [t(f"planning.outcome.{o.value}") for o in Outcome] == [
        "Tatt til følge",
        "Delvis tatt til følge",
        "Ikke tatt til følge",
        "Tatt til orientering",
    ]


# -- «answered through its original»: one chain, walked by the review page, the outcomes
#    page, the report and the exports alike -------------------------------------------------


def test_responded_through_takes_the_first_answer_along_the_duplicate_chain():
    links = {1: None, 2: 1, 3: 2, 4: 3}
    assert responded_through(4, links, responded={1}) == 1
    assert responded_through(4, links, responded={1, 2}) == 2  # the nearest answer
    assert responded_through(4, links, responded={1, 4}) == 4  # its own answer first
    assert responded_through(4, links, responded=set()) is None


def test_responded_through_never_gives_an_answer_that_is_not_allowed():
    links = {1: None, 2: 1}
    assert responded_through(2, links, responded={1}, allowed={2}) is None  # e.g. a hidden original
    assert responded_through(2, links, responded={1}, allowed={1, 2}) == 1


def test_a_duplicate_chain_that_leads_back_stops_before_repeating_itself():
    import pandas as pd

    assert duplicate_chain(1, {1: 2, 2: 3, 3: 1}) == [2, 3]
    assert duplicate_chain(1, {1: None}) == []
    assert duplicate_chain(2, {1: pd.NA, 2: 1.0}) == [1]  # as an analysis frame holds them
    assert responded_through(1, {1: 2, 2: 1}, responded=set()) is None
