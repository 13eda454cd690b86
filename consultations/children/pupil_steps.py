"""The pupils' path for 1.–4. trinn, one action per screen (issue 22).

An eight-year-old gets one question at a time: how do you travel → draw your way → what
kind of place → tap it on the map → (if you like) why → another place, the way to an
activity, or done → (if you like) how you would like to travel → thank you. A place where
the pupil plays asks when and with whom instead of why, a place they avoid asks why
(Barnetråkk's registrations, ``barnetrakk``). Each screen
has one thing to do and one button forward; «Tilbake» goes to the screen before. Grades 5
and up keep the two-step page (``classes.words_for``).

This module only says which screen comes before and after which: what a pupil sends is
checked and stored by ``classes`` and ``barnetrakk`` as on the older pupils' page.
"""

from __future__ import annotations

from enum import StrEnum

from ..model import ClassPart, PlaceLabel
from . import classes


class Screen(StrEnum):
    TRANSPORT = "transport"  # how do you travel (to school, or to the activity)
    DRAW = "draw"  # draw the way on the map
    LABEL = "label"  # what kind of place
    PLACE = "place"  # tap it on the map
    WHY = "why"  # why (may stay empty); sends the place
    SEASON = "season"  # a place to play: when are you there
    COMPANY = "company"  # … and with whom; sends it
    REASON = "reason"  # a place avoided: why; sends it
    MORE = "more"  # another place, the way to an activity, or done
    WISH = "wish"  # how would you like to travel (may stay empty)
    THANKS = "thanks"


FIRST = Screen.TRANSPORT

# Forward from a screen once its one thing is done (MORE chooses among three, see ``more``).
_NEXT = {
    Screen.TRANSPORT: Screen.DRAW,
    Screen.LABEL: Screen.PLACE,
    Screen.SEASON: Screen.COMPANY,
    Screen.COMPANY: Screen.MORE,
    Screen.REASON: Screen.MORE,
    Screen.WHY: Screen.MORE,
    Screen.WISH: Screen.THANKS,
}
# Back from a screen; none from the first one or the thank-you.
_BACK = {
    Screen.DRAW: Screen.TRANSPORT,
    Screen.LABEL: Screen.MORE,
    Screen.PLACE: Screen.LABEL,
    Screen.WHY: Screen.PLACE,
    Screen.SEASON: Screen.PLACE,
    Screen.COMPANY: Screen.SEASON,
    Screen.REASON: Screen.PLACE,
    Screen.WISH: Screen.MORE,
}
# What a place is: a ready label (PlaceLabel), or one of Barnetråkk's two kinds
PLACE_KINDS = (*(label.value for label in PlaceLabel), ClassPart.PLAY.value, ClassPart.AVOID.value)


def one_action_per_screen(grade: str) -> bool:
    """Whether a class of ``grade`` gets this path (1.–4. trinn, the «young» words)."""
    return classes.words_for(grade) == "young"


def after(screen: Screen, part: ClassPart = ClassPart.SCHOOL, kind: str | None = None) -> Screen:
    """The screen after ``screen``. A saved way to school goes on to the first place; a
    saved way to an activity back to the choice of what next; a place on the map to the
    question its ``kind`` (``PLACE_KINDS``) asks."""
    if screen == Screen.DRAW:
        return Screen.LABEL if part == ClassPart.SCHOOL else Screen.MORE
    if screen == Screen.PLACE:
        return {ClassPart.PLAY.value: Screen.SEASON, ClassPart.AVOID.value: Screen.REASON}.get(kind or "", Screen.WHY)
    return _NEXT[screen]


def before(screen: Screen, part: ClassPart = ClassPart.SCHOOL) -> Screen | None:
    """The screen «Tilbake» goes to, or None where there is no going back (the first
    screen, and the thank-you). The way to an activity was chosen on MORE: back there."""
    if screen == Screen.TRANSPORT:
        return Screen.MORE if part == ClassPart.ACTIVITY else None
    return _BACK.get(screen)


class More(StrEnum):
    """What a pupil may choose on MORE."""

    PLACE = "place"
    ACTIVITY = "activity"
    DONE = "done"


def more(choice: More) -> tuple[Screen, ClassPart]:
    """Where a choice on MORE leads, and which way (if any) is drawn next."""
    if choice == More.PLACE:
        return Screen.LABEL, ClassPart.PLACE
    if choice == More.ACTIVITY:
        return Screen.TRANSPORT, ClassPart.ACTIVITY
    return Screen.WISH, ClassPart.SCHOOL
