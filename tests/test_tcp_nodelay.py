"""The server's connections send at once (TCP_NODELAY), though Streamlit binds its port in a
way that keeps asyncio from setting it (consultations/tcp_nodelay.py)."""

from __future__ import annotations

import asyncio
import socket
from concurrent.futures import ThreadPoolExecutor

from consultations.tcp_nodelay import no_delay


def _listening(address: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket(family=socket.AF_INET)  # as Streamlit's _bind_socket: protocol 0
    sock.bind((address, 0))
    sock.listen(8)
    sock.setblocking(False)
    return sock


def _accepted_nodelay(listening: socket.socket) -> int:
    """TCP_NODELAY of a connection asyncio accepts on ``listening``, as uvicorn serves it."""

    async def main() -> int:
        loop = asyncio.get_running_loop()
        seen = loop.create_future()

        class Protocol(asyncio.Protocol):
            def connection_made(self, transport):
                s = transport.get_extra_info("socket")
                seen.set_result(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

        server = await loop.create_server(Protocol, sock=listening)
        _reader, writer = await asyncio.open_connection(*listening.getsockname())
        try:
            return await asyncio.wait_for(seen, 10)
        finally:
            writer.close()
            server.close()

    # A thread of its own: an earlier test's sync Playwright may keep a loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


def test_a_socket_bound_as_streamlit_binds_it_gives_connections_without_nodelay():
    assert _accepted_nodelay(_listening()) == 0  # why no_delay exists; if this fails, it may go


def test_no_delay_gives_every_accepted_connection_tcp_nodelay():
    listening = _listening()
    other = _listening()
    assert no_delay(listening.getsockname()[1]) == 1  # that port's socket only
    assert other.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
    assert _accepted_nodelay(listening) != 0
    other.close()


def test_no_delay_on_a_port_nobody_listens_on_changes_nothing():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening
        assert no_delay(port) == 0
