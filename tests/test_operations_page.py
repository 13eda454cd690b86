"""Drift under AppTest: admins only; a backup download; anonymising when due."""

from __future__ import annotations

from consultations.auth import create_user
from tests.conftest import log_in


def test_a_planner_cannot_open_drift(app):
    at = log_in(app, "pages/drift.py")
    assert at.error[0].value == "Denne siden krever rollen Administrator."
    assert not at.get("download_button")


def test_an_admin_gets_a_backup_and_sees_when_each_closed_consultation_can_be_anonymised(app):
    create_user(app.store(), "ada", "admin", "riktig-hest-batteri")
    app.switch_page("pages/drift.py")
    at = app.run()
    at.text_input[0].input("ada")
    at.text_input[1].input("riktig-hest-batteri")
    at.button[0].click()
    at.run()
    assert not at.exception
    assert at.title[0].value.startswith("Drift")
    assert len(at.get("download_button")) == 1
    # the demo's closed consultations closed weeks ago: anonymising is not due yet
    buttons = [b for b in at.button if b.label == "Anonymiser"]
    assert len(buttons) == 2 and all(b.disabled for b in buttons)


def test_drift_shows_consultation_titles_as_text_not_markdown(app):
    import dataclasses

    from consultations.model import Status

    store = app.store()
    closed = next(e.consultation for e in store.listings() if e.consultation.status == Status.CLOSED)
    store.update_consultation(dataclasses.replace(closed, title="[Klikk her](https://evil.example)"), "ada")
    create_user(store, "ada", "admin", "riktig-hest-batteri")
    app.switch_page("pages/drift.py")
    at = app.run()
    at.text_input[0].input("ada")
    at.text_input[1].input("riktig-hest-batteri")
    at.button[0].click()
    at.run()
    assert not at.exception
    (line,) = [m.value for m in at.markdown if "Klikk her" in m.value]
    assert "](https://" not in line and "[Klikk her]" not in line
