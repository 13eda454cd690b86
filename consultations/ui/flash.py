"""One message per staff action that survives the rerun after its widget callback.

A callback runs before the page is drawn again, so it leaves its outcome here and the page
shows it once, where the action was taken (``where``). ``run`` turns a core command's
refusal — bad input, or an account that may no longer act — into that message; the latter
is shown by the login gate (``ACCOUNT``), since the page itself may no longer be shown. A
database that stopped answering is said calmly too («try again shortly») and logged.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ..errors import KartinnspillError, StoreUnavailable
from ..permissions import NotAllowed
from .context import log_outage

_KEY = "flash"
ACCOUNT = "account"
_KINDS = ("success", "error", "warning", "info")


def say(where: str, kind: str, message: str) -> None:
    """Leave ``message`` for ``where``. Messages already waiting there stay (one action may
    say several things: saved, and two warnings); those left for another place are dropped,
    since the newest action's outcome is the one to show."""
    waiting = [m for m in st.session_state.get(_KEY) or () if m[0] == where]
    st.session_state[_KEY] = [*waiting, (where, kind, message)]


def waiting(where: str) -> bool:
    """Whether a message waits for ``where`` (e.g. to open the expander it is shown in)."""
    return any(m[0] == where for m in st.session_state.get(_KEY) or ())


def show(where: str) -> str | None:
    """The waiting messages for this place, once; the kind of the first one shown, if any."""
    found = [m for m in st.session_state.get(_KEY) or () if m[0] == where]
    if not found:
        return None
    del st.session_state[_KEY]
    for _, kind, message in found:
        getattr(st, kind if kind in _KINDS else "info")(message)
    return found[0][1]


def run(where: str, lang: str, action: Callable[..., str | None], *args: object) -> bool:
    """A widget callback: ``action``'s message (if any), or why the core refused it.
    Returns whether the action went through."""
    try:
        message = action(*args)
    except NotAllowed as exc:
        say(ACCOUNT, "error", exc.message(lang))
        return False
    except StoreUnavailable as exc:
        outage(where, exc, lang)
        return False
    except KartinnspillError as exc:
        say(where, "error", exc.message(lang))
        return False
    if message:
        say(where, "success", message)
    return True


def outage(where: str, exc: StoreUnavailable, lang: str) -> None:
    """A callback the database could not take (it runs before app.py's outage guard): the
    calm «try again shortly» where its outcome is shown, the reason in the server's log."""
    log_outage(exc)
    say(where, "error", exc.message(lang))
