"""The store's side of planners' work: moderation, duplicates, themes, responses."""

from __future__ import annotations

from consultations.model import InputDraft, InputStatus, Outcome, Response
from consultations.participation.submission import submit_input
from tests.conftest import INSIDE, NOW
from tests.pg import on_both_backends as store_location  # noqa: F401  (every test on both)


def _inputs(store, consultation, n=3):
    return [
        submit_input(
            store, consultation.id, InputDraft("Annet", f"Innspill nummer {k}", *INSIDE), session=f"s{k}", now=NOW
        ).id
        for k in range(n)
    ]


def test_hiding_keeps_the_reason_and_publishing_clears_it(store, consultation):
    a, b, c = _inputs(store, consultation)
    assert store.set_input_status([a, b], InputStatus.HIDDEN, "kari", reason="Personopplysninger") == 2
    assert store.get_input(a).hidden_reason == "Personopplysninger"
    assert [p.input_id for p in store.map_points(consultation.id)] == [c]
    assert store.set_input_status([a], InputStatus.HIDDEN, "kari", reason="igjen") == 0  # no change
    store.set_input_status([a], InputStatus.PUBLISHED, "kari")
    assert store.get_input(a).hidden_reason is None
    actions = [e.action for e in store.audit_entries()]
    assert actions[:3] == ["input.published", "input.hidden", "input.hidden"]
    assert "Personopplysninger" in store.audit_entries()[1].after


def test_duplicates_and_themes(store, consultation):
    a, b, c = _inputs(store, consultation)
    store.mark_duplicate(b, a, "kari")
    assert store.get_input(b).duplicate_of == a
    store.add_tag([a, b], "Parkering", "kari")
    store.add_tag([a], "Parkering", "kari")  # twice is once
    store.add_tag([c], "Skolevei", "kari")
    store.remove_tag([b], "Parkering", "kari")
    assert store.tags(consultation.id) == {a: ["Parkering"], c: ["Skolevei"]}


def test_a_group_response_answers_each_input_and_can_be_replaced(store, consultation):
    a, b, c = _inputs(store, consultation)
    store.save_response([a, b], Response(0, "Ønsker fartsdemper", "Vurderes i reguleringen", Outcome.PARTLY), "kari")
    store.save_response([b], Response(0, "Ønsker fartsdemper", "Tas inn", Outcome.TAKEN, "Ny § 3.2"), "ola")
    responses = store.responses(consultation.id)
    assert set(responses) == {a, b}
    assert responses[a].outcome == Outcome.PARTLY and responses[a].author == "kari"
    assert responses[b].outcome == Outcome.TAKEN and responses[b].plan_change == "Ny § 3.2"
    assert responses[b].author == "ola"


def test_responses_are_published_to_residents_only_when_staff_choose(store, consultation):
    assert store.responses_published(consultation.id) is False
    store.set_responses_published(consultation.id, True, "kari")
    assert store.responses_published(consultation.id) is True


def test_analysis_frame_has_one_row_per_input_with_supports_themes_and_responses(store, consultation):
    a, b, _ = _inputs(store, consultation)
    store.add_support(a, "x")
    store.add_tag([a], "Parkering", "kari")
    store.save_response([b], Response(0, "s", "v", Outcome.NOTED), "kari")
    frame = store.analysis_frame(consultation.id).set_index("id")
    assert len(frame) == 3
    assert frame.loc[a, "supports"] == 1 and list(frame.loc[a, "tags"]) == ["Parkering"]
    assert frame.loc[b, "outcome"] == "tatt_til_orientering"
