"""The secret behind every session and address hash, kept out of the database.

With the key beside the hashes (it used to sit in the ``meta`` table), anyone holding the
database — a backup, a copy for a developer — could hash all 2³² IPv4 addresses and read
who sent what. The key comes from ``KARTINNSPILL_SECRET`` or from a file made on first run
with mode 0600, next to the database but never inside it or its backups. Each
consultation hashes with its own key derived from it, so the same address cannot be
followed from one consultation to the next.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

from .errors import ConfigError

MIN_SECRET = 32  # characters; a generated secret is 64 hex digits


def load_secret(value: str | None, path: Path) -> bytes:
    """``value`` if given (from the environment or secrets.toml), else the file at ``path``,
    which is created (mode 0600) with a fresh random secret when it does not exist."""
    if value is not None:
        if len(value) < MIN_SECRET:
            raise ConfigError("config.secret_short")
        return value.encode()
    path = Path(path)
    if not path.exists():
        _create(path)
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("config.secret_unreadable", path=path, reason=str(exc)) from exc
    if len(text) < MIN_SECRET:
        raise ConfigError("config.secret_unreadable", path=path, reason=f"< {MIN_SECRET}")
    return text.encode()


def _create(path: Path) -> None:
    """Write the whole file under another name, then link it into place: a second process
    starting at the same moment finds either no file or a complete one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
    finally:
        os.unlink(tmp)


def derive(secret: bytes, context: str) -> bytes:
    """A key for one purpose (a consultation's id, or ``""`` for hashes kept only in memory)."""
    return hmac.new(secret, f"kartinnspill-hash:{context}".encode(), hashlib.sha256).digest()


def keyed_hash(key: bytes, raw: str) -> str:
    return hmac.new(key, raw.encode(), hashlib.sha256).hexdigest()[:32]
