import pytest

from consultations.errors import InvalidInput
from consultations.model import Question, QuestionKind
from consultations.participation.questions import check_answers

QUESTIONS = (
    Question("q1", QuestionKind.SINGLE, "Hvor ofte er du her?", ("Daglig", "Ukentlig")),
    Question("q2", QuestionKind.MULTIPLE, "Hvordan kommer du hit?", ("Gange", "Sykkel", "Buss")),
    Question("q3", QuestionKind.SCALE, "Hvor trygt føles det?"),
    Question("q4", QuestionKind.TEXT, "Ett ord om stedet"),
)


def test_valid_answers_are_kept_and_empty_ones_dropped():
    answers = {
        "q1": "Daglig",
        "q2": ["Buss", "Gange"],
        "q3": 4,
        "q4": " Grønt\x00 ",
    }
    assert check_answers(QUESTIONS, answers) == {"q1": "Daglig", "q2": ["Gange", "Buss"], "q3": 4, "q4": "Grønt"}
    assert check_answers(QUESTIONS, {"q1": None, "q2": [], "q4": ""}) == {}


@pytest.mark.parametrize(
    "answers",
    [{"q1": "Aldri"}, {"q2": ["Fly"]}, {"q2": "Gange"}, {"q3": 6}, {"q3": "5"}, {"q3": True}, {"q9": "x"}],
)
def test_answers_the_form_could_not_send_are_refused(answers):
    with pytest.raises(InvalidInput):
        check_answers(QUESTIONS, answers)


def test_too_long_text_answer_is_refused():
    with pytest.raises(InvalidInput) as info:
        check_answers(QUESTIONS, {"q4": "x" * 201})
    assert "200" in info.value.message()
