"""Staff in the store: users and their roles, OIDC bindings, login records bound to a
browser, failed-login counts, and the audit log."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from ..errors import NotFound
from ..model import AuditEntry, Role, User
from .audit import _audit, _naive, _utc
from . import rows as record
from .database import _remembered

_USER_COLUMNS = record.select(record.USER_COLUMNS)


class StaffStore:
    """The ``Store``'s users, logins and audit log (mixed into ``Store``)."""

    def add_user(
        self,
        username: str,
        role: Role,
        password_hash: str | None,
        email: str | None = None,
        actor: str = "system",
    ) -> User:
        with self._transaction() as cur:
            user_id = cur.execute(
                """INSERT INTO users (username, email, role, password_hash, active, created_at)
                   VALUES (?, ?, ?, ?, true, ?) RETURNING id""",
                (username, email, role.value, password_hash, _naive(datetime.now(UTC))),
            ).fetchall()[0][0]
            _audit(
                cur,
                actor,
                "user.create",
                "user",
                username,
                None,
                json.dumps({"role": role.value, "email": email}),
            )
        user = self.get_user(int(user_id))
        assert user is not None
        return user

    def update_user(
        self,
        user_id: int,
        actor: str,
        *,
        role: Role | None = None,
        active: bool | None = None,
        password_hash: str | None = None,
    ) -> User:
        before = self.get_user(user_id)
        if before is None:
            raise NotFound("user.unknown")
        with self._transaction() as cur:
            cur.execute(
                """UPDATE users SET role = coalesce(?, role), active = coalesce(?, active),
                       password_hash = coalesce(?, password_hash) WHERE id = ?""",
                (role.value if role else None, active, password_hash, user_id),
            )
            changes = {
                "role": role.value if role else None,
                "active": active,
                "password": "changed" if password_hash else None,
            }
            _audit(
                cur,
                actor,
                "user.update",
                "user",
                before.username,
                json.dumps({"role": before.role.value, "active": before.active}),
                json.dumps({k: v for k, v in changes.items() if v is not None}),
            )
        after = self.get_user(user_id)
        assert after is not None
        return after

    def get_user(self, user_id: int) -> User | None:
        rows = self._records(f"SELECT {_USER_COLUMNS} FROM users WHERE id = ?", (user_id,))
        return record.user(rows[0]) if rows else None

    def user_by_email(self, email: str) -> User | None:
        rows = self._records(f"SELECT {_USER_COLUMNS} FROM users WHERE lower(email) = lower(?)", (email,))
        return record.user(rows[0]) if rows else None

    def login_record(self, username: str) -> tuple[User, str | None] | None:
        """The user and their password hash, for checking a login."""
        rows = self._records(
            f"SELECT {_USER_COLUMNS}, password_hash FROM users WHERE lower(username) = lower(?)",
            (username,),
        )
        return (record.user(rows[0]), rows[0]["password_hash"]) if rows else None

    def users(self) -> list[User]:
        return [record.user(r) for r in self._records(f"SELECT {_USER_COLUMNS} FROM users ORDER BY username")]

    def audit(
        self,
        actor: str,
        action: str,
        object_type: str,
        object_id: str,
        before: str | None = None,
        after: str | None = None,
    ) -> None:
        """An entry for a staff action that changes nothing else (a login, an export …)."""
        with self._transaction() as cur:
            _audit(cur, actor, action, object_type, object_id, before, after)

    def audit_entries(self, limit: int | None = None, offset: int = 0, text: str = "") -> list[AuditEntry]:
        """Newest first; with ``text``, only entries whose action or actor contains it (any
        case); ``limit``/``offset`` give one page of them."""
        where, params = _audit_filter(text)
        sql = f"SELECT {record.select(record.AUDIT_COLUMNS)} FROM audit_log {where} ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params = [*params, limit, offset]
        return [record.audit_entry(r) for r in self._records(sql, params)]

    def count_audit(self, text: str = "") -> int:
        where, params = _audit_filter(text)
        return int(self._value(f"SELECT count(*) FROM audit_log {where}", params) or 0)

    def login_failures(
        self, keys: Sequence[tuple[str, str]], since: datetime
    ) -> dict[tuple[str, str], tuple[int, datetime]]:
        """Failure count and time of the last failure per (scope, key), for those whose
        last failure is at or after ``since`` (older ones count as none)."""
        if not keys:
            return {}
        rows = self._rows(
            "SELECT scope, key, failures, last_at FROM login_failures WHERE last_at >= ? AND ("
            + " OR ".join(["(scope = ? AND key = ?)"] * len(keys))
            + ")",
            [_naive(since), *(part for k in keys for part in k)],
        )
        return {(r[0], r[1]): (int(r[2]), _utc(r[3])) for r in rows}

    def record_login_failure(
        self,
        keys: Sequence[tuple[str, str]],
        audit_key: tuple[str, str],
        now: datetime,
        since: datetime,
        actor: str,
        details: dict[str, object],
    ) -> int:
        """Count one failed login against every (scope, key) — a count whose last failure
        is before ``since`` starts again at 1 — and keep ONE audit row per ``audit_key``
        while its count runs: the first failure inserts it, later ones update its count.
        Rows idle since before ``since`` are dropped. Returns the ``audit_key`` count."""
        at, cutoff = _naive(now), _naive(since)
        with self._transaction() as cur:
            self._backend.lock(cur, f"login:{audit_key[0]}:{audit_key[1]}")  # one audit row per streak
            cur.execute("DELETE FROM login_failures WHERE last_at < ?", (cutoff,))
            for scope, key in keys:
                cur.execute(
                    """INSERT INTO login_failures (scope, key, failures, last_at)
                       VALUES (?, ?, 1, ?) ON CONFLICT (scope, key) DO UPDATE
                       SET failures = login_failures.failures + 1, last_at = excluded.last_at""",
                    (scope, key, at),
                )
            failures, audit_id = cur.execute(
                "SELECT failures, audit_id FROM login_failures WHERE scope = ? AND key = ?",
                audit_key,
            ).fetchall()[0]
            after = json.dumps({**details, "failures": failures, "last": now.isoformat()})
            if audit_id is None:
                audit_id = cur.execute(
                    """INSERT INTO audit_log (occurred_at, actor, action, object_type, object_id,
                           before, after) VALUES (?, ?, 'login.failed', 'user', ?, NULL, ?)
                       RETURNING id""",
                    (at, actor, actor, after),
                ).fetchall()[0][0]
                cur.execute(
                    "UPDATE login_failures SET audit_id = ? WHERE scope = ? AND key = ?",
                    (audit_id, *audit_key),
                )
            else:
                cur.execute("UPDATE audit_log SET after = ? WHERE id = ?", (after, audit_id))
        return int(failures)

    def clear_login_failures(self, keys: Sequence[tuple[str, str]]) -> None:
        with self._transaction() as cur:
            for scope, key in keys:
                cur.execute("DELETE FROM login_failures WHERE scope = ? AND key = ?", (scope, key))

    def start_staff_session(self, token_hash: str, user: User, now: datetime, browser_hash: str) -> None:
        """A login record bound to one browser; only hashes of the token and cookie are kept."""
        with self._transaction() as cur:
            cur.execute(
                """INSERT INTO staff_sessions
                   (token_hash, user_id, started_at, seen_at, ended_at, browser_hash)
                   VALUES (?, ?, ?, ?, NULL, ?)""",
                (token_hash, user.id, _naive(now), _naive(now), browser_hash),
            )

    def staff_session(self, token_hash: str) -> tuple[int, datetime, datetime | None, str | None] | None:
        """User id, last activity, end (if ended) and bound browser of a login record."""
        rows = self._rows(
            "SELECT user_id, seen_at, ended_at, browser_hash FROM staff_sessions WHERE token_hash = ?",
            (token_hash,),
        )
        if not rows:
            return None
        user_id, seen, ended, browser_hash = rows[0]
        return int(user_id), _utc(seen), _utc(ended) if ended is not None else None, browser_hash

    def end_staff_session_from_other_browser(self, token_hash: str, now: datetime, username: str) -> None:
        """End a login record used from a browser it is not bound to, with the audit row."""
        with self._transaction() as cur:
            cur.execute(
                "UPDATE staff_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
                (_naive(now), token_hash),
            )
            _audit(cur, username, "login.other_browser", "user", username, None, None)

    def touch_staff_session(self, token_hash: str, now: datetime) -> None:
        with self._transaction() as cur:
            cur.execute(
                "UPDATE staff_sessions SET seen_at = ? WHERE token_hash = ? AND ended_at IS NULL",
                (_naive(now), token_hash),
            )

    def end_staff_sessions(
        self,
        now: datetime,
        *,
        token_hash: str | None = None,
        user_id: int | None = None,
        keep: str | None = None,
    ) -> None:
        """End one login record (``token_hash``) or all of a user's but ``keep``."""
        with self._transaction() as cur:
            if token_hash is not None:
                cur.execute(
                    "UPDATE staff_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
                    (_naive(now), token_hash),
                )
            if user_id is not None:
                cur.execute(
                    """UPDATE staff_sessions SET ended_at = ? WHERE user_id = ?
                       AND ended_at IS NULL AND token_hash <> coalesce(?, '')""",
                    (_naive(now), user_id, keep),
                )

    def change_password(self, user_id: int, password_hash: str, now: datetime, keep: str) -> None:
        """A new password hash; every other login of the user ends; audited (no hash)."""
        user = self.get_user(user_id)
        if user is None:
            raise NotFound("user.unknown")
        with self._transaction() as cur:
            cur.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))
            cur.execute(
                """UPDATE staff_sessions SET ended_at = ? WHERE user_id = ?
                   AND ended_at IS NULL AND token_hash <> ?""",
                (_naive(now), user_id, keep),
            )
            _audit(cur, user.username, "user.password", "user", user.username, None, None)

    def user_by_oidc(self, issuer: str, subject: str) -> User | None:
        rows = self._records(
            f"SELECT {_USER_COLUMNS} FROM users WHERE oidc_issuer = ? AND oidc_subject = ?",
            (issuer, subject),
        )
        return record.user(rows[0]) if rows else None

    def oidc_binding(self, user_id: int) -> tuple[str, str] | None:
        rows = self._rows(
            "SELECT oidc_issuer, oidc_subject FROM users WHERE id = ? AND oidc_subject IS NOT NULL",
            (user_id,),
        )
        return (rows[0][0], rows[0][1]) if rows else None

    def bind_oidc(self, user_id: int, issuer: str, subject: str) -> bool:
        """Bind an unbound users row to an OIDC account; ``False`` (nothing changed) when the
        row is already bound or another row has that account."""
        with self._transaction() as cur:
            self._backend.lock(cur, f"oidc:{issuer}")  # the check below, across processes
            taken = cur.execute(
                """SELECT count(*) FROM users WHERE (id = ? AND oidc_subject IS NOT NULL)
                   OR (oidc_issuer = ? AND oidc_subject = ?)""",
                (user_id, issuer, subject),
            ).fetchall()[0][0]
            if taken:
                return False
            cur.execute(
                "UPDATE users SET oidc_issuer = ?, oidc_subject = ? WHERE id = ?",
                (issuer, subject, user_id),
            )
            name = cur.execute("SELECT username FROM users WHERE id = ?", (user_id,)).fetchall()
            _audit(
                cur,
                name[0][0],
                "user.oidc_bind",
                "user",
                name[0][0],
                None,
                json.dumps({"issuer": issuer, "subject": subject}),
            )
        return True

    @_remembered
    def browsers_with_staff_sessions(self) -> frozenset[str]:
        """The cookie hashes of the browsers with a running login record: one read per data
        version for everyone (issue 26), so a resident's page view — a browser without a
        login — asks nothing of its own (``auth.resume_session``)."""
        return frozenset(
            r[0]
            for r in self._rows(
                "SELECT DISTINCT browser_hash FROM staff_sessions WHERE ended_at IS NULL AND browser_hash IS NOT NULL"
            )
        )

    def latest_staff_session_of_browser(self, browser_hash: str) -> tuple[str, int, datetime] | None:
        """The running login record last used in the browser with this cookie hash: its token
        hash, user id and last activity."""
        rows = self._rows(
            """SELECT token_hash, user_id, seen_at FROM staff_sessions
               WHERE browser_hash = ? AND ended_at IS NULL ORDER BY seen_at DESC LIMIT 1""",
            (browser_hash,),
        )
        if not rows:
            return None
        token_hash, user_id, seen = rows[0]
        return token_hash, int(user_id), _utc(seen)

    def end_staff_sessions_of_browser(self, browser_hash: str, now: datetime) -> None:
        """End every login record of one browser (a logout ends the login in all its tabs)."""
        with self._transaction() as cur:
            cur.execute(
                "UPDATE staff_sessions SET ended_at = ? WHERE browser_hash = ? AND ended_at IS NULL",
                (_naive(now), browser_hash),
            )


def _audit_filter(text: str) -> tuple[str, list[object]]:
    """The WHERE clause for the audit log's filter: action or actor contains ``text``."""
    needle = text.strip().lower()
    if not needle:
        return "", []
    return "WHERE strpos(lower(action), ?) > 0 OR strpos(lower(actor), ?) > 0", [needle, needle]
