"""Residents' answers to a consultation's optional questions: checked on the server."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..errors import InvalidInput
from ..model import Question, QuestionKind
from ..text import clean_text

ANSWER_TEXT_MAX = 200
SCALE = range(1, 6)


def check_answers(questions: Sequence[Question], answers: Mapping[str, object]) -> dict[str, object]:
    """The answers worth keeping (empty ones dropped); ``InvalidInput`` for any answer the
    form could not have sent."""
    by_id = {q.id: q for q in questions}
    cleaned: dict[str, object] = {}
    for qid, value in answers.items():
        question = by_id.get(qid)
        if question is None:
            raise InvalidInput("input.answer_invalid")
        if value is None or value == "" or value == [] or value == ():
            continue
        cleaned[qid] = _check(question, value)
    return cleaned


def _check(question: Question, value: object) -> object:
    if question.kind == QuestionKind.SINGLE:
        if value not in question.options:
            raise InvalidInput("input.answer_invalid")
        return value
    if question.kind == QuestionKind.MULTIPLE:
        if isinstance(value, str) or not all(v in question.options for v in value):  # type: ignore[union-attr]
            raise InvalidInput("input.answer_invalid")
        return [o for o in question.options if o in value]  # type: ignore[operator]
    if question.kind == QuestionKind.SCALE:
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
            raise InvalidInput("input.answer_invalid")
        return value
    text = clean_text(str(value))
    if len(text) > ANSWER_TEXT_MAX:
        raise InvalidInput("input.answer_long", max=ANSWER_TEXT_MAX)
    return text
