"""The store's mail tables (migration 22): the outbox, the follows, the vedtak.

``MailStore`` is part of ``Store`` (a base class): it uses the store's cursors and
transactions, so a mail queued inside ``Store.atomic()`` is committed with the event that
caused it, or not at all.

At most once: a sender *claims* a row (``sending``) in a transaction of its own before it
talks to the SMTP server, and a claimed row is never claimed again. On PostgreSQL replicas
share the outbox, and ``FOR UPDATE SKIP LOCKED`` lets two senders claim at the same moment
without waiting on, or taking, each other's rows; on DuckDB the file has one process.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from ..mail_model import (
    INTERRUPTED,
    Follow,
    FollowKind,
    Mail,
    MailKind,
    MailStatus,
    OutboxEntry,
    Vedtak,
)
from .audit import _audit, _naive

_OUTBOX_COLUMNS = (
    "id, consultation_id, kind, recipient, subject, body_text, body_html, unsubscribe_token, "
    "message_key, message_id, status, attempts, next_attempt_at, sent_at, last_error, created_at"
)
_FOLLOW_COLUMNS = "id, token, consultation_id, input_id, kind, email, lang, confirmed_at, unsubscribed_at, last_sent_at"
ERROR_MAX = 500  # characters of an SMTP error kept with the row


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None else None


def _entry(row: tuple) -> OutboxEntry:
    return OutboxEntry(
        int(row[0]),
        row[1],
        MailKind(row[2]),
        row[3],
        row[4],
        row[5],
        row[6],
        row[7],
        row[8],
        row[9],
        MailStatus(row[10]),
        int(row[11]),
        _aware(row[12]),
        _aware(row[13]),
        row[14],
        _aware(row[15]),
    )


def _follow(row: tuple) -> Follow:
    return Follow(
        int(row[0]),
        row[1],
        row[2],
        int(row[3]) if row[3] is not None else None,
        FollowKind(row[4]),
        row[5],
        row[6],
        row[7] is not None,
        row[8] is not None,
        _aware(row[9]),
    )


class MailStore:
    """The mail part of ``Store``; see the module's docstring."""

    # -- the outbox --------------------------------------------------------------------

    def queue_mail(self, mails: Sequence[Mail], now: datetime | None = None) -> list[int]:
        """Put ``mails`` in the outbox, waiting; inside the caller's ``atomic()`` block
        when there is one (the event and its mail are one change)."""
        now = _naive(now or datetime.now(UTC))
        ids = []
        with self._transaction() as cur:
            for mail in mails:
                row = cur.execute(
                    """INSERT INTO mail_outbox (consultation_id, input_id, kind, recipient, subject,
                           body_text, body_html, unsubscribe_token, message_key, status,
                           attempts, next_attempt_at, created_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id""",
                    (
                        mail.consultation_id,
                        mail.input_id,
                        mail.kind.value,
                        mail.recipient,
                        mail.subject,
                        mail.text,
                        mail.html,
                        mail.unsubscribe_token,
                        secrets.token_hex(16),
                        MailStatus.WAITING.value,
                        now,
                        now,
                    ),
                ).fetchall()
                ids.append(int(row[0][0]))
        return ids

    def mail_due(self, now: datetime, lease: timedelta, due: datetime | None = None) -> bool:
        """Whether a sender has anything to do: a waiting mail due by ``due`` (default
        ``now``), or a claim older than ``lease`` to settle. A read, so an idle sender
        never moves the data version."""
        return bool(
            self._value(
                """SELECT count(*) FROM mail_outbox WHERE (status = ? AND next_attempt_at <= ?)
                   OR (status = ? AND claimed_at < ?)""",
                (MailStatus.WAITING.value, _naive(due or now), MailStatus.SENDING.value, _naive(now - lease)),
            )
        )

    def claim_mail(
        self, now: datetime, limit: int, domain: str, lease: timedelta, due: datetime | None = None
    ) -> list[OutboxEntry]:
        """Up to ``limit`` waiting mails due by ``due`` (default ``now``), now ``sending``
        and this caller's to send, each with its Message-ID (``<message_key@domain>``). A claim older than
        ``lease`` is a sender that stopped mid-send (killed, the machine gone): whether the
        server got the mail is unknown, so it is never sent again but marked failed."""
        stamp = _naive(now)
        skip = self._backend.skip_locked
        with self._transaction() as cur:
            stale = cur.execute(
                f"SELECT id FROM mail_outbox WHERE status = ? AND claimed_at < ?{skip}",
                (MailStatus.SENDING.value, _naive(now - lease)),
            ).fetchall()
            for (stale_id,) in stale:
                cur.execute(
                    "UPDATE mail_outbox SET status = ?, last_error = ? WHERE id = ?",
                    (MailStatus.FAILED.value, INTERRUPTED, stale_id),
                )
            rows = cur.execute(
                f"""SELECT id FROM mail_outbox WHERE status = ? AND next_attempt_at <= ?
                    ORDER BY id LIMIT ?{skip}""",
                (MailStatus.WAITING.value, _naive(due or now), limit),
            ).fetchall()
            claimed = []
            for (mail_id,) in rows:
                found = cur.execute(
                    f"""UPDATE mail_outbox SET status = ?, claimed_at = ?, attempts = attempts + 1,
                           message_id = '<' || message_key || ?
                        WHERE id = ? AND status = ? RETURNING {_OUTBOX_COLUMNS}""",
                    (MailStatus.SENDING.value, stamp, f"@{domain}>", mail_id, MailStatus.WAITING.value),
                ).fetchall()
                claimed.extend(_entry(r) for r in found)
        return claimed

    def mark_mail_sent(self, mail_id: int, now: datetime) -> None:
        with self._transaction() as cur:
            cur.execute(
                "UPDATE mail_outbox SET status = ?, sent_at = ?, last_error = NULL WHERE id = ?",
                (MailStatus.SENT.value, _naive(now), mail_id),
            )

    def mark_mail_waiting(self, mail_id: int, error: str, retry_at: datetime) -> None:
        """A claimed mail the server never took (it was down, refused to talk): waiting
        again, to be tried at ``retry_at``."""
        with self._transaction() as cur:
            cur.execute(
                """UPDATE mail_outbox SET status = ?, next_attempt_at = ?, claimed_at = NULL,
                       last_error = ? WHERE id = ?""",
                (MailStatus.WAITING.value, _naive(retry_at), error[:ERROR_MAX], mail_id),
            )

    def mark_mail_failed(self, mail_id: int, error: str) -> None:
        with self._transaction() as cur:
            cur.execute(
                "UPDATE mail_outbox SET status = ?, last_error = ? WHERE id = ?",
                (MailStatus.FAILED.value, error[:ERROR_MAX], mail_id),
            )

    def retry_mail(self, mail_ids: Sequence[int], actor: str, now: datetime) -> list[int]:
        """Failed mails among ``mail_ids`` waiting again from ``now``, with a fresh count of
        attempts and the same Message-ID; each audited with the error it had, in one
        transaction. Returns the ids put back (a mail not failed is left as it is)."""
        back = []
        with self._transaction() as cur:
            for mail_id in dict.fromkeys(mail_ids):
                found = cur.execute(
                    """UPDATE mail_outbox SET status = ?, attempts = 0, next_attempt_at = ?, claimed_at = NULL
                       WHERE id = ? AND status = ? RETURNING last_error, recipient""",
                    (MailStatus.WAITING.value, _naive(now), mail_id, MailStatus.FAILED.value),
                ).fetchall()
                if not found:
                    continue
                _audit(
                    cur,
                    actor,
                    "mail.retry",
                    "mail",
                    str(mail_id),
                    json.dumps({"status": MailStatus.FAILED.value, "error": found[0][0]}, ensure_ascii=False),
                    json.dumps({"status": MailStatus.WAITING.value}),
                )
                back.append(int(mail_id))
        return back

    def mailed(self, consultation_id: str, kind: MailKind) -> set[str]:
        """The follows (by token) a mail of ``kind`` was queued for in a consultation, so
        publishing the responses again answers no one twice; one query, however many
        follow."""
        rows = self._rows(
            """SELECT DISTINCT unsubscribe_token FROM mail_outbox
               WHERE consultation_id = ? AND kind = ? AND unsubscribe_token IS NOT NULL""",
            (consultation_id, kind.value),
        )
        return {r[0] for r in rows}

    def outbox_counts(self) -> dict[MailStatus, int]:
        """How many mails are waiting (or being sent), sent and failed."""
        rows = self._rows("SELECT status, count(*) FROM mail_outbox GROUP BY status")
        counts = dict.fromkeys(MailStatus, 0)
        counts.update({MailStatus(r[0]): int(r[1]) for r in rows})
        return counts

    def outbox(self, statuses: Sequence[MailStatus] = tuple(MailStatus), limit: int | None = 100) -> list[OutboxEntry]:
        """The newest mails in ``statuses``, newest first (``limit=None``: all of them)."""
        marks = ", ".join("?" * len(statuses))
        rows = self._rows(
            f"""SELECT {_OUTBOX_COLUMNS} FROM mail_outbox WHERE status IN ({marks}) ORDER BY id DESC
                {"LIMIT ?" if limit is not None else ""}""",
            (*(s.value for s in statuses), *((limit,) if limit is not None else ())),
        )
        return [_entry(r) for r in rows]

    # -- follows -----------------------------------------------------------------------

    def add_follow(
        self,
        consultation_id: str,
        kind: FollowKind,
        email: str,
        lang: str,
        *,
        input_id: int | None = None,
        confirmed: bool = False,
        now: datetime | None = None,
    ) -> Follow:
        """An address that asked to hear more; unconfirmed until its link is opened,
        unless ``confirmed`` (an address staff took from a letter, a kontaktperson's)."""
        now = _naive(now or datetime.now(UTC))
        with self._transaction() as cur:
            row = cur.execute(
                f"""INSERT INTO mail_follows (token, consultation_id, input_id, kind, email, lang,
                       confirmed_at, last_sent_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    RETURNING {_FOLLOW_COLUMNS}""",
                (
                    secrets.token_urlsafe(24),
                    consultation_id,
                    input_id,
                    kind.value,
                    email,
                    lang,
                    now if confirmed else None,
                    now if kind == FollowKind.DIGEST else None,  # a digest counts from its opt-in
                    now,
                ),
            ).fetchall()
        return _follow(row[0])

    def follow(self, token: str) -> Follow | None:
        rows = self._rows(f"SELECT {_FOLLOW_COLUMNS} FROM mail_follows WHERE token = ?", (token,))
        return _follow(rows[0]) if rows else None

    def confirm_follow(self, token: str, now: datetime) -> Follow | None:
        """The double opt-in: the link from the confirmation mail was opened."""
        with self._transaction() as cur:
            cur.execute(
                """UPDATE mail_follows SET confirmed_at = coalesce(confirmed_at, ?)
                   WHERE token = ? AND unsubscribed_at IS NULL""",
                (_naive(now), token),
            )
        return self.follow(token)

    def unsubscribe(self, token: str, now: datetime) -> Follow | None:
        with self._transaction() as cur:
            cur.execute(
                "UPDATE mail_follows SET unsubscribed_at = coalesce(unsubscribed_at, ?) WHERE token = ?",
                (_naive(now), token),
            )
        return self.follow(token)

    def follows(self, consultation_id: str, kinds: Sequence[FollowKind], *, active: bool = True) -> list[Follow]:
        """The follows of a consultation of ``kinds``; only the confirmed and not
        unsubscribed ones when ``active``."""
        marks = ", ".join("?" * len(kinds))
        rows = self._rows(
            f"""SELECT {_FOLLOW_COLUMNS} FROM mail_follows WHERE consultation_id = ?
                AND kind IN ({marks}) ORDER BY id""",
            (consultation_id, *(k.value for k in kinds)),
        )
        found = [_follow(r) for r in rows]
        return [f for f in found if f.active] if active else found

    def digests_due(self, now: datetime, every: timedelta) -> list[Follow]:
        """The active digest follows whose last digest is ``every`` old (or never sent)."""
        rows = self._rows(
            f"""SELECT {_FOLLOW_COLUMNS} FROM mail_follows WHERE kind = ? AND confirmed_at IS NOT NULL
                AND unsubscribed_at IS NULL AND last_sent_at <= ? ORDER BY id""",
            (FollowKind.DIGEST.value, _naive(now - every)),
        )
        return [_follow(r) for r in rows]

    def inputs_since(self, consultation_id: str, since: datetime) -> int:
        """How many inputs a consultation got after ``since`` (the digest's count)."""
        return int(
            self._value(
                "SELECT count(*) FROM inputs WHERE consultation_id = ? AND created_at > ?",
                (consultation_id, _naive(since)),
            )
            or 0
        )

    def mark_follow_sent(self, follow_id: int, now: datetime) -> None:
        with self._transaction() as cur:
            cur.execute("UPDATE mail_follows SET last_sent_at = ? WHERE id = ?", (_naive(now), follow_id))

    def forget_mail(self, consultation_id: str) -> int:
        """Every e-mail address kept for a consultation, gone (retention): its follows,
        and its mails in the outbox (sent ones too: they hold the address). Returns how
        many addresses were forgotten."""
        with self._transaction() as cur:
            count = int(
                cur.execute(
                    "SELECT count(*) FROM mail_follows WHERE consultation_id = ?", (consultation_id,)
                ).fetchall()[0][0]
            )
            cur.execute("DELETE FROM mail_follows WHERE consultation_id = ?", (consultation_id,))
            cur.execute(
                "DELETE FROM mail_outbox WHERE consultation_id = ? AND status <> ?",
                (consultation_id, MailStatus.SENDING.value),
            )
        return count

    def forget_input_mail(self, input_id: int) -> None:
        """An input deleted on the resident's request takes its addresses along: the
        follows of it and the mails about it (a receipt holds its text)."""
        with self._transaction() as cur:
            cur.execute("DELETE FROM mail_follows WHERE input_id = ?", (input_id,))
            cur.execute(
                "DELETE FROM mail_outbox WHERE input_id = ? AND status <> ?", (input_id, MailStatus.SENDING.value)
            )

    # -- the vedtak --------------------------------------------------------------------

    def set_vedtak(self, vedtak: Vedtak, actor: str, now: datetime | None = None) -> None:
        """Register (or correct) a consultation's vedtak, audited."""
        stamp = _naive(now or datetime.now(UTC))
        values = (
            vedtak.body,
            vedtak.decided_on,
            vedtak.case_number,
            vedtak.link,
            vedtak.appeal_by,
            actor,
            stamp,
        )
        with self.atomic():  # the vedtak and its audit entry
            with self._transaction() as cur:
                cur.execute(
                    """INSERT INTO vedtak VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT (consultation_id) DO UPDATE SET body = excluded.body,
                           decided_on = excluded.decided_on, case_number = excluded.case_number,
                           link = excluded.link, appeal_by = excluded.appeal_by,
                           registered_by = excluded.registered_by, registered_at = excluded.registered_at""",
                    (vedtak.consultation_id, *values),
                )
            self.audit(
                actor,
                "vedtak.register",
                "consultation",
                vedtak.consultation_id,
                None,
                json.dumps(
                    {
                        "decided_on": vedtak.decided_on.isoformat(),
                        "case_number": vedtak.case_number,
                        "appeal_by": vedtak.appeal_by.isoformat(),
                    }
                ),
            )

    def vedtak(self, consultation_id: str) -> Vedtak | None:
        rows = self._rows(
            "SELECT consultation_id, body, decided_on, case_number, link, appeal_by FROM vedtak WHERE consultation_id = ?",
            (consultation_id,),
        )
        if not rows:
            return None
        r = rows[0]
        return Vedtak(r[0], r[1], _day(r[2]), r[3], r[4], _day(r[5]))


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
