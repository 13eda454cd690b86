"""The mail outbox from the command line and under failure: ``register-input
--sender-email`` then ``send-mail --once`` against a live aiosmtpd; the server down and back;
two replicas sending from one PostgreSQL outbox; a sender killed in the middle of a mail."""

from __future__ import annotations

import signal
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from consultations import mail_sender
from consultations.config import mail_settings
from consultations.mail_model import MailStatus
from consultations.model import Channel, InputDraft, SenderType
from consultations.store import Store
from consultations.participation.submission import register_input
from tests.conftest import NOW, make_consultation, staff
from tests.pg import on_both_backends as store_location  # noqa: F401  (each test on both)
from tests.smtp import MailServer
from tests.helpers_mail import FROM, cli, environment


def test_register_input_with_sender_email_then_send_mail_delivers_one_receipt(store_location, tmp_path):  # noqa: F811
    store = Store.open(store_location)
    store.add_consultation(make_consultation("brev"))
    store.close()
    server = MailServer(tmp_path).start()
    env = environment(store_location, server, tmp_path)
    text = tmp_path / "brev.txt"
    text.write_text("Vi ønsker fortau langs Borgenveien.", encoding="utf-8")
    registered = cli(
        env,
        "register-input",
        "--consultation",
        "brev",
        "--channel",
        "email",
        "--received",
        (NOW - timedelta(days=1)).date().isoformat(),
        "--sender-type",
        "privatperson",
        "--text-file",
        str(text),
        "--sender-email",
        "a@example.no",
    )
    assert registered.returncode == 0, registered.stderr
    reference = registered.stdout.strip()
    assert reference.startswith("KI-")

    server.stop()  # the relay is down
    down = cli(env, "send-mail", "--once")
    assert down.returncode == 0, down.stderr
    assert down.stdout.strip() == "sent 0, waiting 1, failed 0"
    assert server.messages == []

    server.start()  # and back, on the same address
    back = cli(env, "send-mail", "--once")
    assert back.stdout.strip() == "sent 1, waiting 0, failed 0", back.stderr
    again = cli(env, "send-mail", "--once")
    assert again.stdout.strip() == "sent 0, waiting 0, failed 0"
    server.stop()
    [receipt] = server.messages
    assert receipt["To"] == "a@example.no" and reference in receipt["Subject"]
    assert reference in receipt.get_body(("plain",)).get_content()


def test_send_mail_without_a_server_says_so_and_keeps_the_mail(store_location, tmp_path):  # noqa: F811
    store = Store.open(store_location)
    store.add_consultation(make_consultation("brev"))
    letter(store, "brev")
    store.close()
    result = cli(environment(store_location, None, tmp_path), "send-mail", "--once")
    assert result.returncode == 1
    assert result.stdout.strip() == "sent 0, waiting 1, failed 0"
    assert "KARTINNSPILL_SMTP_URL" in result.stderr


