"""One message per staff action that survives the rerun after its widget callback.

A callback runs before the page is drawn again, so it leaves its outcome here and the page
shows it once, where the action was taken (``where``). ``run`` turns a core command's
refusal — bad input, or an account that may no longer act — into that message; the latter
is shown by the login gate (``ACCOUNT``), since the page itself may no longer be shown.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ..errors import KartinnspillError
from ..permissions import NotAllowed

_KEY = "flash"
ACCOUNT = "account"
_KINDS = ("success", "error", "warning", "info")


def say(where: str, kind: str, message: str) -> None:
    st.session_state[_KEY] = (where, kind, message)


def show(where: str) -> None:
    """The waiting message for this place, once."""
    waiting = st.session_state.get(_KEY)
    if waiting and waiting[0] == where:
        del st.session_state[_KEY]
        getattr(st, waiting[1] if waiting[1] in _KINDS else "info")(waiting[2])


def run(where: str, lang: str, action: Callable[..., str | None], *args: object) -> bool:
    """A widget callback: ``action``'s message (if any), or why the core refused it.
    Returns whether the action went through."""
    try:
        message = action(*args)
    except NotAllowed as exc:
        say(ACCOUNT, "error", exc.message(lang))
        return False
    except KartinnspillError as exc:
        say(where, "error", exc.message(lang))
        return False
    if message:
        say(where, "success", message)
    return True
