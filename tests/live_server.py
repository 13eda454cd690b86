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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

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
        sys.executable,
        "-m",
        "streamlit",
        "run",
        LAUNCHER,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]


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


def launch(db_path: Path, log_path: Path, env: dict[str, str] | None = None, cwd: Path = REPO_ROOT) -> AppServer:
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
        # a test opens the pages it needs itself; the server's own warm-up of every public
        # consultation (consultations/ui/warmup.py) would only compete with it for the CPU
        "KARTINNSPILL_WARMUP": "off",
        **(env or {}),
    }
    log_file = open(log_path, "wb")  # noqa: SIM115 - child writes to it for its lifetime
    try:
        proc = subprocess.Popen(
            server_command(port),
            cwd=cwd,
            env=server_env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    finally:
        log_file.close()
    return AppServer(url=f"http://127.0.0.1:{port}", port=port, db_path=db_path, log_path=log_path, proc=proc)


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[AppServer]:
    """One shipped server for the module, on a fresh demo database, embeddable by one origin."""
    tmp = tmp_path_factory.mktemp("live")
    with running(
        tmp / "app.duckdb", tmp / "streamlit.log", {"KARTINNSPILL_FRAME_ANCESTORS": "https://www.asker.kommune.no"}
    ) as server:
        yield server


@contextmanager
def running(db_path: Path, log_path: Path, env: dict[str, str] | None = None) -> Iterator[AppServer]:
    """A launched server once it answers (the test fails with its log if it never does),
    stopped afterwards."""
    server = launch(db_path, log_path, env=env)
    try:
        server.wait_healthy()
    except RuntimeError as e:
        server.stop()
        pytest.fail(f"server did not start: {e}\n{server.log()}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------- make cluster


def cluster_missing() -> str | None:
    """Why `make cluster` cannot run on this machine (no HAProxy, no PostgreSQL), or None."""
    import shutil

    from deploy.cluster import postgres_bin

    if not (shutil.which("haproxy") or Path("/usr/sbin/haproxy").exists()):
        return "HAProxy not found: apt-get install haproxy"
    if postgres_bin() is None:
        return "PostgreSQL not found: apt-get install postgresql"
    return None


@dataclass
class ClusterRun:
    """A running `python -m deploy.cluster run` (what `make cluster` starts) with its own
    data directory; its state.json names the replicas' ports and pids."""

    url: str
    data: Path
    output: Path
    proc: subprocess.Popen | None = field(default=None, repr=False)

    def state(self) -> dict:
        import json

        return json.loads((self.data / "cluster" / "state.json").read_text())

    @property
    def db_url(self) -> str:
        return self.state()["database"]

    def log(self) -> str:
        """The orchestrator's own output, then each process's log."""
        parts = [self.output.read_text(errors="replace") if self.output.exists() else ""]
        for path in sorted((self.data / "cluster").glob("*.log")):
            parts.append(f"--- {path.name} ---\n" + path.read_text(errors="replace")[-4000:])
        return "\n".join(parts)

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, timeout: float = 180) -> None:
        """Until the balancer answers /_stcore/health (it starts after every replica is healthy)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                raise RuntimeError(f"make cluster exited ({self.proc.returncode}):\n{self.log()}")
            try:
                with NO_PROXY_OPENER.open(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200 and (self.data / "cluster" / "state.json").exists():
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"make cluster not ready within {timeout:.0f} s:\n{self.log()}")

    def stop(self, timeout: float = 90) -> int | None:
        """SIGTERM, as systemd or Ctrl-C would; the exit code."""
        import signal

        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        return self.proc.returncode


def launch_cluster(
    data: Path, replicas: int = 2, env: dict[str, str] | None = None, restart: bool = False
) -> ClusterRun:
    """Start the orchestrator on a free loopback port (not yet ready: ``wait_ready``).
    ``data`` must be reachable by the ``postgres`` user when the tests run as root (not
    under pytest's own 0700 temporary directory)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "deploy.cluster",
        "run",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--replicas",
        str(replicas),
        "--data",
        str(data),
    ]
    if not restart:
        command.append("--no-restart")
    cluster_env = {
        **os.environ,
        "KARTINNSPILL_TILES": "none",
        "KARTINNSPILL_DEMO": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        **(env or {}),
    }
    output = data / "orchestrator.out"
    data.mkdir(parents=True, exist_ok=True)
    with open(output, "wb") as out:
        proc = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=cluster_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    return ClusterRun(url=f"http://127.0.0.1:{port}", data=data, output=output, proc=proc)


def haproxy_status(stats_socket: str) -> dict[str, str]:
    """HAProxy's view of each replica (``show stat``): UP, DOWN, …"""
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(stats_socket)
        s.sendall(b"show stat\n")
        raw = b""
        while chunk := s.recv(65536):
            raw += chunk
    rows = [line.split(",") for line in raw.decode().splitlines() if line and not line.startswith("#")]
    return {r[1]: r[17] for r in rows if r[0] == "replicas" and r[1] not in ("BACKEND", "FRONTEND")}