def test_a_bad_sender_email_is_refused_with_a_sentence(store_location, tmp_path):  # noqa: F811
    store = Store.open(store_location)
    store.add_consultation(make_consultation("brev"))
    store.close()
    text = tmp_path / "brev.txt"
    text.write_text("Vi ønsker fortau langs Borgenveien.", encoding="utf-8")
    result = cli(
        environment(store_location, None, tmp_path),
        "register-input",
        "--consultation",
        "brev",
        "--channel",
        "letter",
        "--received",
        (NOW - timedelta(days=1)).date().isoformat(),
        "--sender-type",
        "privatperson",
        "--text-file",
        str(text),
        "--sender-email",
        "ikke-en-adresse",
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "E-postadressen ser ikke riktig ut" in result.stderr


def letter(store: Store, consultation_id: str, email: str = "a@example.no"):
    return register_input(
        store,
        consultation_id,
        InputDraft(category="Annet", text="Fortau langs Borgenveien, takk."),
        channel=Channel.LETTER,
        sender_type=SenderType.PRIVATE,
        sender_name=None,
        received_at=NOW - timedelta(days=1),
        actor=staff(store),
        now=NOW,
        sender_email=email,
    )


# -- PostgreSQL: replicas sharing the outbox ------------------------------------------------


def test_two_replicas_sending_together_send_every_mail_once(pg_url, tmp_path):
    first = Store.open(pg_url)
    first.add_consultation(make_consultation("mange"))
    for n in range(30):
        letter(first, "mange", f"r{n}@example.no")
    second = Store.open(pg_url)  # another replica: its own connections
    server = MailServer(tmp_path).start()
    settings = mail_settings({"KARTINNSPILL_SMTP_URL": server.url, "KARTINNSPILL_MAIL_FROM": FROM})
    start = threading.Barrier(2)
    sent: dict[str, int] = {}

    def replica(name: str, store: Store) -> None:
        start.wait()
        total = 0
        while True:
            done, claimed = mail_sender.send_due(store, settings, limit=4)
            total += done
            if not claimed:
                break
        sent[name] = total

    threads = [threading.Thread(target=replica, args=(n, s)) for n, s in (("a", first), ("b", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    server.stop()
    assert sent["a"] + sent["b"] == 30
    ids = Counter(m["Message-ID"] for m in server.messages)
    assert len(ids) == 30 and set(ids.values()) == {1}
    assert first.outbox_counts()[MailStatus.SENT] == 30
    first.close()
    second.close()


def test_a_claim_skips_the_rows_another_replica_is_claiming(pg_url):
    import psycopg

    store = Store.open(pg_url)
    store.add_consultation(make_consultation("laast"))
    for n in range(6):
        letter(store, "laast", f"r{n}@example.no")
    every = {e.id for e in store.outbox()}
    now = datetime.now(UTC)
    with psycopg.connect(pg_url) as other, other.transaction():  # a replica in the middle of its claim
        held = [r[0] for r in other.execute("SELECT id FROM mail_outbox ORDER BY id LIMIT 3 FOR UPDATE").fetchall()]
        claimed = store.claim_mail(now, 10, "asker.kommune.no", mail_sender.LEASE)
        assert {e.id for e in claimed} == every - set(held)  # no wait, no overlap
    store.close()


def test_a_sender_killed_while_sending_never_sends_that_mail_again(pg_url, tmp_path):
    store = Store.open(pg_url)
    store.add_consultation(make_consultation("drept"))
    letter(store, "drept")
    server = MailServer(tmp_path).start()
    server.hold = threading.Event()  # the server keeps the mail, then waits before its 250
    env = environment(pg_url, server, tmp_path)
    sender = cli(env, "send-mail", "--once", wait=False)
    try:
        assert server.in_data.wait(60), "the sender never reached DATA"
        sender.send_signal(signal.SIGKILL)
        sender.wait(30)
    finally:
        if sender.poll() is None:
            sender.kill()
    server.stop()
    [entry] = store.outbox()
    assert entry.status == MailStatus.SENDING

    server.hold = None
    server.start()
    again = cli(env, "send-mail", "--once")  # another replica, right after
    assert again.stdout.strip() == "sent 0, waiting 1, failed 0", again.stderr
    later = datetime.now(UTC) + mail_sender.LEASE + timedelta(minutes=1)
    settings = mail_settings(env)
    report = mail_sender.run_once(store, settings, later)  # the claim has run out
    assert report.line() == "sent 0, waiting 0, failed 1"
    assert store.outbox()[0].last_error == "interrupted while sending"
    server.stop()
    assert len(server.messages) == 1  # once, in the killed conversation, and never again
    store.close()


@pytest.mark.parametrize("backend", ["duckdb"])
def test_an_idle_sender_writes_nothing(tmp_path, backend):
    store = Store.open(tmp_path / "idle.duckdb")
    version = store.data_version
    settings = mail_settings(
        {"KARTINNSPILL_SMTP_URL": "smtp://127.0.0.1:1?starttls=off", "KARTINNSPILL_MAIL_FROM": FROM}
    )
    assert mail_sender.send_due(store, settings) == (0, 0)
    assert store.data_version == version  # no page's cache is thrown away by an idle round
    store.close()
