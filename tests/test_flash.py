"""The message that survives the rerun: one helper (``consultations/ui/flash.py``) for every
page in ``ui/``, run in a real Streamlit script through AppTest."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

UI = Path(__file__).resolve().parents[1] / "consultations" / "ui"


def _saves_with_warnings() -> None:
    import streamlit as st

    from consultations.ui import flash

    def save() -> None:
        flash.say("elsewhere", "info", "an older action's message")
        flash.say("here", "success", "Lagret.")
        flash.say("here", "warning", "Fristen falt på en helligdag.")

    st.button("Lagre", on_click=save)
    st.caption(f"waiting: {flash.waiting('here')}")
    st.caption(f"shown: {flash.show('here')}")
    flash.show("elsewhere")


def test_an_action_that_says_several_things_shows_each_once_where_it_was_taken():
    at = AppTest.from_function(_saves_with_warnings, default_timeout=30).run()
    assert not at.success and not at.warning
    at.button[0].click().run()
    assert [m.value for m in at.success] == ["Lagret."]
    assert [m.value for m in at.warning] == ["Fristen falt på en helligdag."]
    assert [c.value for c in at.caption] == ["waiting: True", "shown: success"]
    assert not at.info  # the newest action's place wins: the older message is dropped
    at.run()
    assert not at.success and not at.warning
    assert [c.value for c in at.caption] == ["waiting: False", "shown: None"]


def test_no_module_in_ui_but_flash_keeps_a_message_in_session_state_for_the_next_rerun():
    """The copies that were written by hand (a result tuple, a notice or a list of messages
    popped from ``st.session_state`` and shown with ``st.success``/``st.error``/``st.info``)."""
    by_hand = re.compile(
        r"session_state(\[[^\]]+\]\s*=\s*\(\s*\"(success|error|info|warning)\""
        r"|\.pop\([^)]*(flash|note|notice|result)[^)]*\))",
        re.IGNORECASE,
    )
    found = [
        f"{path.relative_to(UI)}:{n}"
        for path in sorted(UI.rglob("*.py"))
        if path.name != "flash.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if by_hand.search(line) or re.search(r"state\[\w+\]\s*=\s*\(\s*\"(success|error)\"", line)
    ]
    assert found == []


def _sends_while_the_database_is_away() -> None:
    import streamlit as st

    from consultations.errors import StoreUnavailable
    from consultations.ui import flash

    def send() -> str:
        raise StoreUnavailable("postgresql://app@db.example/kartinnspill", "connection refused")

    st.button("Send", on_click=flash.run, args=("here", "nn", send))
    flash.show("here")


def test_an_action_the_database_could_not_take_says_try_again_shortly_and_logs_why(caplog):
    import logging

    from consultations.i18n import t

    at = AppTest.from_function(_sends_while_the_database_is_away, default_timeout=30).run()
    with caplog.at_level(logging.ERROR, logger="consultations.ui.context"):
        at.button[0].click().run()
    assert not at.exception
    assert [m.value for m in at.error] == [t("store.unavailable", "nn")]
    (logged,) = [r.getMessage() for r in caplog.records if "does not answer" in r.getMessage()]
    assert "db.example/kartinnspill: connection refused" in logged
