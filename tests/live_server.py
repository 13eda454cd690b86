"""A real `streamlit run` of the app on a free port, for tests that need the HTTP server
itself (headers, upload limits) and for the browser tests (tests/browser/conftest.py).

The server is started the way it is shipped: `streamlit run serve.py` (app.py behind the
HTTP policy), with the repository's .streamlit/config.toml. Nothing here reaches beyond
127.0.0.1: tiles are off and proxies are ignored.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LAUNCHER = "serve.py"
STARTUP_TIMEOUT_S = 60.0

NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(port: int) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", LAUNCHER,
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip


@dataclass
class AppServer:
    url: str
    port: int
    db_path: Path
    log_path: Path
    proc: subprocess.Popen | None = field(default=None, repr=False)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """Terminate the server and wait, so the DuckDB file is free for this process."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)

    def wait_healthy(self, timeout: float = STARTUP_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {self.proc.returncode}")
            try:
                with NO_PROXY_OPENER.open(f"{self.url}/_stcore/health", timeout=2) as r:
                    body = r.read().decode(errors="replace").strip()
                    if r.status == 200 and body == "ok":
                        return
                    last = f"HTTP {r.status}: {body[:200]}"
            except (urllib.error.URLError, OSError) as e:
                last = repr(e)
            time.sleep(0.2)
        raise RuntimeError(f"no 'ok' from /_stcore/health within {timeout:.0f} s (last: {last})")


def launch(
    db_path: Path, log_path: Path, env: dict[str, str] | None = None, cwd: Path = REPO_ROOT
) -> AppServer:
    """Start the server (not yet healthy: call ``wait_healthy``)."""
    port = free_port()
    server_env = {
        **os.environ,
        "KARTINNSPILL_DB": str(db_path),
        "KARTINNSPILL_TILES": "none",
        "KARTINNSPILL_DEMO": "1",
        "PYTHONUNBUFFERED": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        **(env or {}),
    }
    log_file = open(log_path, "wb")  # noqa: SIM115 - child writes to it for its lifetime
    try:
        proc = subprocess.Popen(
            server_command(port), cwd=cwd, env=server_env, stdout=log_file,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    finally:
        log_file.close()
    return AppServer(
        url=f"http://127.0.0.1:{port}", port=port, db_path=db_path, log_path=log_path, proc=proc
    )
