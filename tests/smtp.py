"""A real SMTP server for the mail tests: aiosmtpd on a free loopback port, keeping every
message it accepted. It can be stopped and started again on the same port (the relay
down for a while), speak STARTTLS or implicit TLS with a throw-away certificate, and ask
for a login.
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import subprocess
import threading
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "kartinnspill", "hemmelig-passord"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the client trusts it as its CA file)."""
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class _Keep:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.server.lock:
            self.server.messages.append(message)
            self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        if self.server.hold is not None:  # kept, but the sender waits for the 250 (a test kills it)
            self.server.in_data.set()
            self.server.hold.wait(30)
        return "250 OK"


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == USER
        and auth_data.password.decode() == PASSWORD
    )
    # handled=False: a refused login is answered «535» at once, as a real relay answers it
    # (aiosmtpd's default, handled=True, leaves the reply to the authenticator: the client
    # would wait out its time-out)
    return AuthResult(success=ok, handled=False)


class MailServer:
    """``start()``/``stop()`` a server on ``port``; ``messages`` holds what it accepted."""

    def __init__(self, folder: Path, *, tls: str = "none", login: bool = False) -> None:
        self.port = free_port()
        self.tls = tls  # "none", "starttls" or "implicit"
        self.login = login
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()
        self.hold: threading.Event | None = None
        self.in_data = threading.Event()
        self._controller: Controller | None = None
        self.cert, self.key = certificate(folder) if tls != "none" else (None, None)

    @property
    def url(self) -> str:
        who = f"{USER}:{PASSWORD}@" if self.login else ""
        if self.tls == "implicit":
            return f"smtps://{who}127.0.0.1:{self.port}?cafile={self.cert}"
        if self.tls == "starttls":
            return f"smtp://{who}127.0.0.1:{self.port}?cafile={self.cert}"
        return f"smtp://{who}127.0.0.1:{self.port}?starttls=off"

    def _context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def start(self) -> MailServer:
        kwargs: dict[str, object] = {}
        if self.tls == "starttls":
            kwargs.update(tls_context=self._context(), require_starttls=True)
        if self.tls == "implicit":
            kwargs.update(ssl_context=self._context())
        if self.login:
            kwargs.update(authenticator=_authenticate, auth_required=True)
            # aiosmtpd does not see that an implicit-TLS session is encrypted
            kwargs.update(auth_require_tls=self.tls != "implicit")
        self._controller = Controller(_Keep(self), hostname="127.0.0.1", port=self.port, **kwargs)
        if self.tls == "implicit":  # the controller's own readiness check cannot speak TLS
            self._controller.ready_timeout = 5
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            if self.hold is not None:
                self.hold.set()
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]
