"""TCP_NODELAY on the server's connections: without it the kernel holds a small reply back
until the browser has acknowledged the previous one (Nagle's algorithm), and the browser
acknowledges late (delayed ACK, ~40 ms on Linux): a rerun's messages stalled ~40 ms on a
kept-alive websocket (docs/perf/perf.md).

asyncio sets the option on every TCP connection it accepts, but only when the socket says
its protocol is TCP; Streamlit binds its listening socket as ``socket.socket(family)``
(protocol 0, streamlit/web/server/starlette/starlette_server.py ``_bind_socket``, 1.67), so
the connections it accepts never get it. uvicorn imports the app (serve.py) after that
socket is bound and before it accepts anything; serve.py calls ``no_delay`` then. On Linux
an accepted connection inherits TCP_NODELAY from its listening socket.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

_FDS = Path("/proc/self/fd")


def no_delay(port: int) -> int:
    """Set TCP_NODELAY on this process's listening TCP sockets on ``port``; how many (0
    where /proc is not there to find them: nothing changes)."""
    done = 0
    try:
        fds = [int(p.name) for p in _FDS.iterdir()]
    except OSError:
        return 0
    for fd in fds:
        try:
            if not os.readlink(_FDS / str(fd)).startswith("socket:"):
                continue
            sock = socket.socket(fileno=os.dup(fd))  # a second handle on the same socket
        except OSError:
            continue  # closed meanwhile (the listing's own handle among them)
        with sock:
            if (
                sock.family in (socket.AF_INET, socket.AF_INET6)
                and sock.type == socket.SOCK_STREAM
                and sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
                and sock.getsockname()[1] == port
            ):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                done += 1
    return done
