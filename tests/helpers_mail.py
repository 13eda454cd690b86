"""What the mail tests share: a real SMTP server (tests/smtp.py) per test and the settings to
reach it, the public address mails link to (autouse where imported), letters and web inputs
that ask for mail, closing a consultation, and the command line run as an operator runs it
with the mail settings in its environment."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from consultations.config import mail_settings
from consultations.model import Channel, InputDraft, SenderType, Status
from consultations.participation.submission import register_input, submit_input
from tests.conftest import NOW, staff
from tests.smtp import MailServer


CATEGORY = "Trafikk og trafikksikkerhet"
TEXT = "Fotgjengerfelt ved skolen trengs <b>snarest</b> & fort."
FROM = "postmottak@asker.kommune.no"


@pytest.fixture
def server(tmp_path):
    running = MailServer(tmp_path).start()
    yield running
    running.stop()


def smtp(server: MailServer):
    return mail_settings({"KARTINNSPILL_SMTP_URL": server.url, "KARTINNSPILL_MAIL_FROM": FROM})


@pytest.fixture(autouse=True)
def public_url(monkeypatch):
    monkeypatch.setenv("KARTINNSPILL_PUBLIC_URL", "https://innspill.asker.kommune.no")


def letter(store, consultation_id, email="a@example.no", **changes):
    kwargs = {
        "channel": Channel.LETTER,
        "sender_type": SenderType.PRIVATE,
        "sender_name": "Ola Nordmann",
        "received_at": NOW - timedelta(days=1),
        "actor": staff(store),
        "now": NOW,
        "sender_email": email,
    }
    kwargs.update(changes)
    return register_input(store, consultation_id, InputDraft(category=CATEGORY, text=TEXT), **kwargs)


def web(store, consultation_id, request, session="s1"):
    draft = InputDraft(category=CATEGORY, text=TEXT, whole_area=True)
    return submit_input(store, consultation_id, draft, session=session, now=NOW, mail_request=request)


def close(store, consultation_id):
    c = store.get_consultation(consultation_id)
    from dataclasses import replace

    store.update_consultation(replace(c, status=Status.CLOSED), "kari")
    return store.get_consultation(consultation_id)


ROOT = Path(__file__).resolve().parents[1]


def cli(env: dict[str, str], *argv: str, wait: bool = True):
    command = [sys.executable, "-m", "consultations", *argv]
    if not wait:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def environment(location, server: MailServer | None, tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "KARTINNSPILL_DB": str(location),
        "KARTINNSPILL_SECRET": "mail-" + "x" * 40,
        "KARTINNSPILL_TILES": "none",
        "KARTINNSPILL_MAIL_FROM": FROM,
    }
    env.pop("KARTINNSPILL_SMTP_URL", None)
    if server is not None:
        env["KARTINNSPILL_SMTP_URL"] = server.url
    return env
